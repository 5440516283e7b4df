#!/usr/bin/env bash
# Packs what the GPU machines need to run Descent's CUDA tests and examples: they have a driver,
# CUDA and python3 with PyTorch, but no JDK and no network. Writes .gpu-kit/ (git-ignored, about
# 57 MiB): a jlink'ed Java runtime, the descent command's jar (all modules, JCuda with its
# natives), the cuda module's test classes, the JUnit console launcher, the PyTorch peers (copied
# from ../shared/bench/peers), tools/pytorch_cnn.py (the CNN's peer), tools/cublas_gemm.py and
# tools/gpu_checks.py; and .gpu-data/ (about
# 11 MiB): MNIST, gzipped. A device call carries at most 64 MiB, so the data travels in a call of
# its own, while the machine is warm:
#
#   run(command="mkdir -p /tmp/descent-data/mnist && for f in .gpu-data/*.gz; do gunzip -c $f
#       >/tmp/descent-data/mnist/$(basename $f .gz); done", carry=[".gpu-data"])
#   run(command="OUT=$OUT .gpu-kit/gpu-checks.sh", carry=[".gpu-kit"], timeout_s=600)
#       # every GPU acceptance point within a 540 s budget: the CUDA suite; descent mnist at batch
#       # 128 and 1024 against the PyTorch peers (eager and CUDA graph) on the same GPU; doctor's
#       # GEMM rates against cuBLAS; flat device memory; one-line refusals of bad input; the CNN
#       # (descent mnist --model cnn) against PyTorch eager with cuDNN, 3 epochs each. It ends
#       # with one "CHECK name PASS|FAIL ..." line per point; raw outputs and summary.json are in
#       # $OUT. gpu_checks.py re-judges a saved $OUT anywhere: python3 tools/gpu_checks.py DIR
#
# .gpu-kit/compare.sh stays for a quick look by hand (doctor, one mnist run, the eager peer); the
# acceptance verdicts come from gpu-checks.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
KIT="$ROOT/.gpu-kit"
JUNIT_VERSION=1.11.4
cd "$ROOT"
mvn -q -B -DskipTests install >/dev/null
mvn -q -B test-compile -pl cuda >/dev/null
mvn -q -B dependency:get -Dartifact=org.junit.platform:junit-platform-console-standalone:$JUNIT_VERSION >/dev/null
rm -rf "$KIT.tmp" && mkdir -p "$KIT.tmp"
MODULES="$(jdeps --ignore-missing-deps --print-module-deps --multi-release 17 examples/target/descent.jar)"
jlink --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files --compress=2 --output "$KIT.tmp/java"
strip "$KIT.tmp/java/lib/server/libjvm.so" 2>/dev/null || true   # its symbols are 4 MiB of the budget
cp examples/target/descent.jar "$KIT.tmp/descent.jar"
cp -r cuda/target/test-classes "$KIT.tmp/cuda-tests"
cp "$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/$JUNIT_VERSION/junit-platform-console-standalone-$JUNIT_VERSION.jar" \
   "$KIT.tmp/junit-console.jar"
DATA="${DESCENT_DATA:-$HOME/.cache/descent}/mnist"
if [ -f "$DATA/train-images-idx3-ubyte" ]; then
  rm -rf "$ROOT/.gpu-data" && mkdir -p "$ROOT/.gpu-data"
  for f in "$DATA"/*-ubyte; do gzip -9 -c "$f" >"$ROOT/.gpu-data/$(basename "$f").gz"; done
else
  echo "gpu-kit: no MNIST in $DATA (run ./descent mnist once); .gpu-data not written" >&2
fi
cat >"$KIT.tmp/run-tests.sh" <<'SCRIPT'
#!/usr/bin/env bash
# The cuda module's tests on this machine's GPU; run from the repository root (the PTX freshness
# test reads cuda/src/main/cuda).
KIT="$(cd "$(dirname "$0")" && pwd)"
cd "$KIT/../cuda" && exec "$KIT/java/bin/java" --add-modules jdk.incubator.vector -jar "$KIT/junit-console.jar" execute \
  --class-path "$KIT/descent.jar:$KIT/cuda-tests" --select-package dev.descent.cuda --details=tree "$@"
SCRIPT
cat >"$KIT.tmp/descent" <<'SCRIPT'
#!/usr/bin/env bash
# The memory settings of the repository's ./descent (its comment says why): the CNN's larger young
# generation and smaller heap for --model cnn, else those of the MLP; DESCENT_JAVA_OPTS replaces them.
KIT="$(cd "$(dirname "$0")" && pwd)"
export DESCENT_DATA="${DESCENT_DATA:-/tmp/descent-data}"
MEMORY="-XX:+UseParallelGC -Xmn96m -Xmx1g"
previous=""
for argument in "$@"; do
  if { [ "$previous" = --model ] && [ "$argument" = cnn ]; } || [ "$argument" = --model=cnn ]; then
    MEMORY="-XX:+UseParallelGC -Xmn384m -XX:SurvivorRatio=3 -Xmx576m"
  fi
  previous="$argument"
done
exec "$KIT/java/bin/java" --add-modules jdk.incubator.vector ${DESCENT_JAVA_OPTS:-$MEMORY} -jar "$KIT/descent.jar" "$@"
SCRIPT
PEERS="$ROOT/../shared/bench/peers"
mkdir -p "$KIT.tmp/peers"
for peer in pytorch_mlp.py pytorch_mlp_cudagraph.py peerutil.py; do
  if [ -f "$PEERS/$peer" ]; then
    cp "$PEERS/$peer" "$KIT.tmp/peers/"
  else
    echo "gpu-kit: no $PEERS/$peer; the checks that compare with it will FAIL" >&2
  fi
done
cp tools/gpu_checks.py tools/cublas_gemm.py tools/pytorch_cnn.py "$KIT.tmp/"
cat >"$KIT.tmp/compare.sh" <<'SCRIPT'
#!/usr/bin/env bash
# On the GPU machine, after the MNIST files were unpacked to /tmp/descent-data/mnist (a call that
# carries .gpu-data): the device and its GEMM rate (descent doctor), five epochs of MLP-BN with
# descent mnist --device cuda, then the PyTorch peer on the same GPU. Summaries go to $OUT if set.
KIT="$(cd "$(dirname "$0")" && pwd)"
DATA=/tmp/descent-data/mnist
OUT="${OUT:-/tmp}"
[ -f "$DATA/train-images-idx3-ubyte" ] || { echo "compare: no MNIST in $DATA: unpack .gpu-data first" >&2; exit 2; }
"$KIT/descent" doctor --seconds 1
"$KIT/descent" mnist --device cuda --schedule constant --epochs 5 --out /tmp/descent-cuda-run --json "$OUT/descent-cuda.json"
if [ -f "$KIT/peers/pytorch_mlp.py" ]; then
  python3 "$KIT/peers/pytorch_mlp.py" --device cuda --data "$DATA" --epochs 5 --json "$OUT/torch-cuda.json"
fi
SCRIPT
cat >"$KIT.tmp/gpu-checks.sh" <<'SCRIPT'
#!/usr/bin/env bash
# Every GPU acceptance point in one device call, after MNIST was unpacked to /tmp/descent-data/mnist.
# Each step's stdout, stderr and exit status are saved in $OUT (default /tmp/gpu-checks); then
# gpu_checks.py judges them and prints one CHECK line per point. No `set -e`: a failing step is a
# verdict to record, not a reason to stop. Exit status 0 when every required point passes (the
# CUDA-graph comparisons are goals and do not count; the CNN's comparison with PyTorch eager is
# required, and its line says "unmeasured" when either CNN step gave no epochs).
KIT="$(cd "$(dirname "$0")" && pwd)"
cd "$KIT/.."   # run-tests.sh reads cuda/src/main/cuda beside the kit
DATA=/tmp/descent-data/mnist
OUT="${OUT:-/tmp/gpu-checks}"
RUNS=/tmp/gpu-checks-runs           # weights and reports of the runs: megabytes nobody needs back
BUDGET="${GPU_CHECKS_BUDGET:-540}"   # seconds for all steps; a device call is cut at 600
# an --out that an earlier run (a rerun on the same warm machine) holds is refused: start them afresh
rm -rf "$RUNS" && mkdir -p "$OUT" "$RUNS"
# results of an earlier run in the same folder must not pass for this run's
for name in cuda-suite mnist-b128 mnist-b1024 torch-eager-b128 torch-eager-b1024 torch-graph-b128 \
    torch-graph-b1024 doctor cublas bad-cuda7 bad-tpu bad-batch cnn-descent cnn-torch-eager; do
  rm -f "$OUT/$name.out" "$OUT/$name.err" "$OUT/$name.step"
done
rm -f "$OUT"/{descent-b128,descent-b1024,torch-eager-b128,torch-eager-b1024,doctor,cublas,summary}.json \
  "$OUT"/{descent-cnn,torch-cnn}.json
START=$SECONDS

# step NAME LIMIT COMMAND...: COMMAND under `timeout`, never past the budget, its outputs in
# $OUT/NAME.out and NAME.err, and "rc", "seconds", "limit" (or "skipped" and why) in NAME.step
step() {
  local name=$1 limit=$2
  shift 2
  local left=$((BUDGET - (SECONDS - START)))
  if [ "$left" -lt 15 ]; then
    echo "skipped the ${BUDGET} s budget was spent" >"$OUT/$name.step"
    echo "== $name: skipped, budget spent"
    return
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  local began=$SECONDS
  timeout --kill-after=5 "$limit" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" </dev/null
  local rc=$?
  printf 'rc %d\nseconds %d\nlimit %d\n' "$rc" "$((SECONDS - began))" "$limit" >"$OUT/$name.step"
  echo "== $name: exit $rc after $((SECONDS - began)) s (limit $limit s)"
}

gpu="$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | paste -sd ';' -)"
torch_version="$(python3 -c 'import torch; print(torch.__version__, "CUDA", torch.version.cuda)' 2>/dev/null)"
{
  echo "gpu: ${gpu:-unknown (no nvidia-smi)}"
  echo "torch: ${torch_version:-not importable}"
} | tee "$OUT/environment.txt"
[ -f "$DATA/train-images-idx3-ubyte" ] \
  || echo "gpu-checks: no MNIST in $DATA (unpack .gpu-data first): the mnist and PyTorch steps will fail" >&2

step cuda-suite 150 "$KIT/run-tests.sh" --disable-ansi-colors
step mnist-b128 120 "$KIT/descent" mnist --device cuda --schedule constant --epochs 5 --batch 128 \
  --out "$RUNS/b128" --json "$OUT/descent-b128.json"
step mnist-b1024 90 "$KIT/descent" mnist --device cuda --schedule constant --epochs 5 --batch 1024 \
  --out "$RUNS/b1024" --json "$OUT/descent-b1024.json"
step torch-eager-b128 90 python3 "$KIT/peers/pytorch_mlp.py" --data "$DATA" --device cuda --epochs 5 \
  --batch-size 128 --json "$OUT/torch-eager-b128.json"
step torch-eager-b1024 60 python3 "$KIT/peers/pytorch_mlp.py" --data "$DATA" --device cuda --epochs 5 \
  --batch-size 1024 --json "$OUT/torch-eager-b1024.json"
step torch-graph-b128 60 python3 "$KIT/peers/pytorch_mlp_cudagraph.py" "$DATA" 128 5
step torch-graph-b1024 45 python3 "$KIT/peers/pytorch_mlp_cudagraph.py" "$DATA" 1024 5
step doctor 60 "$KIT/descent" doctor --seconds 1 --json "$OUT/doctor.json"
step cublas 60 python3 "$KIT/cublas_gemm.py" --json "$OUT/cublas.json"
step bad-cuda7 30 "$KIT/descent" mnist --device cuda:7 --epochs 1 --out "$RUNS/bad-cuda7"
step bad-tpu 30 "$KIT/descent" mnist --device tpu --epochs 1 --out "$RUNS/bad-tpu"
# a small training set keeps the run short if the batch is neither refused nor out of memory
step bad-batch 45 "$KIT/descent" mnist --device cuda --batch 100000000 --epochs 1 --limit 1000 \
  --out "$RUNS/bad-batch"
# the CNN (descent mnist --model cnn) against its PyTorch peer, eager with cuDNN at its defaults, on
# the same GPU; 3 epochs each, the median of epochs 2-3 compared
step cnn-descent 120 "$KIT/descent" mnist --model cnn --device cuda --schedule constant --epochs 3 \
  --out "$RUNS/cnn" --json "$OUT/descent-cnn.json"
step cnn-torch-eager 90 python3 "$KIT/pytorch_cnn.py" --device cuda --data "$DATA" --epochs 3 \
  --json "$OUT/torch-cnn.json"

echo "== steps took $((SECONDS - START)) s; raw outputs in $OUT"
python3 "$KIT/gpu_checks.py" "$OUT" | tee "$OUT/summary.txt"
exit "${PIPESTATUS[0]}"
SCRIPT
chmod +x "$KIT.tmp/run-tests.sh" "$KIT.tmp/descent" "$KIT.tmp/compare.sh" "$KIT.tmp/gpu-checks.sh"
rm -rf "$KIT" && mv "$KIT.tmp" "$KIT"
echo "gpu-kit: $(du -sh "$KIT" | cut -f1) in $KIT, $(du -sh "$ROOT/.gpu-data" 2>/dev/null | cut -f1) in $ROOT/.gpu-data"
