#!/usr/bin/env python3
"""Generates nn/src/test/resources/fixtures/conv_pytorch.json: F.conv2d and F.conv1d outputs and
gradients on seeded inputs, the reference for ConvolutionFixtureTest.

Run with Debian's python3-torch:  /usr/bin/python3 tools/conv_fixtures.py
Each case stores its arguments (stride, padding as ints or "same"/"valid", dilation, groups), the
input, weight and bias, the output, a random weighting r of the output, and the gradients of
sum(output * r) with respect to the input, the weight and the bias, in float64 and float32."""
import json
import os
import torch
import torch.nn.functional as F

torch.manual_seed(2023)


def pack(t):
    t = t.detach()
    return {"shape": list(t.shape), "data": t.reshape(-1).tolist()}


# (name, dims, N, C, spatial, O, kernel, stride, padding, dilation, groups, bias)
CONFIGS = [
    ("plain 3x3", 2, 2, 3, (7, 6), 4, (3, 3), (1, 1), (0, 0), (1, 1), 1, True),
    ("stride 2x1, padding 1x2", 2, 2, 3, (8, 7), 4, (3, 2), (2, 1), (1, 2), (1, 1), 1, True),
    ("dilation 2x1, no bias", 2, 1, 2, (9, 8), 3, (3, 3), (1, 1), (2, 2), (2, 1), 1, False),
    ("groups 2, stride 2", 2, 2, 4, (7, 9), 6, (2, 3), (2, 2), (1, 1), (1, 1), 2, True),
    ("same, even kernel", 2, 2, 3, (6, 7), 2, (4, 3), (1, 1), "same", (1, 1), 1, True),
    ("same, dilation 2", 2, 1, 2, (7, 7), 3, (3, 2), (1, 1), "same", (2, 3), 1, True),
    ("valid, depthwise", 2, 2, 3, (6, 5), 6, (3, 3), (1, 1), "valid", (1, 1), 3, True),
    ("one input channel", 2, 3, 1, (9, 8), 5, (3, 3), (1, 1), (1, 1), (1, 1), 1, True),
    ("conv1d stride 2", 1, 2, 3, (11,), 4, (3,), (2,), (1,), (1,), 1, True),
    ("conv1d same, groups 2", 1, 2, 4, (10,), 6, (4,), (1,), "same", (2,), 2, False),
]

cases = []
for dtype in (torch.float64, torch.float32):
    for name, dims, n, c, spatial, o, kernel, stride, padding, dilation, groups, has_bias in CONFIGS:
        x = torch.randn(n, c, *spatial, dtype=dtype).requires_grad_(True)
        w = (torch.randn(o, c // groups, *kernel, dtype=dtype) * 0.5).requires_grad_(True)
        b = torch.randn(o, dtype=dtype).requires_grad_(True) if has_bias else None
        conv = F.conv2d if dims == 2 else F.conv1d
        pad = padding if isinstance(padding, str) else (padding if dims == 2 else padding[0])
        out = conv(x, w, b, stride=stride if dims == 2 else stride[0], padding=pad,
                   dilation=dilation if dims == 2 else dilation[0], groups=groups)
        r = torch.randn(out.shape, dtype=dtype)
        (out * r).sum().backward()
        case = {
            "name": name,
            "dims": dims,
            "dtype": "float64" if dtype == torch.float64 else "float32",
            "stride": list(stride),
            "padding": padding if isinstance(padding, str) else list(padding),
            "dilation": list(dilation),
            "groups": groups,
            "x": pack(x),
            "weight": pack(w),
            "output": pack(out),
            "weights": pack(r),
            "grads": {"x": pack(x.grad), "weight": pack(w.grad)},
        }
        if has_bias:
            case["bias"] = pack(b)
            case["grads"]["bias"] = pack(b.grad)
        cases.append(case)

out = os.path.join(os.path.dirname(__file__), "..", "nn", "src", "test", "resources", "fixtures", "conv_pytorch.json")
with open(out, "w") as f:
    json.dump({"generator": "tools/conv_fixtures.py", "torch": torch.__version__, "cases": cases}, f)
print(f"wrote {len(cases)} cases to {os.path.normpath(out)}")
