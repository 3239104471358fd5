#!/usr/bin/env python3
"""The notebook's job in PyTorch's eager mode, timed, for `native-mlp bench` to compare against.

Usage: python3 src/bench/torch_loop.py DATA_DIR [--epochs N] [--dense] [--threads 2]
784-128-10 ReLU, softmax cross-entropy, batch 128, plain SGD at lr 0.1, a fresh permutation per
epoch (the notebook's schedule; the weights are drawn by NumPy's default_rng(0) as the notebook
draws them), written the way a PyTorch user writes it: nn.Linear layers, autograd and
torch.optim.SGD, on the CPU with `--threads` intra-op threads (default 2). Prints one JSON object:
the seconds of every epoch ("epochs"), epoch 1 ("firstEpochSeconds"), the median of the later
ones ("epochSeconds"), the accuracy on the first 10,000 training images ("trainAccuracy").
Exits 3 when torch is not importable (the bench then leaves the column out). Not a test.
"""
import json
import os
import sys
import time

try:
    import torch
except ImportError:
    sys.exit(3)
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_loop import read_idx  # noqa: E402


def main():
    data = sys.argv[1]
    arg = lambda name, d: sys.argv[sys.argv.index(name) + 1] if name in sys.argv else d  # noqa: E731
    epochs = int(arg("--epochs", 1))
    torch.set_num_threads(int(arg("--threads", 2)))
    pixels = read_idx(os.path.join(data, "train-images-idx3-ubyte")).reshape(-1, 784)
    if "--dense" in sys.argv:
        pixels = np.where(pixels == 0, np.uint8(1), pixels)
    x = torch.from_numpy(pixels.astype("float32") / 255.0)
    y = torch.from_numpy(read_idx(os.path.join(data, "train-labels-idx1-ubyte")).astype("int64"))

    rng = np.random.default_rng(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(rng.normal(0, 0.02, size=(784, 128)).astype(np.float32).T))
        model[0].bias.zero_()
        model[2].weight.copy_(torch.from_numpy(rng.normal(0, 0.02, size=(128, 10)).astype(np.float32).T))
        model[2].bias.zero_()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = torch.nn.CrossEntropyLoss()

    seconds = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        idx = torch.from_numpy(rng.permutation(x.shape[0]))
        for i in range(0, len(idx), 128):
            j = idx[i:i + 128]
            opt.zero_grad()
            loss = loss_fn(model(x[j]), y[j])
            loss.backward()
            opt.step()
        seconds.append(time.perf_counter() - t0)
    with torch.no_grad():
        accuracy = float((model(x[:10000]).argmax(1) == y[:10000]).float().mean())
    print(json.dumps({
        "torch": torch.__version__, "threads": torch.get_num_threads(), "epochs": seconds,
        "firstEpochSeconds": seconds[0],
        "epochSeconds": float(np.median(seconds[1:])) if len(seconds) > 1 else seconds[0],
        "trainAccuracy": accuracy,
    }))


if __name__ == "__main__":
    main()
