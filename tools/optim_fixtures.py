#!/usr/bin/env python3
"""Generates optim/src/test/resources/fixtures/optim_pytorch.json: torch.optim trajectories in
float64, 25 steps from fixed starts, on (a) the 2-D Rosenbrock function and (b) a small fixed MLP
regression, for default and non-default hyperparameters; plus lr_scheduler values over 100 steps.

Run with Debian's python3-torch (1.13):  /usr/bin/python3 tools/optim_fixtures.py
Hyperparameters are written with Descent's names (camelCase); NAdam runs with foreach=True, the
path of torch 1.13 that follows the corrected update (its single-tensor path has a known bug)."""
import json
import math
import os
import torch

torch.set_default_dtype(torch.float64)
STEPS = 25

TORCH_NAMES = {"weightDecay": "weight_decay", "lrDecay": "lr_decay", "initialAccumulatorValue": "initial_accumulator_value",
               "momentumDecay": "momentum_decay"}
CLASSES = {"sgd": torch.optim.SGD, "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop,
           "adadelta": torch.optim.Adadelta, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
           "adamax": torch.optim.Adamax, "nadam": torch.optim.NAdam, "radam": torch.optim.RAdam}
CONFIGS = [
    ("sgd", {"lr": 1e-3}),
    ("sgd", {"lr": 1e-3, "momentum": 0.9, "dampening": 0.1, "weightDecay": 0.01}),
    ("sgd", {"lr": 5e-4, "momentum": 0.9, "nesterov": True}),
    ("sgd", {"lr": 1e-3, "momentum": 0.5, "maximize": True}),
    ("adagrad", {}),
    ("adagrad", {"lr": 0.1, "lrDecay": 0.01, "weightDecay": 0.01, "initialAccumulatorValue": 0.1, "eps": 1e-8}),
    ("rmsprop", {}),
    ("rmsprop", {"lr": 1e-3, "alpha": 0.9, "momentum": 0.5, "centered": True, "weightDecay": 0.01}),
    ("adadelta", {}),
    ("adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weightDecay": 0.01}),
    ("adam", {}),
    ("adam", {"lr": 1e-2, "betas": [0.8, 0.99], "eps": 1e-6, "weightDecay": 0.01, "amsgrad": True}),
    ("adam", {"lr": 1e-3, "maximize": True}),
    ("adamw", {}),
    ("adamw", {"lr": 1e-2, "betas": [0.85, 0.995], "weightDecay": 0.1, "amsgrad": True}),
    ("adamax", {}),
    ("adamax", {"lr": 1e-2, "betas": [0.8, 0.99], "weightDecay": 0.01}),
    ("nadam", {}),
    ("nadam", {"lr": 1e-2, "betas": [0.8, 0.99], "weightDecay": 0.01, "momentumDecay": 0.01}),
    ("radam", {}),
    ("radam", {"lr": 1e-2, "betas": [0.8, 0.99], "weightDecay": 0.01}),
]


def torch_kwargs(name, options):
    kwargs = {TORCH_NAMES.get(k, k): (tuple(v) if isinstance(v, list) else v) for k, v in options.items()}
    if name == "nadam":
        kwargs["foreach"] = True
    else:
        kwargs["foreach"] = False
    return kwargs


def rosenbrock_problem():
    start = [-1.2, 1.0]
    params = [torch.tensor(start, requires_grad=True)]

    def loss():
        x, y = params[0][0], params[0][1]
        return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2
    return params, loss, {"xy": start}


gen = torch.Generator().manual_seed(5)
MLP_X = torch.randn(8, 3, generator=gen)
MLP_Y = torch.randn(8, 1, generator=gen)
MLP_START = {"w1": torch.randn(4, 3, generator=gen) * 0.5, "b1": torch.randn(4, generator=gen) * 0.1,
             "w2": torch.randn(1, 4, generator=gen) * 0.5, "b2": torch.randn(1, generator=gen) * 0.1}


def mlp_problem():
    params = [MLP_START[k].clone().requires_grad_(True) for k in ("w1", "b1", "w2", "b2")]

    def loss():
        w1, b1, w2, b2 = params
        hidden = torch.tanh(MLP_X @ w1.T + b1)
        return ((hidden @ w2.T + b2 - MLP_Y) ** 2).mean()
    return params, loss, {k: v.reshape(-1).tolist() for k, v in MLP_START.items()}


def trajectory(name, options, problem):
    params, loss_fn, start = problem()
    optimizer = CLASSES[name](params, **torch_kwargs(name, options))
    steps = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss_fn().backward()
        optimizer.step()
        steps.append([v for p in params for v in p.detach().reshape(-1).tolist()])
    return {"optimizer": name, "options": options, "start": start, "trajectory": steps}


cases = []
for name, options in CONFIGS:
    for problem_name, problem in (("rosenbrock", rosenbrock_problem), ("mlp", mlp_problem)):
        if options.get("maximize") and problem_name == "rosenbrock":
            continue  # gradient ascent on Rosenbrock overflows within a few steps
        case = trajectory(name, options, problem)
        case["problem"] = problem_name
        cases.append(case)


# ---- learning-rate schedules: 100 steps of an SGD optimizer (lr 0.1, momentum 0.9)
def schedule(make, steps=100, metrics=None):
    p = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=0.1, momentum=0.9)
    scheduler = make(optimizer)
    lrs, momenta = [optimizer.param_groups[0]["lr"]], [optimizer.param_groups[0]["momentum"]]
    for i in range(steps):
        optimizer.step()
        if metrics is not None:
            scheduler.step(metrics[i])
        else:
            scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
        momenta.append(optimizer.param_groups[0]["momentum"])
    return {"lr": lrs, "momentum": momenta}


S = torch.optim.lr_scheduler
plateau_metrics = [1.0 / (1 + i) if i < 30 else 0.03 + 0.001 * math.sin(i) for i in range(100)]
schedules = {
    "step": schedule(lambda o: S.StepLR(o, step_size=7, gamma=0.5)),
    "multistep": schedule(lambda o: S.MultiStepLR(o, milestones=[10, 25, 60], gamma=0.3)),
    "exponential": schedule(lambda o: S.ExponentialLR(o, gamma=0.97)),
    "cosine": schedule(lambda o: S.CosineAnnealingLR(o, T_max=30, eta_min=0.001)),
    "cosine_restarts": schedule(lambda o: S.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2, eta_min=0.002)),
    "linear_warmup": schedule(lambda o: S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=20)),
    "polynomial": schedule(lambda o: S.PolynomialLR(o, total_iters=80, power=2.0)),
    "inverse_time": schedule(lambda o: S.LambdaLR(o, lambda t: 1.0 / (1.0 + 0.05 * t))),
    "one_cycle": schedule(lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=100)),
    "one_cycle_linear_three_phase": schedule(lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=100, pct_start=0.25,
                                                                    anneal_strategy="linear", three_phase=True)),
    "warmup_then_cosine": schedule(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.01, total_iters=10),
                                                                S.CosineAnnealingLR(o, T_max=90)], milestones=[10])),
    "plateau": schedule(lambda o: S.ReduceLROnPlateau(o, mode="min", factor=0.5, patience=5, threshold=1e-3, cooldown=2,
                                                      min_lr=0.001), metrics=plateau_metrics),
}

out = os.path.join(os.path.dirname(__file__), "..", "optim", "src", "test", "resources", "fixtures", "optim_pytorch.json")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    json.dump({"generator": "tools/optim_fixtures.py", "torch": torch.__version__, "steps": STEPS, "cases": cases,
               "mlp": {"x": MLP_X.reshape(-1).tolist(), "y": MLP_Y.reshape(-1).tolist()},
               "plateau_metrics": plateau_metrics, "schedules": schedules}, f)
print(len(cases), "trajectories and", len(schedules), "schedules written to", os.path.normpath(out))
