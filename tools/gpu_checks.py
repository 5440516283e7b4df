#!/usr/bin/env python3
"""Judges the GPU acceptance points from the raw outputs that .gpu-kit/gpu-checks.sh saved, and
prints one line per point, each starting "CHECK NAME PASS|FAIL", after the GEMM table.

  python3 gpu_checks.py OUT_DIR

OUT_DIR holds, per step NAME: NAME.out and NAME.err (its stdout and stderr), NAME.step ("rc N",
"seconds S", "limit L" or "skipped REASON", one per line), and the JSON files the step wrote.
Writes OUT_DIR/summary.json. Exit status 0 when every required point passes (goals may fail), 1
otherwise. Only the standard library, so the verdicts can be recomputed anywhere from the files.
"""
import json
import os
import re
import statistics
import sys

EPOCHS = 5   # every descent and PyTorch MLP run in gpu-checks.sh trains this many (the CNN runs: 3)
ACCURACY_FLOOR = 0.980
EAGER_RATIO_LIMIT = {128: 0.5, 1024: 1.0}
CUDA_GRAPH_RATIO_GOAL = 1.0
CNN_EAGER_RATIO_LIMIT = 1.0   # the CNN's epoch against PyTorch eager with cuDNN on the same GPU
GEMM_RATIO_FLOOR = 0.7
MESSAGE_WIDTH = 160
GEMM_PRODUCTS = [
    "1024x1024x1024",
    "128x784x512 x@W.t",
    "128x512x784 g@W",
    "512x128x784 g.t@x",
    "128x512x256 x@W.t",
    "128x256x512 g@W",
    "256x128x512 g.t@x",
]
# the launcher's own notice, not a message from the command
JVM_WARNING_PREFIX = "WARNING:"
TIMEOUT_CODES = (124, 137)
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class Step:
    """One command's saved outputs, and why it gave nothing usable when it did not."""

    def __init__(self, out_dir, name):
        self.name = name
        self.out_dir = out_dir
        self.rc = None
        self.seconds = None
        self.limit = None
        self.skipped = None
        meta = self._read(name + ".step")
        self.ran = meta is not None
        for line in (meta or "").splitlines():
            key, _, value = line.partition(" ")
            if key == "rc":
                self.rc = int(value)
            elif key == "seconds":
                self.seconds = float(value)
            elif key == "limit":
                self.limit = float(value)
            elif key == "skipped":
                self.skipped = value
        # the JUnit console colours its tree even into a file
        self.stdout = ANSI_ESCAPE.sub("", self._read(name + ".out") or "")
        self.stderr = ANSI_ESCAPE.sub("", self._read(name + ".err") or "")

    def _read(self, file_name):
        path = os.path.join(self.out_dir, file_name)
        if not os.path.exists(path):
            return None
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def json_file(self, file_name):
        """The JSON a step wrote, or None when it is missing or unreadable (a step cut short)."""
        text = self._read(file_name)
        if text is None:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return None

    def stderr_lines(self):
        return [line for line in self.stderr.splitlines() if line.strip() and not line.startswith(JVM_WARNING_PREFIX)]

    def why_unusable(self):
        """A short reason naming how the step ended, for a FAIL line."""
        if not self.ran:
            return f"{self.name} did not run"
        if self.skipped:
            return f"{self.name} skipped: {self.skipped}"
        if self.rc in TIMEOUT_CODES:
            return f"{self.name} timed out after {self.limit:.0f} s" if self.limit else f"{self.name} timed out"
        errors = self.stderr_lines()
        last = errors[-1] if errors else (self.stdout.strip().splitlines() or ["no output"])[-1]
        return f"{self.name} exit {self.rc}: {shorten(last)}"


class Verdict:
    def __init__(self, name, passed, detail, goal=False, values=None):
        self.name = name
        self.passed = passed
        self.detail = detail
        self.goal = goal
        self.values = values or {}

    def line(self):
        return f"CHECK {self.name} {'PASS' if self.passed else 'FAIL'} {self.detail}"

    def as_json(self):
        return {"name": self.name, "status": "PASS" if self.passed else "FAIL", "goal": self.goal,
                "detail": self.detail, **self.values}


def shorten(text, width=MESSAGE_WIDTH):
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 3] + "..."


def fraction(value):
    return f"{value:.4f}"


# JUnit console summary rows, e.g. "[        42 tests successful      ]"
JUNIT_COUNT = re.compile(r"\[\s*(\d+)\s+tests\s+(found|skipped|started|aborted|successful|failed)\s*\]")
# tree marks for a test that did not pass, in the Unicode and the ASCII theme
JUNIT_PROBLEM = re.compile(r"^[\s│├└─╷╵|+'`-]*(.+?)\s+(✘|■|↷|\[X\]|\[A\]|\[S\])(.*)$")


def check_cuda_suite(out_dir):
    step = Step(out_dir, "cuda-suite")
    counts = {kind: int(n) for n, kind in JUNIT_COUNT.findall(step.stdout)}
    if "successful" not in counts:
        return Verdict("cuda-suite", False, f"no JUnit summary ({step.why_unusable()})")
    found = counts.get("found", 0)
    passed, failed = counts.get("successful", 0), counts.get("failed", 0)
    aborted, skipped = counts.get("aborted", 0), counts.get("skipped", 0)
    ok = passed > 0 and failed == 0 and aborted == 0 and skipped == 0
    detail = f"{found} tests, {passed} passed, {failed} failed, {aborted} aborted, {skipped} skipped"
    if not ok:
        problems = []
        for line in step.stdout.splitlines():
            match = JUNIT_PROBLEM.match(line)
            if match:
                problems.append(shorten(f"{match.group(1)} {match.group(2)}{match.group(3)}", 90))
        if problems:
            detail += "; " + " | ".join(problems[:3])
    return Verdict("cuda-suite", ok, detail, values=counts)


def descent_run(out_dir, batch):
    """(step, summary JSON or None) of the descent mnist run at this batch size."""
    step = Step(out_dir, f"mnist-b{batch}")
    return step, step.json_file(f"descent-b{batch}.json")


def later_epochs_median(epoch_seconds):
    """Epochs 2..N: the first one carries JIT warm-up and the device's first allocations."""
    later = epoch_seconds[1:] if len(epoch_seconds) > 1 else epoch_seconds
    return statistics.median(later)


def check_mnist_accuracy(out_dir):
    step, summary = descent_run(out_dir, 128)
    if not summary or not summary.get("testAccuracy"):
        return Verdict("mnist-accuracy", False, f"no accuracy ({step.why_unusable()})")
    accuracies = summary["testAccuracy"]
    final = accuracies[-1]
    ok = final >= ACCURACY_FLOOR and step.rc == 0
    detail = (f"final test accuracy {fraction(final)} after {len(accuracies)} epochs (need >= {ACCURACY_FLOOR:.3f}); "
              f"per epoch {', '.join(fraction(a) for a in accuracies)}")
    if step.rc != 0:
        detail += f"; {step.why_unusable()}"
    return Verdict("mnist-accuracy", ok, detail, values={"final_test_accuracy": final, "test_accuracy": accuracies})


def descent_median(out_dir, batch):
    """(median epoch seconds over epochs 2..N or None, reason when None)."""
    step, summary = descent_run(out_dir, batch)
    if not summary or not summary.get("epochSeconds"):
        return None, f"no descent epochs ({step.why_unusable()})"
    return later_epochs_median(summary["epochSeconds"]), None


def check_against_eager(out_dir, batch):
    name = f"epoch-vs-eager-b{batch}"
    limit = EAGER_RATIO_LIMIT[batch]
    ours, why = descent_median(out_dir, batch)
    if ours is None:
        return Verdict(name, False, why)
    step = Step(out_dir, f"torch-eager-b{batch}")
    peer = step.json_file(f"torch-eager-b{batch}.json")
    if not peer or not peer.get("median_epoch_seconds_2_to_n"):
        return Verdict(name, False, f"descent {ours:.3f} s; no PyTorch eager result ({step.why_unusable()})",
                       values={"descent_median_s": ours})
    theirs = peer["median_epoch_seconds_2_to_n"]
    ratio = ours / theirs
    detail = (f"ratio {ratio:.2f} (need <= {limit}): descent {ours:.3f} s vs PyTorch eager {theirs:.3f} s, "
              f"median epoch 2-5, batch {batch}")
    return Verdict(name, ratio <= limit, detail, values={"descent_median_s": ours, "peer_median_s": theirs, "ratio": ratio})


def check_cnn_against_eager(out_dir):
    """descent mnist --model cnn against tools/pytorch_cnn.py --device cuda (PyTorch eager, cuDNN at its defaults), the
    median of epochs 2..N of each. Required, as the MLP's eager comparisons are. When either run gave no epochs (it
    did not run, was skipped for the budget, timed out or failed) the line says "unmeasured" and why, and fails."""
    name = "cnn-epoch-vs-eager"
    ours_step = Step(out_dir, "cnn-descent")
    theirs_step = Step(out_dir, "cnn-torch-eager")
    ours = ours_step.json_file("descent-cnn.json")
    theirs = theirs_step.json_file("torch-cnn.json")
    missing = []
    if not ours or not ours.get("epochSeconds"):
        missing.append(f"no descent CNN epochs ({ours_step.why_unusable()})")
    if not theirs or not theirs.get("epoch_train_seconds"):
        missing.append(f"no PyTorch eager CNN epochs ({theirs_step.why_unusable()})")
    if missing:
        return Verdict(name, False, f"unmeasured: {'; '.join(missing)}", values={"measured": False})
    ours_median = later_epochs_median(ours["epochSeconds"])
    theirs_median = later_epochs_median(theirs["epoch_train_seconds"])
    ratio = ours_median / theirs_median
    epochs = min(len(ours["epochSeconds"]), len(theirs["epoch_train_seconds"]))
    accuracy = ""
    if ours.get("testAccuracy") and theirs.get("test_accuracy"):
        accuracy = (f"; final test accuracy descent {fraction(ours['testAccuracy'][-1])}, "
                    f"PyTorch {fraction(theirs['test_accuracy'][-1])}")
    gpu = theirs.get("device_name", "GPU not named")
    cudnn = f"cuDNN {theirs['cudnn_version']}" if theirs.get("cudnn_version") else "cuDNN version not given"
    detail = (f"ratio {ratio:.2f} (need <= {CNN_EAGER_RATIO_LIMIT}): descent {ours_median:.3f} s vs PyTorch eager "
              f"{theirs_median:.3f} s ({cudnn}, benchmark {theirs.get('cudnn_benchmark', '?')}), median epoch "
              f"2-{epochs}, batch {theirs.get('batch_size', '?')}, on {gpu}{accuracy}")
    return Verdict(name, ratio <= CNN_EAGER_RATIO_LIMIT, detail,
                   values={"measured": True, "descent_median_s": ours_median, "peer_median_s": theirs_median,
                           "ratio": ratio, "device_name": theirs.get("device_name")})


def last_json_line(text):
    """The cudagraph peer prints its result as the last JSON line of stdout, after its epoch lines."""
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


def check_against_cuda_graph(out_dir, batch):
    name = f"epoch-vs-cudagraph-b{batch}"
    ours, why = descent_median(out_dir, batch)
    if ours is None:
        return Verdict(name, False, f"goal; {why}", goal=True)
    step = Step(out_dir, f"torch-graph-b{batch}")
    peer = last_json_line(step.stdout)
    if not peer or not peer.get("median_2_to_n") or step.rc != 0:
        return Verdict(name, False, f"goal; descent {ours:.3f} s; no PyTorch CUDA-graph result ({step.why_unusable()})",
                       goal=True, values={"descent_median_s": ours})
    theirs = peer["median_2_to_n"]
    ratio = ours / theirs
    mode = peer.get("mode", "graph")
    peer_label = "PyTorch CUDA graph" if mode == "graph" else f"PyTorch ({mode} mode, not a graph)"
    detail = (f"ratio {ratio:.2f} (goal <= {CUDA_GRAPH_RATIO_GOAL}): descent {ours:.3f} s vs {peer_label} "
              f"{theirs:.3f} s, median epoch 2-5, batch {batch}")
    return Verdict(name, ratio <= CUDA_GRAPH_RATIO_GOAL, detail, goal=True,
                   values={"descent_median_s": ours, "peer_median_s": theirs, "ratio": ratio})


def doctor_gemm_choice(doctor_stdout):
    """What doctor says about its GEMM: the text after "GEMM: " on its "CUDA: " line."""
    for line in doctor_stdout.splitlines():
        if line.startswith("CUDA: ") and "GEMM: " in line:
            return line.split("GEMM: ", 1)[1].strip()
    return None


def check_gemm(out_dir, details):
    name = "gemm-vs-cublas"
    doctor = Step(out_dir, "doctor")
    reference = Step(out_dir, "cublas")
    choice = doctor_gemm_choice(doctor.stdout)
    choice_text = f"GEMM: {shorten(choice, 120)}" if choice else "doctor named no GEMM"
    rates = doctor.json_file("doctor.json") or {}
    device = next((key for key in rates if key.startswith("cuda")), None)
    if device is None:
        return Verdict(name, False, f"no CUDA rates from doctor ({doctor.why_unusable()}); {choice_text}")
    cublas = reference.json_file("cublas.json")
    if not cublas:
        return Verdict(name, False, f"no cuBLAS reference ({reference.why_unusable()}); {choice_text}")
    ratios, missing = {}, []
    details.append(f"GEMM float32 GFLOP/s on {device}: {'product':20s} {'descent':>9s} {'cuBLAS':>9s} {'ratio':>6s}")
    for product in GEMM_PRODUCTS:
        ours, theirs = rates[device].get(product), cublas.get(product)
        if ours is None or not theirs:
            missing.append(product)
            continue
        ratios[product] = ours / theirs
        details.append(f"  {product:20s} {ours:9.1f} {theirs:9.1f} {ratios[product]:6.2f}")
    if missing:
        return Verdict(name, False, f"no rate for {', '.join(missing)}; {choice_text}", values={"ratios": ratios})
    worst = min(ratios, key=ratios.get)
    ok = all(ratio >= GEMM_RATIO_FLOOR for ratio in ratios.values())
    listed = ", ".join(f"{product} {ratio:.2f}" for product, ratio in ratios.items())
    detail = (f"min own/cuBLAS {ratios[worst]:.2f} at {worst} (need >= {GEMM_RATIO_FLOOR} each): {listed}; {choice_text}")
    return Verdict(name, ok, detail, values={"ratios": ratios, "gemm": choice})


# "  device memory: allocated 37.6 MiB, reserved 67.0 MiB, peak 59.6 MiB (42 blocks in use, 182 cached)"
MEMORY_LINE = re.compile(r"device memory: allocated ([0-9.,]+ [KMGT]?i?B), reserved ([0-9.,]+ [KMGT]?i?B), "
                         r"peak ([0-9.,]+ [KMGT]?i?B) \((\d+) blocks in use, (\d+) cached\)")


def check_memory(out_dir):
    name = "memory-flat"
    step = Step(out_dir, "mnist-b128")
    epochs = MEMORY_LINE.findall(step.stdout)
    activity = next((line.strip() for line in step.stdout.splitlines() if line.strip().startswith("device activity")), None)
    activity_text = f"; {shorten(activity, 200)}" if activity else "; no device activity line"
    if len(epochs) < EPOCHS:
        return Verdict(name, False, f"{len(epochs)} of {EPOCHS} device memory lines in the b128 run "
                                    f"({step.why_unusable()}){activity_text}")
    first, last = epochs[0], epochs[-1]
    # allocated is compared as printed (0.1 MiB steps); the block count catches a leak too small to show there
    ok = first[0] == last[0] and first[3] == last[3]
    detail = (f"epoch 1: allocated {first[0]}, {first[3]} blocks in use; epoch {len(epochs)}: allocated {last[0]}, "
              f"{last[3]} blocks in use (reserved {first[1]} -> {last[1]}){activity_text}")
    return Verdict(name, ok, detail, values={"epoch_1": list(first), "epoch_last": list(last), "activity": activity})


# (step, flag shown, what the one line must be about): a one-line error about something else, such
# as MNIST missing, is not the refusal asked for
BAD_INPUTS = [
    ("bad-cuda7", "--device cuda:7", re.compile(r"--device cuda:7")),
    ("bad-tpu", "--device tpu", re.compile(r"--device tpu")),
    ("bad-batch", "--batch 100000000", re.compile(r"memory|batch", re.IGNORECASE)),
]


def check_bad_input(out_dir):
    parts, ok = [], True
    for step_name, label, subject in BAD_INPUTS:
        step = Step(out_dir, step_name)
        if not step.ran or step.skipped or step.rc in TIMEOUT_CODES:
            ok = False
            parts.append(f"{label}: {step.why_unusable()}")
            continue
        lines = step.stderr_lines()
        problems = []
        if step.rc != 2:
            problems.append("exit not 2")
        if len(lines) != 1:
            problems.append("not one line")
        elif not subject.search(lines[0]):
            problems.append(f"not about /{subject.pattern}/")
        ok = ok and not problems
        message = shorten(lines[0]) if lines else "(nothing on stderr)"
        verdict = f" [{', '.join(problems)}]" if problems else ""
        parts.append(f"{label}: exit {step.rc}, {len(lines)} stderr line(s){verdict}: {message}")
    return Verdict("bad-input", ok, " | ".join(parts))


def environment(out_dir):
    path = os.path.join(out_dir, "environment.txt")
    if not os.path.exists(path):
        return {}
    found = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            key, _, value = line.partition(":")
            if value:
                found[key.strip()] = value.strip()
    return found


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        print("usage: gpu_checks.py OUT_DIR (the folder gpu-checks.sh wrote)", file=sys.stderr)
        return 2
    out_dir = argv[1]
    env = environment(out_dir)
    details = []
    verdicts = [
        check_cuda_suite(out_dir),
        check_mnist_accuracy(out_dir),
        check_against_eager(out_dir, 128),
        check_against_eager(out_dir, 1024),
        check_cnn_against_eager(out_dir),
        check_against_cuda_graph(out_dir, 128),
        check_against_cuda_graph(out_dir, 1024),
        check_gemm(out_dir, details),
        check_memory(out_dir),
        check_bad_input(out_dir),
    ]
    required_failures = [v.name for v in verdicts if not v.passed and not v.goal]
    for line in details:
        print(line)
    for verdict in verdicts:
        print(verdict.line())
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump({"environment": env, "checks": [v.as_json() for v in verdicts],
                   "required_failures": required_failures,
                   "goals_missed": [v.name for v in verdicts if not v.passed and v.goal]}, f, indent=2)
        f.write("\n")
    return 1 if required_failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
