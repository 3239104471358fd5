#!/usr/bin/env python3
"""Writes the tabular fixtures of the own-data tests and benchmarks (scikit-learn's bundled copies, read offline).

test/fixtures/breast-cancer.csv  Breast Cancer Wisconsin (Diagnostic), UCI Machine Learning Repository,
    https://archive.ics.uci.edu/dataset/17 (Wolberg, Street, Mangasarian, 1995): 569 rows, 30 float
    features, target column "diagnosis" with the class names "malignant" / "benign".
test/fixtures/diabetes.csv  Diabetes (Efron, Hastie, Johnstone, Tibshirani, "Least Angle Regression",
    Annals of Statistics 2004; not from UCI), unscaled: 442 rows, 10 features, target column
    "progression" (a disease progression score one year after baseline).

Run: /usr/bin/python3 scripts/gen-own-data-fixtures.py   (needs scikit-learn; the tests do not)
"""
import csv
import os

from sklearn import datasets

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures')


def write(name, header, rows):
    path = os.path.join(OUT, name)
    with open(path, 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(header)
        w.writerows(rows)
    print(f'wrote {path} ({len(rows)} rows)')


def main():
    os.makedirs(OUT, exist_ok=True)
    b = datasets.load_breast_cancer()
    write('breast-cancer.csv', list(b.feature_names) + ['diagnosis'],
          [[repr(float(v)) for v in x] + [b.target_names[t]] for x, t in zip(b.data, b.target)])
    d = datasets.load_diabetes(scaled=False)
    write('diabetes.csv', list(d.feature_names) + ['progression'],
          [[repr(float(v)) for v in x] + [repr(float(t))] for x, t in zip(d.data, d.target)])


if __name__ == '__main__':
    main()
