#!/usr/bin/python3
"""native-mlp against scikit-learn's default table pipeline, on the same train/test split.

For each table: native-mlp's CLI trains with only --data/--target (and --task regress), plus the
settings in NATIVE_FLAGS; scikit-learn fits ColumnTransformer(SimpleImputer() + StandardScaler() for
numbers, SimpleImputer(strategy='constant') + OneHotEncoder(handle_unknown='ignore') for categories)
+ MLPClassifier() / MLPRegressor() with their defaults (random_state=0) on the same rows.

Columns are typed as `native-mlp inspect --json` types them (ids and constants dropped). Date columns
are expanded the same way native-mlp expands them (year, then sin/cos of month, day of week, day of
year when they vary), so both sides see the same information.

The split is re-drawn here exactly as native-mlp draws it (src/data/split.ts): rows without a target
left out; numpy default_rng(seed).permutation per class in sorted class order (stratified), holding
out round(0.2 * n) rows of each class (at least 1, at most n - 1); for regression one permutation.

    npm run build:ts && /usr/bin/python3 scripts/compare-sklearn-tables.py [--seeds 5] [--native-flags "..."]
"""
import argparse
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, mean_squared_error
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / 'dist' / 'cli' / 'main.js'
FIX = ROOT / 'test' / 'fixtures'
TABLES = [
    ('penguins.csv', 'Species', 'classify'),
    ('cars.csv', 'Origin', 'classify'),
    ('seattle-weather.csv', 'weather', 'classify'),
    ('cars.csv', 'Miles_per_Gallon', 'regress'),
    ('cars.csv', 'Horsepower', 'regress'),
]
# scikit-learn's MLP defaults, spelled as native-mlp flags (until they are native-mlp's table defaults).
NATIVE_FLAGS = '--optimizer adam --lr 0.001 --batch 200 --hidden 100 --epochs 200'
MISSING = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'None', '?']


def half_up(x):
    return math.floor(x + 0.5)


def split(y, task, fraction=0.2, seed=0):
    """Indices (train, test) as native-mlp's splitIndices draws them (its --seed seeds the split)."""
    rng = np.random.default_rng(seed)
    held = np.zeros(len(y), dtype=bool)
    if task == 'classify':
        for name in sorted(set(y)):
            members = np.flatnonzero(y == name)
            if len(members) < 2:
                continue
            take = min(len(members) - 1, max(1, half_up(len(members) * fraction)))
            held[members[rng.permutation(len(members))[:take]]] = True
    else:
        held[rng.permutation(len(y))[:half_up(len(y) * fraction)]] = True
    return np.flatnonzero(~held), np.flatnonzero(held)


def date_features(s):
    """year, then sin/cos of month, day of week, day of year (those that vary), as native-mlp encodes."""
    d = pd.to_datetime(s, utc=True)
    parts = {
        'month': (d.dt.month - 1) / 12,
        'dayofweek': ((d.dt.dayofweek + 1) % 7) / 7,  # JS getUTCDay: Sunday = 0
        'dayofyear': (d.dt.dayofyear - 1) / 366,
    }
    out = pd.DataFrame({'year': d.dt.year.astype(float)})
    for name, frac in parts.items():
        if frac.nunique() > 1:
            out[f'{name} sin'] = np.sin(2 * np.pi * frac)
            out[f'{name} cos'] = np.cos(2 * np.pi * frac)
    return out


def native(path, target, task, flags, seed):
    args = ['node', str(CLI), 'train', '--json', '--data', str(path), '--target', target, '--seed', str(seed)] + flags.split()
    if task == 'regress':
        args += ['--task', 'regress']
    r = subprocess.run(args, capture_output=True, text=True, check=True)
    return [json.loads(l) for l in r.stdout.splitlines() if l.startswith('{')][-1]


def schema(path, target, task):
    args = ['node', str(CLI), 'inspect', '--json', str(path), '--target', target] + (['--task', 'regress'] if task == 'regress' else [])
    r = subprocess.run(args, capture_output=True, text=True, check=True)
    return [json.loads(l) for l in r.stdout.splitlines()]


def sklearn(path, target, task, seed):
    df = pd.read_csv(path, keep_default_na=False, na_values=MISSING, dtype=str)
    df = df[df[target].notna()].reset_index(drop=True)
    cols = schema(path, target, task)
    y = df[target].to_numpy() if task == 'classify' else df[target].astype(float).to_numpy()
    X = pd.DataFrame(index=df.index)
    numeric, categorical = [], []
    for c in cols:
        name, kind = c['column'], c['type']
        if kind in ('numeric', 'boolean'):
            X[name] = pd.to_numeric(df[name].str.lower().replace({'true': '1', 'false': '0', 'yes': '1', 'no': '0'}), errors='coerce')
            numeric.append(name)
        elif kind == 'categorical':
            X[name] = df[name]
            categorical.append(name)
        elif kind == 'date':
            feats = date_features(df[name])
            for f in feats:
                X[f'{name} {f}'] = feats[f]
                numeric.append(f'{name} {f}')
    train, test = split(y, task, seed=seed)
    pre = ColumnTransformer([
        ('num', make_pipeline(SimpleImputer(), StandardScaler()), numeric),
        ('cat', make_pipeline(SimpleImputer(strategy='constant', fill_value='missing'), OneHotEncoder(handle_unknown='ignore')), categorical),
    ])
    if task == 'classify':
        model = make_pipeline(pre, MLPClassifier(random_state=seed)).fit(X.iloc[train], y[train])
        p = model.predict(X.iloc[test])
        return {'testAccuracy': accuracy_score(y[test], p), 'testMacroF1': f1_score(y[test], p, average='macro'),
                'testBalancedAccuracy': balanced_accuracy_score(y[test], p), 'rows': (len(train), len(test))}
    model = make_pipeline(pre, MLPRegressor(random_state=seed)).fit(X.iloc[train], y[train])
    return {'testRmse': math.sqrt(mean_squared_error(y[test], model.predict(X.iloc[test]))), 'rows': (len(train), len(test))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--native-flags', default=NATIVE_FLAGS)
    ap.add_argument('--seeds', type=int, default=5, help='seeds 0..N-1: each draws its own split and initial weights on both sides')
    a = ap.parse_args()
    import warnings
    warnings.filterwarnings('ignore')  # ConvergenceWarning at max_iter=200, as with the defaults
    print(f'native-mlp flags: {a.native_flags or "(none)"}; seeds 0..{a.seeds - 1} (split and weights), mean (min-max)')
    print(f'{"table":<22}{"target":<18}{"metric":<22}{"native-mlp":>24}{"scikit-learn":>24}')
    for file, target, task in TABLES:
        runs = [(native(FIX / file, target, task, a.native_flags, s), sklearn(FIX / file, target, task, s)) for s in range(a.seeds)]
        metrics = ['testAccuracy', 'testMacroF1', 'testBalancedAccuracy'] if task == 'classify' else ['testRmse']
        for m in metrics:
            cell = lambda v: f'{np.mean(v):.4f} ({min(v):.3f}-{max(v):.3f})'
            print(f'{file:<22}{target:<18}{m:<22}{cell([n[m] for n, _ in runs]):>24}{cell([s[m] for _, s in runs]):>24}')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
