#!/usr/bin/env bash
# Packs what the GPU machines need to run Descent's CUDA tests and examples: they have a driver
# and CUDA, but no JDK and no network. Writes .gpu-kit/ (git-ignored, about 52 MiB): a jlink'ed
# Java runtime, the descent command's jar (all modules, JCuda with its natives), the cuda module's
# test classes and the JUnit console launcher; and .gpu-data/ (about 11 MiB): MNIST, gzipped. A
# device call carries at most 64 MiB, so the data travels in a call of its own, while the machine
# is warm:
#
#   run(command="mkdir -p /tmp/descent-data/mnist && for f in .gpu-data/*.gz; do gunzip -c $f
#       >/tmp/descent-data/mnist/$(basename $f .gz); done", carry=[".gpu-data"])
#   run(command=".gpu-kit/run-tests.sh && .gpu-kit/compare.sh", carry=[".gpu-kit"])
#       # the CUDA suite, then descent doctor (device, GEMM GFLOP/s), mnist --device cuda for five
#       # epochs and the PyTorch peer (copied from ../shared/bench/peers) on the same GPU
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
KIT="$(cd "$(dirname "$0")" && pwd)"
export DESCENT_DATA="${DESCENT_DATA:-/tmp/descent-data}"
exec "$KIT/java/bin/java" --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmn96m -Xmx1g -jar "$KIT/descent.jar" "$@"
SCRIPT
PEERS="$ROOT/../shared/bench/peers"
if [ -f "$PEERS/pytorch_mlp.py" ]; then
  mkdir -p "$KIT.tmp/peers" && cp "$PEERS/pytorch_mlp.py" "$PEERS/peerutil.py" "$KIT.tmp/peers/"
fi
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
chmod +x "$KIT.tmp/run-tests.sh" "$KIT.tmp/descent" "$KIT.tmp/compare.sh"
rm -rf "$KIT" && mv "$KIT.tmp" "$KIT"
echo "gpu-kit: $(du -sh "$KIT" | cut -f1) in $KIT, $(du -sh "$ROOT/.gpu-data" 2>/dev/null | cut -f1) in $ROOT/.gpu-data"
