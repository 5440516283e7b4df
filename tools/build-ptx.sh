#!/usr/bin/env bash
# Compiles the CUDA kernels (cuda/src/main/cuda/*.cu) to PTX resources that are committed, so
# building Descent never needs nvcc. Run after editing a kernel; PtxResourcesTest fails while a
# committed PTX is older than its source. Needs nvcc (CUDA 12 or 13), not a GPU.
#
# Each PTX starts with one line naming the SHA-256 of its sources (common.cuh, then the .cu file),
# which the test recomputes. compute_75 (Turing) is the oldest architecture CUDA 13 targets; the
# driver JIT-compiles the PTX for the GPU it finds.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRC="$ROOT/cuda/src/main/cuda"
OUT="$ROOT/cuda/src/main/resources/dev/descent/cuda/ptx"
NVCC="${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
[ -x "$NVCC" ] || { echo "build-ptx: nvcc not found (set NVCC=/path/to/nvcc)" >&2; exit 1; }
mkdir -p "$OUT"
for source in "$SRC"/*.cu; do
  name="$(basename "$source" .cu)"
  hash="$(cat "$SRC/common.cuh" "$source" | sha256sum | cut -d' ' -f1)"
  compiled="$(mktemp)"
  "$NVCC" -ptx -arch=compute_75 -O3 -std=c++17 -I "$SRC" "$source" -o "$compiled"
  tmp="$(mktemp "$OUT/.$name.XXXXXX")"
  { echo "// descent-sources-sha256: $hash"; cat "$compiled"; } >"$tmp"
  rm -f "$compiled"
  chmod 644 "$tmp"
  mv "$tmp" "$OUT/$name.ptx"   # atomic: a failed compile never leaves a half-written resource
  echo "build-ptx: $name.ptx ($(grep -c '^\.visible \.entry' "$OUT/$name.ptx") kernels)"
done
