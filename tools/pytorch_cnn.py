#!/usr/bin/env python3
"""PyTorch peer of `descent mnist --model cnn --schedule constant`: the same network, recipe and data handling,
timed the same way, for the speed and accuracy comparisons.

The network (examples/.../MnistCnn.java; PyTorch's default initialization, the same state-dict names):

  Conv2d(1, 32, 3, padding 1, no bias)  BatchNorm2d(32)  ReLU  MaxPool2d(2)     [N, 32, 14, 14]
  Conv2d(32, 64, 3, padding 1, no bias) BatchNorm2d(64)  ReLU  MaxPool2d(2)     [N, 64, 7, 7]
  Flatten  Linear(3136, 128, no bias)   BatchNorm1d(128) ReLU  Dropout(0.3)     [N, 128]
  Linear(128, 10)                                                               [N, 10]

The recipe: Adam lr 1e-3 held constant, batch 128, cross-entropy; the training images in memory as one float32 tensor
[N, 1, 28, 28] of (x/255 - mean)/std (MNIST 0.1307/0.3081, Fashion-MNIST 0.2860/0.3530), reshuffled every epoch by a
seeded generator, the last partial batch kept. An epoch's time covers the training loop only, not the evaluation.

Threads: on the 2-core machines the fastest PyTorch setting is 1 intra-op thread plus 2 OpenBLAS threads with
OMP_WAIT_POLICY=passive, which are the defaults here (an OMP_WAIT_POLICY already in the environment is kept).
--blas-threads sets OMP_NUM_THREADS, MKL_NUM_THREADS and OPENBLAS_NUM_THREADS before torch is imported (0 leaves
them alone); torch.set_num_threads(--threads) sets the intra-op pool afterwards. PyTorch's own default on 2 cores:
--threads 2 --blas-threads 0 with OMP_WAIT_POLICY=active in the environment.

  /usr/bin/python3 tools/pytorch_cnn.py [--dataset mnist|fashion-mnist] [--data DIR] [--epochs 5] [--threads 1]
      [--blas-threads 2] [--device cpu|cuda] [--seed 0] [--limit N] [--test-limit N] [--json OUT]

--device cuda is the peer of `descent mnist --model cnn --device cuda`: the model and the whole data set (training and
test images and labels) live on the GPU, the batches are gathered there, and an epoch's clock is read after
torch.cuda.synchronize(), so it covers the GPU's work and not only its queueing. PyTorch eager with its own cuDNN
defaults: torch.backends.cudnn.benchmark stays off (the algorithm is chosen by cuDNN's heuristics, without timing trial
runs at each new shape, such as the last partial batch) and cudnn.allow_tf32 stays as PyTorch sets it; the JSON records
both, the GPU's name and the cuDNN version. The epoch order comes from the same CPU generator as on the CPU. The thread
flags still apply (to the host side only).

Data: the four IDX files (plain or .gz) in DIR, by default $DESCENT_DATA/<dataset> or ~/.cache/descent/<dataset>,
where `descent mnist` caches them (Fashion-MNIST also from /usr/share/datasets/fashion-mnist). Prints one line per epoch and the peak RSS (ru_maxrss), and writes them to OUT.
"""
import argparse
import os
import sys

DEFAULT_THREADS = 1
DEFAULT_BLAS_THREADS = 2
NORMALIZATION = {"mnist": (0.1307, 0.3081), "fashion-mnist": (0.2860, 0.3530)}


def arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=sorted(NORMALIZATION), default="mnist")
    parser.add_argument("--data", default=None, help="directory of the IDX files (default: the Descent cache)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="torch.set_num_threads (intra-op)")
    parser.add_argument("--blas-threads", type=int, default=DEFAULT_BLAS_THREADS,
                        help="OMP/MKL/OPENBLAS_NUM_THREADS, set before torch is imported (0: leave the environment)")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu",
                        help="cuda: the model and the data on the GPU, epochs timed after torch.cuda.synchronize()")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N training images")
    parser.add_argument("--test-limit", type=int, default=None, help="evaluate on the first N test images")
    parser.add_argument("--json", default=None, help="write the results here")
    return parser.parse_args(argv)


if __name__ == "__main__":
    # The thread counts of OpenMP and of the BLAS libraries are read when they are loaded: set them before torch.
    _early = arguments()
    if _early.blas_threads:
        for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            os.environ[_name] = str(_early.blas_threads)
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")

import ctypes  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import struct  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def cnn():
    """The network of MnistCnn.create, in PyTorch's default initialization; state-dict names 0.0.weight ... 7.bias."""
    def block(inputs, outputs):
        return nn.Sequential(nn.Conv2d(inputs, outputs, 3, padding=1, bias=False), nn.BatchNorm2d(outputs), nn.ReLU(),
                             nn.MaxPool2d(2))
    return nn.Sequential(block(1, 32), block(32, 64), nn.Flatten(), nn.Linear(64 * 7 * 7, 128, bias=False),
                         nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))


def idx_bytes(directory, name):
    plain = os.path.join(directory, name)
    if os.path.exists(plain):
        with open(plain, "rb") as f:
            return f.read()
    packed = plain + ".gz"
    if os.path.exists(packed):
        with gzip.open(packed, "rb") as f:
            return f.read()
    raise SystemExit(f"pytorch_cnn: {plain} (or .gz) not found: run `descent mnist` once to fetch the data, or pass --data")


def images(directory, prefix, mean, std, limit):
    data = idx_bytes(directory, f"{prefix}-images-idx3-ubyte")
    magic, count, rows, columns = struct.unpack(">IIII", data[:16])
    if magic != 2051:
        raise SystemExit(f"pytorch_cnn: {prefix} images: magic {magic}, expected 2051")
    count = min(count, limit) if limit else count
    pixels = torch.frombuffer(bytearray(data[16:16 + count * rows * columns]), dtype=torch.uint8)
    return ((pixels.float() / 255.0 - mean) / std).reshape(count, 1, rows, columns).contiguous()


def labels(directory, prefix, limit):
    data = idx_bytes(directory, f"{prefix}-labels-idx1-ubyte")
    magic, count = struct.unpack(">II", data[:8])
    if magic != 2049:
        raise SystemExit(f"pytorch_cnn: {prefix} labels: magic {magic}, expected 2049")
    count = min(count, limit) if limit else count
    return torch.frombuffer(bytearray(data[8:8 + count]), dtype=torch.uint8).long()


def blas_in_use():
    """The BLAS libraries torch loaded and, for OpenBLAS, its core type and thread count (read, not changed)."""
    with open("/proc/self/maps") as f:
        libraries = sorted({line.split()[-1] for line in f if "/" in line and "blas" in os.path.basename(line.split()[-1])})
    found = {"blas_libraries": libraries, "blas": "unknown"}
    for library in libraries:
        handle = ctypes.CDLL(library)
        if hasattr(handle, "openblas_get_num_threads"):
            handle.openblas_get_corename.restype = ctypes.c_char_p
            found.update(blas="openblas", blas_core=handle.openblas_get_corename().decode(),
                         blas_threads=handle.openblas_get_num_threads())
            break
    if found["blas"] != "openblas":
        print("pytorch_cnn: WARNING: torch is not running OpenBLAS (the reference BLAS is many times slower, so the "
              "Linear layers would not be a fair peer): apt-get install libopenblas0-pthread", file=sys.stderr)
    return found


def test_accuracy(model, x, y):
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, x.shape[0], 1000):
            correct += (model(x[start:start + 1000]).argmax(1) == y[start:start + 1000]).sum().item()
    return correct / x.shape[0]


def main():
    a = arguments()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    directory = a.data or os.path.join(os.environ.get("DESCENT_DATA") or os.path.expanduser("~/.cache/descent"), a.dataset)
    debian = "/usr/share/datasets/fashion-mnist"  # Debian's dataset-fashion-mnist package, which Descent also reads
    if not a.data and a.dataset == "fashion-mnist" and not os.path.isdir(directory) and os.path.isdir(debian):
        directory = debian
    mean, std = NORMALIZATION[a.dataset]
    on_gpu = a.device == "cuda"
    if on_gpu and not torch.cuda.is_available():
        raise SystemExit("pytorch_cnn: --device cuda, but torch.cuda.is_available() is false (no GPU, or a CPU-only torch)")
    device = torch.device(a.device)
    # on the CPU a no-op; on the GPU the clock is read only once the queued kernels have finished
    synchronize = torch.cuda.synchronize if on_gpu else (lambda: None)
    x_train, y_train = images(directory, "train", mean, std, a.limit), labels(directory, "train", a.limit)
    x_test, y_test = images(directory, "t10k", mean, std, a.test_limit), labels(directory, "t10k", a.test_limit)
    if on_gpu:
        x_train, y_train, x_test, y_test = (t.to(device) for t in (x_train, y_train, x_test, y_test))
    n = x_train.shape[0]

    model = cnn().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=a.lr)
    order = torch.Generator().manual_seed(a.seed)
    environment = {k: v for k, v in os.environ.items() if k.startswith(("OMP_", "GOMP_", "OPENBLAS_", "MKL_"))}
    if on_gpu:
        # the BLAS on the host does no work here, so it is neither checked nor reported
        gpu = {"device": "cuda", "device_name": torch.cuda.get_device_name(device),
               "cuda_version": torch.version.cuda, "cudnn_version": torch.backends.cudnn.version(),
               "cudnn_benchmark": torch.backends.cudnn.benchmark, "cudnn_allow_tf32": torch.backends.cudnn.allow_tf32,
               "matmul_allow_tf32": torch.backends.cuda.matmul.allow_tf32}
        print(f"pytorch_cnn: torch {torch.__version__}, {a.dataset}, train {n}, test {x_test.shape[0]}, "
              f"{sum(p.numel() for p in model.parameters()):,} parameters, Adam lr {a.lr} constant, batch {a.batch_size}, "
              f"device cuda ({gpu['device_name']}), CUDA {gpu['cuda_version']}, cuDNN {gpu['cudnn_version']} "
              f"benchmark {gpu['cudnn_benchmark']} allow_tf32 {gpu['cudnn_allow_tf32']}, "
              f"matmul allow_tf32 {gpu['matmul_allow_tf32']}", flush=True)
    else:
        blas = blas_in_use()
        print(f"pytorch_cnn: torch {torch.__version__}, {a.dataset}, train {n}, test {x_test.shape[0]}, "
              f"{sum(p.numel() for p in model.parameters()):,} parameters, Adam lr {a.lr} constant, batch {a.batch_size}, "
              f"intra-op threads {torch.get_num_threads()}, BLAS {blas['blas']} {blas.get('blas_core', '')} "
              f"threads {blas.get('blas_threads', '?')}, {' '.join(f'{k}={v}' for k, v in sorted(environment.items()))}",
              flush=True)

    seconds, losses, accuracies = [], [], []
    for epoch in range(1, a.epochs + 1):
        model.train()
        permutation = torch.randperm(n, generator=order)
        if on_gpu:
            permutation = permutation.to(device)
        loss_sum = torch.zeros((), device=device)
        synchronize()
        start = time.perf_counter()
        for first in range(0, n, a.batch_size):
            batch = permutation[first:first + a.batch_size]
            loss = F.cross_entropy(model(x_train[batch]), y_train[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach() * batch.numel()
        synchronize()
        seconds.append(time.perf_counter() - start)
        losses.append(loss_sum.item() / n)
        accuracies.append(test_accuracy(model, x_test, y_test))
        print(f"epoch {epoch}  loss {losses[-1]:.4f}  test_acc {accuracies[-1]:.4f}  train_s {seconds[-1]:.2f}", flush=True)

    peak_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    median = statistics.median(seconds[1:] if len(seconds) > 1 else seconds)
    print(f"median epoch s (2..N) {median:.2f}  peak RSS {peak_rss_kib} KiB ({peak_rss_kib / 1024:.0f} MiB)", flush=True)
    if on_gpu:
        gpu["peak_device_allocated_mib"] = torch.cuda.max_memory_allocated(device) / 2 ** 20
        print(f"peak device memory allocated {gpu['peak_device_allocated_mib']:.0f} MiB on {gpu['device_name']}",
              flush=True)
    if a.json:
        summary = {
            "framework": "pytorch", "torch_version": torch.__version__, "model": "CNN", "dataset": a.dataset,
            "train_images": n, "test_images": x_test.shape[0], "threads": torch.get_num_threads(),
            "blas_threads_flag": a.blas_threads, **(gpu if on_gpu else blas), "env": environment, "optimizer": "adam",
            "lr": a.lr, "schedule": "constant", "batch_size": a.batch_size, "epochs": a.epochs, "seed": a.seed,
            "epoch_train_seconds": seconds, "train_loss": losses, "test_accuracy": accuracies,
            "median_epoch_seconds_2_to_n": median, "peak_rss_kib": peak_rss_kib, "peak_rss_mib": peak_rss_kib / 1024.0,
        }
        os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
        with open(a.json, "w") as f:
            json.dump(summary, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
