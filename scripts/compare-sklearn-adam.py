#!/usr/bin/python3
"""native-mlp's Adam against scikit-learn's MLPClassifier(solver='adam') on a real tabular data set.

load_digits (1797 8x8 images of 17 grey levels, 10 classes), a stratified 75/25 split
(random_state=0). Both train one hidden ReLU layer of the same size with Adam at the same learning
rate, batch size and number of epochs, no L2 (sklearn alpha=0), and report test accuracy. The
features go to native-mlp as bytes round(x * 255 / 16) (it scales bytes by 1/255), to sklearn as
x / 16. What differs and cannot be matched: the initial weights (sklearn: Glorot uniform; native-mlp:
the notebook's normal(0, 0.02)) and the shuffling streams. Several seeds, mean and range.

Usage: /usr/bin/python3 scripts/compare-sklearn-adam.py [--hidden 64] [--epochs 60] [--batch 32] [--lr 0.001]
(run `npm run build` first; uses dist/).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

NODE_SCRIPT = r"""
import { readFileSync } from 'node:fs';
import { dataSetFromArrays, selectBackend, train, NOTEBOOK_CONFIG } from '%s';
const [dir, hidden, epochs, batch, lr, seeds] = process.argv.slice(1);
const read = (f) => new Uint8Array(readFileSync(`${dir}/${f}`));
const data = dataSetFromArrays({ trainImages: read('xtr'), trainLabels: read('ytr'), testImages: read('xte'), testLabels: read('yte'), features: 64 });
const be = selectBackend();
const out = [];
for (const seed of JSON.parse(seeds)) {
  const r = train(be, data, { ...NOTEBOOK_CONFIG, hidden: [Number(hidden)], epochs: Number(epochs), batch: Number(batch), lr: Number(lr), seed, optimizer: 'adam' });
  out.push(r.test.testAccuracy);
}
console.log(JSON.stringify({ backend: be.name, accuracies: out }));
"""


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--seeds", type=int, default=5)
    a = p.parse_args()
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    seeds = list(range(a.seeds))

    sk = []
    for seed in seeds:
        clf = MLPClassifier(hidden_layer_sizes=(a.hidden,), solver="adam", learning_rate_init=a.lr, batch_size=a.batch,
                            max_iter=a.epochs, alpha=0.0, tol=0.0, n_iter_no_change=a.epochs + 1, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(Xtr / 16.0, ytr)
        sk.append(float(clf.score(Xte / 16.0, yte)))

    with tempfile.TemporaryDirectory() as d:
        to_bytes = lambda x: np.rint(x * 255.0 / 16.0).astype(np.uint8)
        to_bytes(Xtr).tofile(f"{d}/xtr")
        to_bytes(Xte).tofile(f"{d}/xte")
        ytr.astype(np.uint8).tofile(f"{d}/ytr")
        yte.astype(np.uint8).tofile(f"{d}/yte")
        script = NODE_SCRIPT % os.path.join(ROOT, "dist", "index.js")
        r = subprocess.run(["node", "--input-type=module", "-e", script, d, str(a.hidden), str(a.epochs), str(a.batch),
                            str(a.lr), json.dumps(seeds)], capture_output=True, text=True, check=False)
        if r.returncode != 0:
            sys.exit(f"native-mlp failed: {r.stderr}")
        nm = json.loads(r.stdout)

    def show(name, acc):
        acc = np.array(acc)
        print(f"{name:34s} mean {acc.mean() * 100:6.2f} %  range {acc.min() * 100:.2f} - {acc.max() * 100:.2f} %  ({len(acc)} seeds)")

    print(f"load_digits: {len(ytr)} training, {len(yte)} test rows; 64-{a.hidden}-10 ReLU, Adam lr {a.lr}, "
          f"batch {a.batch}, {a.epochs} epochs, no L2")
    show("scikit-learn MLPClassifier(adam)", sk)
    show(f"native-mlp adam ({nm['backend']})", nm["accuracies"])


if __name__ == "__main__":
    main()
