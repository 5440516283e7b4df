#!/usr/bin/env python3
"""Generates nn/src/test/resources/fixtures/pool_norm_pytorch.json: PyTorch's max, average and
adaptive average pooling and BatchNorm2d on seeded inputs, the reference for PoolNormFixtureTest.

Run with Debian's python3-torch:  /usr/bin/python3 tools/pool_norm_fixtures.py
Each pooling case stores its configuration, the input, the output, a random weighting r of the
output and the gradient of sum(output * r) with respect to the input. Each BatchNorm2d case stores
three training steps (inputs, outputs, weightings and the gradients of the input, weight and bias),
the running statistics after them, an evaluation forward, and the module's state-dict names."""
import json
import os
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(2026)
cases = []


def pack(t):
    t = t.detach()
    return {"shape": list(t.shape), "data": t.reshape(-1).tolist()}


def dtype_name(dtype):
    return "float64" if dtype == torch.float64 else "float32"


def record(kind, dtype, shape, config, fn):
    x = torch.randn(*shape, dtype=dtype).requires_grad_(True)
    out = fn(x)
    r = torch.randn(out.shape, dtype=dtype)
    (out * r).sum().backward()
    case = {"name": kind, "dtype": dtype_name(dtype), "x": pack(x), "output": pack(out), "weights": pack(r),
            "grad_x": pack(x.grad)}
    case.update(config)
    cases.append(case)


for dtype in (torch.float64, torch.float32):
    # MaxPool2d: kernel, stride, padding, dilation, ceil_mode (sizes as (H, W) pairs)
    for shape, k, s, p, d, ceil in (
            ((2, 3, 8, 8), (2, 2), (2, 2), (0, 0), (1, 1), False),
            ((2, 2, 7, 9), (3, 3), (2, 2), (1, 1), (1, 1), False),
            ((1, 3, 7, 9), (3, 3), (2, 2), (1, 1), (1, 1), True),
            ((2, 2, 9, 8), (3, 2), (2, 1), (1, 0), (2, 1), False),
            ((1, 2, 10, 11), (2, 3), (3, 2), (1, 1), (2, 2), True),
            ((3, 1, 5, 6), (4, 4), (1, 3), (2, 0), (1, 1), True)):
        record("max_pool2d", dtype, shape, {"kernel": k, "stride": s, "padding": p, "dilation": d, "ceil_mode": ceil},
               lambda x: F.max_pool2d(x, k, s, p, d, ceil_mode=ceil))
    # AvgPool2d: kernel, stride, padding, ceil_mode, count_include_pad
    for shape, k, s, p, ceil, include in (
            ((2, 3, 8, 8), (2, 2), (2, 2), (0, 0), False, True),
            ((2, 2, 7, 9), (3, 3), (2, 2), (1, 1), False, True),
            ((2, 2, 7, 9), (3, 3), (2, 2), (1, 1), False, False),
            ((1, 3, 7, 9), (3, 3), (2, 2), (1, 1), True, True),
            ((1, 3, 7, 9), (3, 3), (2, 2), (1, 1), True, False),
            ((2, 1, 6, 10), (2, 4), (3, 3), (1, 2), True, True),
            ((3, 2, 5, 5), (5, 5), (1, 1), (2, 2), False, False)):
        record("avg_pool2d", dtype, shape, {"kernel": k, "stride": s, "padding": p, "ceil_mode": ceil, "count_include_pad": include},
               lambda x: F.avg_pool2d(x, k, s, p, ceil_mode=ceil, count_include_pad=include))
    # AdaptiveAvgPool2d: output size
    for shape, size in (((2, 3, 7, 5), (3, 2)), ((2, 2, 8, 8), (1, 1)), ((1, 2, 5, 7), (5, 7)), ((2, 1, 3, 4), (5, 6)),
                        ((1, 3, 10, 9), (4, 3))):
        record("adaptive_avg_pool2d", dtype, shape, {"output_size": size}, lambda x: F.adaptive_avg_pool2d(x, size))

    # BatchNorm2d: three training steps, then evaluation
    for momentum, affine, shape in ((0.1, True, (3, 3, 4, 5)), (None, True, (2, 3, 3, 3)), (0.3, False, (3, 3, 2, 3))):
        bn = nn.BatchNorm2d(3, momentum=momentum, affine=affine).to(dtype)
        weight0 = torch.randn(3, dtype=dtype)
        bias0 = torch.randn(3, dtype=dtype)
        if affine:
            with torch.no_grad():
                bn.weight.copy_(weight0)
                bn.bias.copy_(bias0)
        bn.train()
        steps = []
        for step in range(3):
            x = (torch.randn(*shape, dtype=dtype) * (1 + step) + step).requires_grad_(True)
            if affine:
                bn.zero_grad()
            out = bn(x)
            r = torch.randn(out.shape, dtype=dtype)
            (out * r).sum().backward()
            entry = {"x": pack(x), "output": pack(out), "weights": pack(r), "grad_x": pack(x.grad)}
            if affine:
                entry["grad_weight"] = pack(bn.weight.grad)
                entry["grad_bias"] = pack(bn.bias.grad)
            steps.append(entry)
        bn.eval()
        test = torch.randn(2, 3, 3, 4, dtype=dtype)
        cases.append({"name": "batch_norm2d", "dtype": dtype_name(dtype), "momentum": momentum, "affine": affine,
                      "weight": pack(weight0), "bias": pack(bias0), "steps": steps,
                      "running_mean": pack(bn.running_mean), "running_var": pack(bn.running_var),
                      "num_batches_tracked": int(bn.num_batches_tracked), "eval_x": pack(test), "eval_output": pack(bn(test)),
                      "state_dict": list(bn.state_dict().keys())})

out = os.path.join(os.path.dirname(__file__), "..", "nn", "src", "test", "resources", "fixtures", "pool_norm_pytorch.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
print("wrote", len(cases), "cases to", os.path.normpath(out))
