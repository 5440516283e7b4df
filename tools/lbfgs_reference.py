#!/usr/bin/env python3
"""Generates optim/src/test/resources/fixtures/lbfgs_torch.json: how many iterations and function
evaluations torch.optim.LBFGS(line_search_fn="strong_wolfe") needs, in float64, to bring the
gradient of the Rosenbrock function below 1e-8 in Euclidean norm:
  (a) 2-D Rosenbrock f = (1 - x)^2 + 100 (y - x^2)^2 from (-1.5, 2);
  (b) the 100-D extended Rosenbrock f = sum_i (1 - x_{2i})^2 + 100 (x_{2i+1} - x_{2i}^2)^2 from the
      standard start (-1.2, 1, -1.2, 1, ...).
One step() call with max_iter=1000, max_eval=2000, tolerance_grad=1e-11 (a max-norm bound tight
enough that the 2-norm is below 1e-8 for n = 100), tolerance_change=0 (never stop on a small
change), history_size=100.

Run with Debian's python3-torch (1.13):  /usr/bin/python3 tools/lbfgs_reference.py"""
import json
import os
import torch

torch.set_default_dtype(torch.float64)


def rosenbrock(x):
    odd, even = x[0::2], x[1::2]
    return ((1 - odd) ** 2 + 100 * (even - odd ** 2) ** 2).sum()


def run(start):
    x = torch.tensor(start, requires_grad=True)
    opt = torch.optim.LBFGS([x], lr=1, max_iter=1000, max_eval=2000, tolerance_grad=1e-11, tolerance_change=0,
                            history_size=100, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        f = rosenbrock(x)
        f.backward()
        return f

    opt.step(closure)
    state = opt.state[opt._params[0]]
    f = rosenbrock(x)
    g, = torch.autograd.grad(f, x)
    return {"start": start, "iterations": state["n_iter"], "evaluations": state["func_evals"],
            "finalLoss": f.item(), "finalGradientNorm": g.norm().item(), "solution": x.detach().tolist()}


cases = {"rosenbrock2d": run([-1.5, 2.0]), "extendedRosenbrock100": run([-1.2, 1.0] * 50)}
cases["torch"] = torch.__version__
out = os.path.join(os.path.dirname(__file__), "..", "optim", "src", "test", "resources", "fixtures", "lbfgs_torch.json")
with open(out, "w") as f:
    json.dump(cases, f, indent=1)
for name in ("rosenbrock2d", "extendedRosenbrock100"):
    c = cases[name]
    print(name, "iterations", c["iterations"], "evaluations", c["evaluations"], "|g|", c["finalGradientNorm"], "f", c["finalLoss"])
