#!/usr/bin/python3
"""Writes scikit-learn's digits and wine tables as CSV fixtures (test/fixtures/digits.csv,
wine.csv): the tables the table defaults are measured on (scripts/compare-sklearn-defaults.py).
Data: sklearn.datasets.load_digits and load_wine (scikit-learn, BSD 3-clause licence; digits
from the UCI optical recognition of handwritten digits set, wine from the UCI wine set).
Features keep scikit-learn's column names (digits: pixel_0_0 .. pixel_7_7); the target is the
last column, `digit` (0-9) or `cultivar` (class_0 .. class_2, by name)."""
import csv
import os

from sklearn.datasets import load_digits, load_wine

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures')


def write(path, names, X, y, target):
    with open(path, 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(list(names) + [target])
        for row, label in zip(X, y):
            w.writerow([repr(float(v)) if float(v) != int(v) else str(int(v)) for v in row] + [label])


d = load_digits()
write(os.path.join(here, 'digits.csv'), d.feature_names, d.data, [int(t) for t in d.target], 'digit')
w = load_wine()
write(os.path.join(here, 'wine.csv'), w.feature_names, w.data, [w.target_names[t] for t in w.target], 'cultivar')
print('wrote digits.csv (%d rows), wine.csv (%d rows) in %s' % (len(d.target), len(w.target), os.path.normpath(here)))
