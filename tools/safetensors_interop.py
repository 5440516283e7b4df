#!/usr/bin/env python3
"""Safetensors interop between Descent and PyTorch, with a reader and writer written here from the
format description (8-byte little-endian header length, JSON header, raw little-endian data), so
the check does not depend on the safetensors package.

  /usr/bin/python3 tools/safetensors_interop.py torch-to-descent
      trains a small PyTorch MLP, saves it as nn/src/test/resources/fixtures/torch_mlp.safetensors
      and its evaluation output as torch_mlp.json (InteropTest loads both into Descent).
  /usr/bin/python3 tools/safetensors_interop.py descent-to-torch
      loads fixtures/descent_mlp.safetensors (written by InteropTest with -Ddescent.fixtures.write=true)
      into the same PyTorch architecture and writes its evaluation output as descent_mlp_torch_output.json.
  /usr/bin/python3 tools/safetensors_interop.py descent-cnn-to-torch
      loads examples/src/test/resources/fixtures/descent_cnn.safetensors (the CNN of `descent mnist --model cnn`,
      written by MnistCnnInteropTest with -Ddescent.fixtures.write=true, as a run's weights.safetensors) into the
      PyTorch CNN of tools/pytorch_cnn.py, evaluates it on the images that descent_cnn_input.json describes and
      writes the logits as descent_cnn_torch_output.json.

The MLP is Linear(6, 8) -> BatchNorm1d(8) -> ReLU -> Linear(8, 3); the evaluation input is
x[i][j] = sin(6 i + j) for a 5 x 6 batch, computed the same way in InteropTest."""
import json
import math
import os
import struct
import sys
import torch
import torch.nn as nn

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "nn", "src", "test", "resources", "fixtures")
CNN_FIXTURES = os.path.join(os.path.dirname(__file__), "..", "examples", "src", "test", "resources", "fixtures")
CODES = {torch.float32: "F32", torch.float64: "F64", torch.int32: "I32", torch.int64: "I64"}
TYPES = {code: dtype for dtype, code in CODES.items()}


def write_safetensors(state, path):
    header, blobs, offset = {}, [], 0
    for name, tensor in state.items():
        data = tensor.detach().contiguous().cpu().numpy().astype(tensor.detach().numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": CODES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + length].decode("utf-8"))
    data = raw[8 + length:]
    state = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = TYPES[info["dtype"]]
        values = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype) if end > begin else torch.zeros(0, dtype=dtype)
        state[name] = values.reshape(info["shape"]).clone()
    return state


def model():
    return nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


def evaluation_input():
    return torch.tensor([[math.sin(6 * i + j) for j in range(6)] for i in range(5)], dtype=torch.float64).float()


def torch_to_descent():
    torch.manual_seed(7)
    net = model()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    for _ in range(3):
        x = torch.randn(16, 6)
        loss = net(x).square().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    net.eval()
    write_safetensors(net.state_dict(), os.path.join(FIXTURES, "torch_mlp.safetensors"))
    with torch.no_grad():
        output = net(evaluation_input())
    with open(os.path.join(FIXTURES, "torch_mlp.json"), "w") as f:
        json.dump({"shape": list(output.shape), "data": output.reshape(-1).tolist()}, f)


def descent_to_torch():
    net = model()
    state = read_safetensors(os.path.join(FIXTURES, "descent_mlp.safetensors"))
    state = {k: (v.long() if k.endswith("num_batches_tracked") else v) for k, v in state.items()}
    net.load_state_dict(state, strict=True)
    net.eval()
    with torch.no_grad():
        output = net(evaluation_input())
    with open(os.path.join(FIXTURES, "descent_mlp_torch_output.json"), "w") as f:
        json.dump({"shape": list(output.shape), "data": output.reshape(-1).tolist()}, f)


def cnn_evaluation_input(description):
    """The images of MnistCnnInteropTest.images: p = 0.5 + 0.5 sin(0.9 n + 0.23 r + 0.31 c + 0.017 r c),
    x = (p - 0.1307) / 0.3081 in float64, rounded to float32, for n from the description's first evaluation image."""
    count, channels, rows, columns = description["shape"]
    first = description["first_evaluation_image"]
    values = [[[[(0.5 + 0.5 * math.sin(0.9 * (first + n) + 0.23 * r + 0.31 * c + 0.017 * r * c) - 0.1307) / 0.3081
                 for c in range(columns)] for r in range(rows)]] for n in range(count)]
    x = torch.tensor(values, dtype=torch.float64).float()
    for name, value in (("sum", x.double().sum().item()), ("sum_of_squares", x.double().square().sum().item())):
        if abs(value - description[name]) > 1e-6:
            raise SystemExit(f"descent-cnn-to-torch: the input's {name} is {value}, Descent's {description[name]}: "
                             "the formula here and in MnistCnnInteropTest differ")
    return x


def descent_cnn_to_torch():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.dont_write_bytecode = True  # no tools/__pycache__
    from pytorch_cnn import cnn
    net = cnn()
    state = read_safetensors(os.path.join(CNN_FIXTURES, "descent_cnn.safetensors"))
    state = {k: (v.long() if k.endswith("num_batches_tracked") else v) for k, v in state.items()}
    net.load_state_dict(state, strict=True)
    net.eval()
    with open(os.path.join(CNN_FIXTURES, "descent_cnn_input.json")) as f:
        description = json.load(f)
    with torch.no_grad():
        output = net(cnn_evaluation_input(description)).double()
    with open(os.path.join(CNN_FIXTURES, "descent_cnn_torch_output.json"), "w") as f:
        json.dump({"shape": list(output.shape), "data": output.reshape(-1).tolist()}, f)


if __name__ == "__main__":
    {"torch-to-descent": torch_to_descent, "descent-to-torch": descent_to_torch,
     "descent-cnn-to-torch": descent_cnn_to_torch}[sys.argv[1]]()
