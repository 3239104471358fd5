#!/usr/bin/env python3
"""Peers of native-mlp on the bench's synthetic table (scripts/gen-table.mjs), timed per epoch.

Usage: python3 src/bench/table_peers.py torch|sklearn TRAIN_CSV --optimizer sgd|adam [--epochs 4] [--threads 2]
The job of `native-mlp train TRAIN_CSV --target y --hidden 256,128 --batch 32`: 50 standardised
float features, 256-128 ReLU hidden layers, softmax cross-entropy over the two classes, batch 32,
a fresh shuffle per epoch, SGD at lr 0.1 or Adam at lr 0.001 (PyTorch's betas and eps), no
weight decay, float32.
- torch: nn.Linear layers, autograd, torch.optim.SGD / Adam, `--threads` intra-op threads.
- sklearn: MLPClassifier(solver, batch_size=32, alpha=0, momentum=0 for sgd), one partial_fit
  call per epoch: each call is exactly one pass over the rows in shuffled minibatches with the
  update after every batch, which is what an epoch is here; fit(max_iter=N) would add its
  convergence bookkeeping to the time and may stop early. partial_fit's first call also sets up
  the layers (as native-mlp's first epoch includes its start). The same for both optimizers.
Prints one JSON object: "peer" (name and version), "epochs" (seconds of each). Exits 3 when the
peer is not importable. Not a test.
"""
import json
import sys
import time

import numpy as np


def load(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    raw = np.loadtxt(path, delimiter=",", skiprows=1, dtype=str)
    x = raw[:, :-1].astype(np.float32)
    y = (raw[:, -1] == "yes").astype(np.int64)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    assert len(header) == x.shape[1] + 1
    return x.astype(np.float32), y


def run_torch(x, y, optimizer, epochs, threads):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    model = torch.nn.Sequential(
        torch.nn.Linear(x.shape[1], 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.1) if optimizer == "sgd" else torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = torch.nn.CrossEntropyLoss()
    seconds = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        idx = torch.randperm(len(yt))
        for i in range(0, len(idx), 32):
            j = idx[i:i + 32]
            opt.zero_grad()
            loss_fn(model(xt[j]), yt[j]).backward()
            opt.step()
        seconds.append(time.perf_counter() - t0)
    return "torch " + torch.__version__, seconds


def run_sklearn(x, y, optimizer, epochs, threads):
    import sklearn
    from sklearn.neural_network import MLPClassifier
    kw = dict(solver="sgd", learning_rate_init=0.1, momentum=0.0, nesterovs_momentum=False) if optimizer == "sgd" \
        else dict(solver="adam", learning_rate_init=0.001)
    clf = MLPClassifier(hidden_layer_sizes=(256, 128), batch_size=32, alpha=0.0, shuffle=True, random_state=0, **kw)
    seconds = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        clf.partial_fit(x, y, classes=[0, 1])
        seconds.append(time.perf_counter() - t0)
    return "scikit-learn " + sklearn.__version__, seconds


def main():
    peer, path = sys.argv[1], sys.argv[2]
    arg = lambda name, d: sys.argv[sys.argv.index(name) + 1] if name in sys.argv else d  # noqa: E731
    try:
        __import__("torch" if peer == "torch" else "sklearn")
    except ImportError:
        sys.exit(3)
    x, y = load(path)
    run = run_torch if peer == "torch" else run_sklearn
    name, seconds = run(x, y, arg("--optimizer", "sgd"), int(arg("--epochs", 4)), int(arg("--threads", 2)))
    print(json.dumps({"peer": name, "epochs": seconds}))


if __name__ == "__main__":
    main()
