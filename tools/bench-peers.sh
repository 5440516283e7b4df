#!/usr/bin/env bash
# Epoch times of Descent and its peers, measured one after another on this machine, with the table
# of ratios: for MLP-BN, PyTorch (its fastest setting on 2 cores and its default) and
# Deeplearning4j; for the CNN of `descent mnist --model cnn`, PyTorch's tools/pytorch_cnn.py in
# its three 2-core settings (default; 2 threads with OMP_WAIT_POLICY=passive; 1 intra-op thread +
# 2 OpenBLAS threads). Deeplearning4j's peer exists for the MLP only.
#
#   tools/bench-peers.sh [OUTDIR] [EPOCHS] [MODEL] [LIMIT]
#       defaults: runs/bench-peers (runs/bench-peers-cnn), 5 epochs (3 for the CNN), mlp-bn, all 60,000 images
#
# Needs, besides the project: Debian's python3-torch and libopenblas0-pthread (without OpenBLAS torch
# runs the reference BLAS, ~15x slower: not a fair peer), and Maven Central for the DL4J peer's build.
# The MLP peers live in ../shared/bench/peers. Each run waits until the machine is idle; the table reports
# the median of epochs 2..EPOCHS (the training loop only), each framework's final test accuracy and
# its peak resident memory. Descent runs the peers' recipe exactly: --schedule constant.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PEERS="$ROOT/../shared/bench/peers"
MODEL="${3:-mlp-bn}"
case "$MODEL" in
  mlp-bn) OUT="${1:-$ROOT/runs/bench-peers}"; EPOCHS="${2:-5}" ;;
  cnn) OUT="${1:-$ROOT/runs/bench-peers-cnn}"; EPOCHS="${2:-3}" ;;
  *) echo "bench-peers: MODEL is mlp-bn or cnn, got '$MODEL'" >&2; exit 2 ;;
esac
LIMIT="${4:-60000}"
PY="${PYTHON:-/usr/bin/python3}"
DATA="${DESCENT_DATA:-$HOME/.cache/descent}/mnist"
mkdir -p "$OUT"

busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
wait_idle() {  # until under 5% of one CPU busy over 5 s, at most 10 minutes
  local deadline=$((SECONDS + 600)) a b
  while :; do
    a=$(busy); sleep 5; b=$(busy)
    (( (b - a) * 100 < 5 * 5 * $(getconf CLK_TCK) )) && return 0
    (( SECONDS > deadline )) && { echo "bench-peers: machine still busy, running anyway" >&2; return 0; }
  done
}

echo "bench-peers: Descent" >&2
"$ROOT/descent" mnist --epochs 1 --limit 2000 --out "$OUT/warmup" >/dev/null 2>&1   # builds and fetches MNIST once
wait_idle
rm -rf "$OUT/descent-run"
"$ROOT/descent" mnist --model "$MODEL" --limit "$LIMIT" --schedule constant --epochs "$EPOCHS" --threads 2 --json "$OUT/descent.json" \
  --out "$OUT/descent-run" >"$OUT/descent.log" 2>&1

if [ "$MODEL" = cnn ] && "$PY" -c "import torch" 2>/dev/null; then
  CNN=("$PY" "$ROOT/tools/pytorch_cnn.py" --data "$DATA" --epochs "$EPOCHS" --limit "$LIMIT")
  echo "bench-peers: PyTorch CNN, default threads (2)" >&2
  wait_idle
  "${CNN[@]}" --threads 2 --blas-threads 0 --json "$OUT/torch-default.json" >"$OUT/torch-default.log" 2>&1
  echo "bench-peers: PyTorch CNN, 2 threads, OMP_WAIT_POLICY=passive" >&2
  wait_idle
  OMP_WAIT_POLICY=passive "${CNN[@]}" --threads 2 --blas-threads 0 --json "$OUT/torch-passive.json" >"$OUT/torch-passive.log" 2>&1
  echo "bench-peers: PyTorch CNN, 1 intra-op thread + 2 OpenBLAS threads" >&2
  wait_idle
  "${CNN[@]}" --threads 1 --blas-threads 2 --json "$OUT/torch.json" >"$OUT/torch.log" 2>&1
elif [ "$MODEL" = cnn ]; then
  echo "bench-peers: no torch for $PY (apt-get install -y python3-torch libopenblas0-pthread); skipping PyTorch" >&2
elif "$PY" -c "import torch" 2>/dev/null; then
  echo "bench-peers: PyTorch, 1 intra-op thread + 2 OpenBLAS threads, OMP_WAIT_POLICY=passive" >&2
  wait_idle
  OMP_WAIT_POLICY=passive "$PY" "$PEERS/pytorch_mlp.py" --data "$DATA" --threads 1 --blas-threads 2 --epochs "$EPOCHS" \
    --json "$OUT/torch.json" >"$OUT/torch.log" 2>&1
  echo "bench-peers: PyTorch, default threads (2)" >&2
  wait_idle
  "$PY" "$PEERS/pytorch_mlp.py" --data "$DATA" --threads 2 --epochs "$EPOCHS" --json "$OUT/torch-default.json" >"$OUT/torch-default.log" 2>&1
else
  echo "bench-peers: no torch for $PY (apt-get install -y python3-torch libopenblas0-pthread); skipping PyTorch" >&2
fi

DL4J_JAR="$PEERS/dl4j/target/dl4j-mlp-bench.jar"
if [ "$MODEL" = cnn ]; then
  :   # no Deeplearning4j peer for the CNN
elif [ ! -f "$DL4J_JAR" ]; then
  echo "bench-peers: building the Deeplearning4j peer (once)" >&2
  (cd "$PEERS/dl4j" && mvn -q -B package -DskipTests) >"$OUT/dl4j-build.log" 2>&1 || echo "bench-peers: DL4J build failed (see $OUT/dl4j-build.log)" >&2
fi
if [ -f "$DL4J_JAR" ]; then
  echo "bench-peers: Deeplearning4j" >&2
  wait_idle
  OMP_NUM_THREADS=2 java -jar "$DL4J_JAR" "$DATA" "$EPOCHS" "$OUT/dl4j.json" 0 >"$OUT/dl4j.log" 2>&1 || echo "bench-peers: DL4J run failed (see $OUT/dl4j.log)" >&2
fi

"$PY" - "$OUT" "$MODEL" "$LIMIT" <<'PYTHON'
import json, os, statistics, sys, platform, subprocess, datetime
out, model, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
def load(name):
    path = os.path.join(out, name)
    return json.load(open(path)) if os.path.exists(path) else None
rows = []
d = load("descent.json")
if d:
    rows.append(("Descent", "2 threads, SIMD kernels", statistics.median(d["epochSeconds"][1:]), d["testAccuracy"][-1],
                 f'{d["peakRssMiB"]:.0f} MiB RSS' if "peakRssMiB" in d else "-"))
torch_runs = ((("torch-default.json", "default (2 threads)"), ("torch-passive.json", "2 threads, OMP_WAIT_POLICY=passive"),
               ("torch.json", "1 thread + 2 OpenBLAS threads")) if model == "cnn"
              else (("torch.json", "1 thread + 2 OpenBLAS, passive"), ("torch-default.json", "default (2 threads)")))
for name, label in torch_runs:
    t = load(name)
    if t:
        rows.append(("PyTorch " + t.get("torch_version", ""), label, statistics.median(t["epoch_train_seconds"][1:]), t["test_accuracy"][-1],
                     f'{t["peak_rss_mib"]:.0f} MiB RSS' if "peak_rss_mib" in t else "-"))
j = load("dl4j.json")
if j:
    # DL4J's peer samples its Java heap, not its resident memory (which adds native buffers).
    rows.append(("Deeplearning4j", "OMP_NUM_THREADS=2", statistics.median(j["epoch_seconds"][1:]), j["test_accuracy"][-1],
                 f'{j["peak_heap_bytes_sampled"] / 2**20:.0f} MiB heap' if "peak_heap_bytes_sampled" in j else "-"))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
title = "CNN (descent mnist --model cnn)" if model == "cnn" else "MLP-BN"
print(f"{title}, {limit:,} training images, batch 128, Adam lr 1e-3, median epoch time of epochs 2..N (training loop only); {datetime.date.today()}, "
      f"{os.cpu_count()} cores, {cpu}")
print()
print("| framework | setting | s/epoch | Descent / this | test accuracy | peak memory |")
print("|---|---|---|---|---|---|")
ours = rows[0][2] if rows and rows[0][0] == "Descent" else None
for name, setting, seconds, accuracy, memory in rows:
    ratio = f"{ours / seconds:.2f}x" if ours else "-"
    print(f"| {name} | {setting} | {seconds:.2f} | {ratio} | {100 * accuracy:.2f}% | {memory} |")
PYTHON
