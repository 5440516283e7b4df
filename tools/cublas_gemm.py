#!/usr/bin/env python3
"""cuBLAS float32 GEMM rates through PyTorch, in GFLOP/s = 2*m*k*n / t: the reference that
`descent doctor` is held against on a GPU (tools/gpu_checks.py divides doctor's rate by this one).

The same seven products as doctor, named as doctor names them ("MxKxN layout"), with the same
operand layouts: a Linear keeps W as [out, in], so training multiplies x @ W.t() (forward),
g @ W (input gradient) and g.t() @ x (weight gradient); plus a square 1024^3 a @ b. TF32 is
switched off, because Descent computes in true float32 and a TF32 rate would not be a peer.
Each product is launched from Python one at a time, as doctor launches its own from Java: the
small MLP products take a few microseconds on a large GPU, so both rates include launch cost.

  python3 cublas_gemm.py [--min-time 0.2] [--repeats 5] [--json FILE]

Exit status 2 when PyTorch or a CUDA device is missing, so a check script can tell "no reference"
from a slow one.
"""
import argparse
import json
import statistics
import sys

# (doctor's name, M, K, N, layout): C[M, N] = A[M, K] @ B[K, N], with A and B stored as the layout says
PRODUCTS = [
    ("1024x1024x1024", 1024, 1024, 1024, "a@b"),
    ("128x784x512 x@W.t", 128, 784, 512, "x@W.t"),
    ("128x512x784 g@W", 128, 512, 784, "g@W"),
    ("512x128x784 g.t@x", 512, 128, 784, "g.t@x"),
    ("128x512x256 x@W.t", 128, 512, 256, "x@W.t"),
    ("128x256x512 g@W", 128, 256, 512, "g@W"),
    ("256x128x512 g.t@x", 256, 128, 512, "g.t@x"),
]

MAX_PRODUCTS_PER_SAMPLE = 1 << 20


def operands(torch, m, k, n, layout, generator):
    """A and B as views with the strides training gives them, plus a preallocated C so that
    the timing holds the GEMM alone, not the allocator."""
    def randn(*shape):
        return torch.randn(*shape, generator=generator, device="cuda", dtype=torch.float32)

    if layout == "x@W.t":      # x [batch, in], W [out, in]
        a, b = randn(m, k), randn(n, k).t()
    elif layout == "g@W":      # g [batch, out], W [out, in]
        a, b = randn(m, k), randn(k, n)
    elif layout == "g.t@x":    # g [batch, out], x [batch, in]
        a, b = randn(k, m).t(), randn(k, n)
    elif layout == "a@b":
        a, b = randn(m, k), randn(k, n)
    else:
        raise ValueError(f"unknown layout {layout}")
    return a, b, torch.empty(m, n, device="cuda", dtype=torch.float32)


def seconds_per_product(torch, a, b, c, min_time, repeats):
    """Median over `repeats` samples of the mean time per product; each sample runs enough
    products back to back (timed by CUDA events) to last at least `min_time`, so launch gaps
    and event resolution are a small part of it."""
    def run(count):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(count):
            torch.mm(a, b, out=c)
        end.record()
        end.synchronize()
        return start.elapsed_time(end) / 1000.0

    run(10)  # cuBLAS picks its kernel and loads it on first use
    count, elapsed = 16, run(16)
    while elapsed < min_time and count < MAX_PRODUCTS_PER_SAMPLE:
        # aim a fifth past the minimum at the rate seen so far; at least double, so a reading
        # near the events' resolution cannot stall the search
        target = int(count * min_time * 1.2 / max(elapsed, 1e-6))
        count = min(MAX_PRODUCTS_PER_SAMPLE, max(count * 2, target))
        elapsed = run(count)
    samples = [run(count) / count for _ in range(repeats)]
    return statistics.median(samples)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--min-time", type=float, default=0.2, help="seconds per timing sample")
    ap.add_argument("--repeats", type=int, default=5, help="timing samples per product (the median is kept)")
    ap.add_argument("--json", default=None, help="write {name: GFLOP/s} to this file")
    args = ap.parse_args()

    try:
        import torch
    except ImportError as e:
        print(f"cublas_gemm: PyTorch is not importable ({e}): no cuBLAS reference here", file=sys.stderr)
        return 2
    if not torch.cuda.is_available():
        print(f"cublas_gemm: torch {torch.__version__} sees no CUDA device: no cuBLAS reference here", file=sys.stderr)
        return 2
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False

    print(f"cuBLAS via torch {torch.__version__} (CUDA {torch.version.cuda}) on {torch.cuda.get_device_name(0)}, "
          f"float32, TF32 off; GFLOP/s, median of {args.repeats} samples of >= {args.min_time} s")
    print(f"{'product':20s} {'A @ B':>28s} {'GFLOP/s':>10s}")
    generator = torch.Generator(device="cuda").manual_seed(0)
    rates = {}
    for name, m, k, n, layout in PRODUCTS:
        a, b, c = operands(torch, m, k, n, layout, generator)
        seconds = seconds_per_product(torch, a, b, c, args.min_time, args.repeats)
        rates[name] = 2.0 * m * k * n / seconds / 1e9
        print(f"{name:20s} {f'[{m}, {k}] @ [{k}, {n}]':>28s} {rates[name]:10.1f}", flush=True)
        del a, b, c
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rates, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
