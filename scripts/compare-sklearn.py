#!/usr/bin/env python3
"""native-mlp vs scikit-learn's MLP on the committed tabular fixtures, same rows, same architecture and optimizer.

For each fixture this runs `native-mlp train --json` (the CLI in dist/, so `npm run build:ts` first) and
scikit-learn 1.2's MLPClassifier / MLPRegressor on exactly the rows native-mlp trains and tests on: the
script re-draws native-mlp's seeded split (numpy.random.default_rng(seed).permutation per class, classes in
native-mlp's sorted order), which NumPy reproduces bit for bit. Both sides: one hidden ReLU layer, plain SGD
(no momentum, no L2), the same batch, learning rate and epochs, features standardised on the training rows
(StandardScaler), regression targets standardised too (TransformedTargetRegressor). The initialisation
differs (native-mlp: N(0, 0.02) as the notebook; scikit-learn: Glorot uniform), so scikit-learn is run over
five random_states and reported as mean and range. Least squares is printed as a reference for regression.

Run: /usr/bin/python3 scripts/compare-sklearn.py [--backend js|native] (needs scikit-learn; tests do not)
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
import warnings

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
CLI = os.path.join(ROOT, 'dist', 'cli', 'main.js')
SETTINGS = dict(hidden=32, batch=32, lr=0.01, epochs=100, seed=0, test_fraction=0.2)
RUNS = [
    dict(name='Breast Cancer Wisconsin (UCI), classification', file='test/fixtures/breast-cancer.csv',
         target='diagnosis', task='classify'),
    dict(name='Diabetes (Efron et al. 2004), regression', file='test/fixtures/diabetes.csv',
         target='progression', task='regress'),
]


def read(path, target):
    with open(os.path.join(ROOT, path), newline='') as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    t = header.index(target)
    x = np.array([[float(v) for i, v in enumerate(r) if i != t] for r in body], dtype=np.float32)
    y = [r[t] for r in body]
    return x, y


def sort_class_names(names):
    """native-mlp's class order: numeric when every name is a number, else by code unit."""
    unique = sorted(set(names))
    try:
        return sorted(unique, key=float)
    except ValueError:
        return unique


def js_round(v):
    return math.floor(v + 0.5)


def held_out(y, fraction, seed, classes=None):
    """Rows native-mlp holds out as test (src/data/split.ts), redrawn with NumPy."""
    rng = np.random.default_rng(seed)
    held = np.zeros(len(y), dtype=bool)
    if classes is not None:
        for c in range(len(classes)):
            members = [i for i, v in enumerate(y) if v == c]
            if len(members) < 2:
                continue
            take = min(len(members) - 1, max(1, js_round(len(members) * fraction)))
            order = rng.permutation(len(members))
            for k in order[:take]:
                held[members[k]] = True
    else:
        take = js_round(len(y) * fraction)
        held[rng.permutation(len(y))[:take]] = True
    return held


def native_mlp(run, backend):
    s = SETTINGS
    cmd = ['node', CLI, 'train', '--json', '--data', os.path.join(ROOT, run['file']), '--target', run['target'],
           '--task', run['task'], '--hidden', str(s['hidden']), '--batch', str(s['batch']), '--lr', str(s['lr']),
           '--epochs', str(s['epochs']), '--seed', str(s['seed']), '--backend', backend]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    events = [json.loads(line) for line in out.splitlines()]
    start = next(e for e in events if e['event'] == 'start')
    return next(e for e in events if e['event'] == 'test'), start['testImages']


def sklearn_run(run, random_state):
    s = SETTINGS
    x, labels = read(run['file'], run['target'])
    common = dict(hidden_layer_sizes=(s['hidden'],), activation='relu', solver='sgd', batch_size=s['batch'],
                  learning_rate_init=s['lr'], momentum=0.0, nesterovs_momentum=False, alpha=0.0,
                  max_iter=s['epochs'], tol=0.0, n_iter_no_change=10 ** 9, shuffle=True, random_state=random_state)
    if run['task'] == 'classify':
        names = sort_class_names(labels)
        y = np.array([names.index(v) for v in labels])
        test = held_out(list(y), s['test_fraction'], s['seed'], names)
        model = make_pipeline(StandardScaler(), MLPClassifier(**common))
        model.fit(x[~test], y[~test])
        return float((model.predict(x[test]) == y[test]).mean()), int(test.sum())
    y = np.array([float(v) for v in labels])
    test = held_out(list(y), s['test_fraction'], s['seed'])
    model = TransformedTargetRegressor(make_pipeline(StandardScaler(), MLPRegressor(**common)), transformer=StandardScaler())
    model.fit(x[~test], y[~test])
    rmse = float(np.sqrt(np.mean((model.predict(x[test]) - y[test]) ** 2)))
    ls = LinearRegression().fit(x[~test], y[~test])
    ls_rmse = float(np.sqrt(np.mean((ls.predict(x[test]) - y[test]) ** 2)))
    return rmse, (ls_rmse, int(test.sum()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--backend', default='auto')
    args = ap.parse_args()
    warnings.filterwarnings('ignore', category=ConvergenceWarning)
    import sklearn
    s = SETTINGS
    print(f"settings: {s['hidden']} hidden ReLU units, SGD lr {s['lr']}, batch {s['batch']}, {s['epochs']} epochs, "
          f"seed {s['seed']}, {int(s['test_fraction'] * 100)} % held out as test; scikit-learn {sklearn.__version__}")
    print()
    print('| data | metric (test rows) | native-mlp | scikit-learn MLP (mean, range over random_state 0-4) | least squares |')
    print('|---|---|---|---|---|')
    for run in RUNS:
        ours, test_rows = native_mlp(run, args.backend)
        results = [sklearn_run(run, rs) for rs in range(5)]
        held = results[0][1] if run['task'] == 'classify' else results[0][1][1]
        if held != test_rows:
            sys.exit(f"split mismatch: native-mlp tests on {test_rows} rows, the redrawn split has {held}")
        values = [r[0] for r in results]
        if run['task'] == 'classify':
            fmt = lambda v: f'{v * 100:.2f} %'
            print(f"| {run['name']} | accuracy | {fmt(ours['testAccuracy'])} | {fmt(np.mean(values))} ({fmt(min(values))} - {fmt(max(values))}) | |")
        else:
            fmt = lambda v: f'{v:.2f}'
            print(f"| {run['name']} | RMSE | {fmt(ours['testRmse'])} | {fmt(np.mean(values))} ({fmt(min(values))} - {fmt(max(values))}) | {fmt(results[0][1][0])} |")


if __name__ == '__main__':
    main()
