#!/usr/bin/python3
"""native-mlp's table defaults against scikit-learn's MLPClassifier() defaults, on the same split.

For each table (test/fixtures/digits.csv, wine.csv, breast-cancer.csv) the rows are split once
with train_test_split(test_size=0.2, stratify=y, random_state=0) and written to a temporary
folder as train.csv and test.csv. Then:
  native-mlp: `node dist/cli/main.js train --data train.csv --test test.csv --target T --json`
              (plus --activation/--hidden when asked), the test event's accuracy; the wall time is
              the whole process (Node start-up, reading the CSV, training, the test pass).
  scikit-learn: MLPClassifier(**same-activation, random_state=0) fit on the raw training rows
              (its defaults do not scale), accuracy on the test rows; the wall time is fit + score
              inside this process (Python start-up and CSV reading are not counted).
Usage: scripts/compare-sklearn-defaults.py [--table digits] [--activation tanh] [--hidden 64,64]
Timings on a shared machine are indicative only."""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
TABLES = {'digits': 'digit', 'wine': 'cultivar', 'breast-cancer': 'diagnosis'}
SKLEARN_ACT = {'relu': 'relu', 'tanh': 'tanh', 'sigmoid': 'logistic', 'identity': 'identity'}


def read(name):
    with open(os.path.join(root, 'test', 'fixtures', name + '.csv')) as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def ours(table, target, tmp, activation, hidden):
    cmd = ['node', os.path.join(root, 'dist', 'cli', 'main.js'), 'train', '--data', os.path.join(tmp, 'train.csv'),
           '--test', os.path.join(tmp, 'test.csv'), '--target', target, '--json']
    if activation:
        cmd += ['--activation', activation]
    if hidden:
        cmd += ['--hidden', hidden]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        sys.exit('native-mlp failed on %s: %s' % (table, out.stderr.strip()))
    events = [json.loads(line) for line in out.stdout.splitlines() if line.startswith('{')]
    test = [e for e in events if e.get('event') == 'test'][0]
    epochs = len([e for e in events if e.get('event') == 'epoch'])
    return test['testAccuracy'], wall, epochs


def theirs(Xtr, ytr, Xte, yte, activation, hidden):
    kw = {'random_state': 0}
    if activation:
        kw['activation'] = SKLEARN_ACT[activation]
    if hidden:
        kw['hidden_layer_sizes'] = tuple(int(h) for h in hidden.split(','))
    clf = MLPClassifier(**kw)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ConvergenceWarning)
        clf.fit(Xtr, ytr)
    acc = clf.score(Xte, yte)
    return acc, time.perf_counter() - t0, clf.n_iter_


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--table', choices=list(TABLES), action='append')
    p.add_argument('--activation')
    p.add_argument('--hidden')
    a = p.parse_args()
    print('table          native-mlp acc  wall s  epochs | sklearn acc  fit s  iters | activation %s, hidden %s' % (
        a.activation or 'default', a.hidden or 'default'))
    for table in a.table or list(TABLES):
        target = TABLES[table]
        header, rows = read(table)
        ti = header.index(target)
        X = np.array([[float(v) for j, v in enumerate(r) if j != ti] for r in rows])
        y = np.array([r[ti] for r in rows])
        idx = np.arange(len(rows))
        tr, te = train_test_split(idx, test_size=0.2, stratify=y, random_state=0)
        with tempfile.TemporaryDirectory() as tmp:
            for name, part in (('train.csv', tr), ('test.csv', te)):
                with open(os.path.join(tmp, name), 'w', newline='') as f:
                    w = csv.writer(f)
                    w.writerow(header)
                    w.writerows(rows[i] for i in part)
            acc, wall, epochs = ours(table, target, tmp, a.activation, a.hidden)
        if a.activation in ('gelu', 'leaky_relu'):
            sk = (float('nan'), float('nan'), 0)
        else:
            sk = theirs(X[tr], y[tr], X[te], y[te], a.activation, a.hidden)
        print('%-14s %14.4f %7.2f %7d | %11.4f %6.2f %6d' % (table, acc, wall, epochs, sk[0], sk[1], sk[2]))


main()
