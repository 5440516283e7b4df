#!/usr/bin/env python3
"""Generates nn/src/test/resources/fixtures/nn_pytorch.json: forward outputs and gradients of
torch.nn layers and losses on seeded inputs, the reference for PyTorchFixtureTest.

Run with Debian's python3-torch:  /usr/bin/python3 tools/nn_fixtures.py
Each case stores its inputs, parameters, the output, a random weighting r of the output, and the
gradients of sum(output * r) with respect to every input and parameter."""
import json
import os
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1234)
cases = []


def pack(t):
    t = t.detach()
    return {"shape": list(t.shape), "data": t.reshape(-1).tolist()}


def record(name, dtype, inputs, params, fn, extra=None):
    """inputs/params: dicts name -> tensor (requires_grad set here for floating ones)."""
    leaves = {}
    inputs = {k: v.detach().clone() for k, v in inputs.items()}
    params = {k: v.detach().clone() for k, v in params.items()}
    for k, v in list(inputs.items()) + list(params.items()):
        if v.is_floating_point():
            v.requires_grad_(True)
        leaves[k] = v
    out = fn(**leaves)
    r = torch.randn(out.shape, dtype=out.dtype)
    (out * r).sum().backward()
    case = {
        "name": name,
        "dtype": "float64" if dtype == torch.float64 else "float32",
        "inputs": {k: pack(v) for k, v in inputs.items()},
        "params": {k: pack(v) for k, v in params.items()},
        "output": pack(out),
        "weights": pack(r),
        "grads": {k: pack(v.grad) for k, v in leaves.items() if v.is_floating_point() and v.grad is not None},
    }
    if extra:
        case.update(extra)
    cases.append(case)


for dtype in (torch.float64, torch.float32):
    # Linear
    lin = nn.Linear(5, 3).to(dtype)
    record("linear", dtype, {"x": torch.randn(4, 5, dtype=dtype)},
           {"weight": lin.weight.detach().clone(), "bias": lin.bias.detach().clone()},
           lambda x, weight, bias: F.linear(x, weight, bias))
    # activations
    x = torch.randn(4, 6, dtype=dtype) * 2
    record("relu", dtype, {"x": x.clone()}, {}, lambda x: F.relu(x))
    record("leaky_relu", dtype, {"x": x.clone()}, {}, lambda x: F.leaky_relu(x, 0.1))
    record("sigmoid", dtype, {"x": x.clone()}, {}, lambda x: torch.sigmoid(x))
    record("tanh", dtype, {"x": x.clone()}, {}, lambda x: torch.tanh(x))
    record("gelu", dtype, {"x": x.clone()}, {}, lambda x: F.gelu(x))
    record("softplus", dtype, {"x": x.clone() * 4}, {}, lambda x: F.softplus(x, beta=1.5, threshold=5))
    record("softmax", dtype, {"x": x.clone()}, {}, lambda x: F.softmax(x, dim=1))
    record("log_softmax", dtype, {"x": x.clone()}, {}, lambda x: F.log_softmax(x, dim=0))
    # LayerNorm
    record("layer_norm", dtype, {"x": torch.randn(2, 3, 4, dtype=dtype)},
           {"weight": torch.randn(3, 4, dtype=dtype), "bias": torch.randn(3, 4, dtype=dtype)},
           lambda x, weight, bias: F.layer_norm(x, [3, 4], weight, bias, 1e-5))
    # weight-normalized Linear
    record("weight_norm", dtype, {"x": torch.randn(4, 5, dtype=dtype)},
           {"weight_g": torch.rand(3, 1, dtype=dtype) + 0.5, "weight_v": torch.randn(3, 5, dtype=dtype),
            "bias": torch.randn(3, dtype=dtype)},
           lambda x, weight_g, weight_v, bias: F.linear(x, weight_v * (weight_g / weight_v.norm(dim=1, keepdim=True)), bias))

    # BatchNorm1d: three training steps, then evaluation
    for shape, momentum in (((8, 3), 0.1), ((4, 3, 5), None)):
        bn = nn.BatchNorm1d(3, momentum=momentum).to(dtype)
        with torch.no_grad():
            bn.weight.copy_(torch.randn(3, dtype=dtype))
            bn.bias.copy_(torch.randn(3, dtype=dtype))
        weight0, bias0 = bn.weight.detach().clone(), bn.bias.detach().clone()
        batches = [torch.randn(*shape, dtype=dtype) * 3 + 1 for _ in range(3)]
        bn.train()
        steps = []
        for b in batches:
            xb = b.clone().requires_grad_(True)
            out = bn(xb)
            r = torch.randn(out.shape, dtype=dtype)
            bn.zero_grad()
            (out * r).sum().backward()
            steps.append({"x": pack(b), "output": pack(out), "weights": pack(r), "grad_x": pack(xb.grad),
                          "grad_weight": pack(bn.weight.grad), "grad_bias": pack(bn.bias.grad)})
        bn.eval()
        test = torch.randn(*shape, dtype=dtype)
        cases.append({"name": "batch_norm", "dtype": "float64" if dtype == torch.float64 else "float32",
                      "momentum": momentum, "weight": pack(weight0), "bias": pack(bias0), "steps": steps,
                      "running_mean": pack(bn.running_mean), "running_var": pack(bn.running_var),
                      "eval_x": pack(test), "eval_output": pack(bn(test))})

    # losses
    logits = torch.randn(6, 4, dtype=dtype) * 2
    targets = torch.tensor([0, 3, 1, 1, 2, 3])
    class_weights = torch.rand(4, dtype=dtype) + 0.5
    for reduction in ("mean", "sum", "none"):
        extra = {"reduction": reduction, "targets": targets.tolist()}
        record("cross_entropy", dtype, {"x": logits.clone()}, {},
               lambda x: F.cross_entropy(x, targets, reduction=reduction), dict(extra))
        record("cross_entropy_weighted_smoothed", dtype, {"x": logits.clone()}, {},
               lambda x: F.cross_entropy(x, targets, weight=class_weights, label_smoothing=0.1, reduction=reduction),
               dict(extra, class_weights=class_weights.tolist(), label_smoothing=0.1))
        record("nll", dtype, {"x": F.log_softmax(logits, 1)}, {},
               lambda x: F.nll_loss(x, targets, weight=class_weights, reduction=reduction),
               dict(extra, class_weights=class_weights.tolist()))
        prediction = torch.randn(3, 5, dtype=dtype)
        target = torch.randn(3, 5, dtype=dtype)
        record("mse", dtype, {"x": prediction.clone()}, {}, lambda x: F.mse_loss(x, target, reduction=reduction),
               {"reduction": reduction, "target": pack(target)})
        record("l1", dtype, {"x": prediction.clone()}, {}, lambda x: F.l1_loss(x, target, reduction=reduction),
               {"reduction": reduction, "target": pack(target)})
        record("huber", dtype, {"x": prediction.clone()}, {}, lambda x: F.huber_loss(x, target, reduction=reduction, delta=0.7),
               {"reduction": reduction, "target": pack(target), "delta": 0.7})
        probabilities = torch.rand(3, 5, dtype=dtype) * 0.98 + 0.01
        binary = (torch.rand(3, 5) > 0.5).to(dtype)
        record("bce", dtype, {"x": probabilities}, {}, lambda x: F.binary_cross_entropy(x, binary, reduction=reduction),
               {"reduction": reduction, "target": pack(binary)})
        positive_weight = torch.rand(5, dtype=dtype) + 0.5
        record("bce_with_logits", dtype, {"x": prediction.clone() * 10}, {},
               lambda x: F.binary_cross_entropy_with_logits(x, binary, pos_weight=positive_weight, reduction=reduction),
               {"reduction": reduction, "target": pack(binary), "pos_weight": pack(positive_weight)})
    ignored = torch.tensor([0, -100, 1, 1, -100, 3])
    record("cross_entropy_ignore", dtype, {"x": logits.clone()}, {},
           lambda x: F.cross_entropy(x, ignored, weight=class_weights, label_smoothing=0.2),
           {"reduction": "mean", "targets": ignored.tolist(), "class_weights": class_weights.tolist(), "label_smoothing": 0.2})

out = os.path.join(os.path.dirname(__file__), "..", "nn", "src", "test", "resources", "fixtures", "nn_pytorch.json")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    json.dump({"generator": "tools/nn_fixtures.py", "torch": torch.__version__, "cases": cases}, f)
print(len(cases), "cases written to", os.path.normpath(out))
