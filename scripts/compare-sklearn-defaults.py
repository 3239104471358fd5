#!/usr/bin/python3
"""native-mlp's table defaults against scikit-learn's MLPClassifier(), on the same splits: the
accuracy checks of issue 22's "Done when", one row each, with both sides' whole-run wall times.

Rows (--rows picks some; default all):
  defaults   digits, wine, breast-cancer: `native-mlp train --data --target --test` with no other
             flags against MLPClassifier() with its defaults; passes when native-mlp's mean test
             accuracy is at most 1 point below scikit-learn's.
  deep       digits with --hidden 64,64,64,64 and nothing else; passes at a mean >= 95 %
             (scikit-learn's hidden_layer_sizes=(64,)*4 shown beside it).
  activation digits with --activation A against MLPClassifier(activation=A) for relu, tanh,
             sigmoid (scikit-learn's logistic) and identity; gelu and leaky_relu (which
             scikit-learn lacks) against its relu. Pass: at most 1 point below.
Each row runs every seed of --seeds (default 0,1,2) on both sides (native-mlp --seed S,
MLPClassifier(random_state=S)) and prints the means (and the spread of native-mlp's accuracy).
The split is fixed: train_test_split(test_size=0.2, stratify=y, random_state=0) of
test/fixtures/TABLE.csv, written to a temporary folder as train.csv and test.csv.

Wall times are the whole process as a user runs it, from start to exit: native-mlp is
`node dist/cli/main.js train --data train.csv --test test.csv --target T --json` (Node start-up,
CSV reading, training, the test pass); scikit-learn is `python3 THIS --fit-one ...`, a fresh
Python that imports NumPy and scikit-learn, reads the same two CSV files, fits MLPClassifier
(on the raw features, as its defaults do) and scores the test rows. Both run one at a time.
Timings on a shared machine are indicative only.

Usage: /usr/bin/python3 scripts/compare-sklearn-defaults.py [--rows defaults,deep,activation]
       [--seeds 0,1,2] [--table digits] [--json]
Needs python3 with scikit-learn (1.2) and dist/ built (npm run build:ts). Exit status 1 when a
check misses."""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
TABLES = {'digits': 'digit', 'wine': 'cultivar', 'breast-cancer': 'diagnosis'}
SKLEARN_ACT = {'relu': 'relu', 'tanh': 'tanh', 'sigmoid': 'logistic', 'identity': 'identity'}


def read_csv(path):
    with open(path, newline='') as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def fit_one(argv):
    """The scikit-learn side in its own process: fit on train.csv, score test.csv, print JSON."""
    train, test, target, seed, activation, hidden = argv
    import warnings
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    def xy(path):
        header, rows = read_csv(path)
        t = header.index(target)
        return np.array([[float(v) for j, v in enumerate(r) if j != t] for r in rows]), np.array([r[t] for r in rows])

    Xtr, ytr = xy(train)
    Xte, yte = xy(test)
    kw = {'random_state': int(seed)}
    if activation != '-':
        kw['activation'] = SKLEARN_ACT[activation]
    if hidden != '-':
        kw['hidden_layer_sizes'] = tuple(int(h) for h in hidden.split(','))
    clf = MLPClassifier(**kw)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ConvergenceWarning)
        clf.fit(Xtr, ytr)
    print(json.dumps({'accuracy': clf.score(Xte, yte), 'iterations': clf.n_iter_}))


def split(table, tmp):
    """The fixed stratified 80/20 split of the table, as train.csv and test.csv in tmp."""
    import numpy as np
    from sklearn.model_selection import train_test_split
    header, rows = read_csv(os.path.join(root, 'test', 'fixtures', table + '.csv'))
    t = header.index(TABLES[table])
    y = np.array([r[t] for r in rows])
    tr, te = train_test_split(np.arange(len(rows)), test_size=0.2, stratify=y, random_state=0)
    folder = os.path.join(tmp, table)
    os.makedirs(folder)
    for name, part in (('train.csv', tr), ('test.csv', te)):
        with open(os.path.join(folder, name), 'w', newline='') as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows[i] for i in part)
    return os.path.join(folder, 'train.csv'), os.path.join(folder, 'test.csv')


def timed(cmd, what):
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        sys.exit('%s failed (exit %s): %s' % (what, out.returncode, out.stderr.strip()[-2000:]))
    return out.stdout, wall


def ours(files, target, seed, flags):
    cmd = ['node', os.path.join(root, 'dist', 'cli', 'main.js'), 'train', '--data', files[0], '--test', files[1],
           '--target', target, '--json'] + (['--seed', str(seed)] if seed else []) + flags
    stdout, wall = timed(cmd, 'native-mlp ' + ' '.join(cmd[3:]))
    events = [json.loads(line) for line in stdout.splitlines() if line.startswith('{')]
    test = [e for e in events if e.get('event') == 'test'][0]
    return {'accuracy': test['testAccuracy'], 'wall': wall, 'epochs': sum(1 for e in events if e.get('event') == 'epoch')}


def theirs(files, target, seed, activation, hidden):
    cmd = [sys.executable, os.path.abspath(__file__), '--fit-one', files[0], files[1], target, str(seed),
           activation or '-', hidden or '-']
    stdout, wall = timed(cmd, 'scikit-learn ' + ' '.join(cmd[3:]))
    r = json.loads(stdout.strip().splitlines()[-1])
    return {'accuracy': r['accuracy'], 'wall': wall, 'epochs': r['iterations']}


def plan(rows, tables):
    """(row, label, table, native-mlp flags, scikit-learn activation, hidden, check) per line."""
    out = []
    if 'defaults' in rows:
        for t in tables:
            out.append(('defaults', t, t, [], None, None, 'within'))
    if 'deep' in rows:
        out.append(('deep', 'digits 64,64,64,64', 'digits', ['--hidden', '64,64,64,64'], None, '64,64,64,64', 'at least 0.95'))
    if 'activation' in rows:
        for a in ['relu', 'tanh', 'sigmoid', 'identity', 'gelu', 'leaky_relu']:
            sk = a if a in SKLEARN_ACT else 'relu'
            out.append(('activation', '%s%s' % (a, '' if sk == a else ' (sk relu)'), 'digits', ['--activation', a], sk, None, 'within'))
    return out


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--fit-one':
        return fit_one(sys.argv[2:])
    p = argparse.ArgumentParser(description='native-mlp against MLPClassifier() on scikit-learn\'s tables')
    p.add_argument('--rows', default='defaults,deep,activation')
    p.add_argument('--seeds', default='0,1,2')
    p.add_argument('--table', choices=list(TABLES), action='append', help='tables of the defaults row')
    p.add_argument('--json', action='store_true', help='one JSON object per row')
    a = p.parse_args()
    seeds = [int(s) for s in a.seeds.split(',')]
    rows = a.rows.split(',')
    bad = [r for r in rows if r not in ('defaults', 'deep', 'activation')]
    if bad:
        sys.exit('unknown row %s; expected defaults, deep, activation' % ','.join(bad))
    if not os.path.exists(os.path.join(root, 'dist', 'cli', 'main.js')):
        sys.exit('dist/cli/main.js is missing: run npm run build:ts')
    tables = a.table or list(TABLES)
    missed = 0
    if not a.json:
        print('seeds %s; accuracy as the mean over seeds (native-mlp min-max); wall s per run, whole process' % a.seeds)
        print('%-26s %-22s %-8s %6s | %-8s %6s | %6s  %s' % (
            'row', 'native-mlp acc', 'wall s', 'epochs', 'sk acc', 'wall s', 'iters', 'check'))
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        sk_runs = {}
        for row, label, table, flags, sk_act, sk_hidden, check in plan(rows, tables):
            if table not in files:
                files[table] = split(table, tmp)
            f, target = files[table], TABLES[table]
            mine = [ours(f, target, s, flags) for s in seeds]
            sk = []
            for s in seeds:
                # gelu and leaky_relu compare with scikit-learn's relu: each fit runs once.
                key = (table, s, sk_act, sk_hidden)
                if key not in sk_runs:
                    sk_runs[key] = theirs(f, target, s, sk_act, sk_hidden)
                sk.append(sk_runs[key])
            mean = lambda runs, k: statistics.mean(r[k] for r in runs)
            acc, sk_acc = mean(mine, 'accuracy'), mean(sk, 'accuracy')
            ok = acc >= 0.95 if check.startswith('at least') else acc >= sk_acc - 0.01
            missed += 0 if ok else 1
            verdict = ('%s: %s' % (check, 'holds' if ok else 'MISSES')) if check.startswith('at least') else \
                ('%+.2f points: %s' % (100 * (acc - sk_acc), 'holds' if ok else 'MISSES'))
            if a.json:
                print(json.dumps({'row': row, 'label': label, 'seeds': seeds, 'native': mine, 'sklearn': sk,
                                  'nativeAccuracy': acc, 'sklearnAccuracy': sk_acc, 'holds': ok}))
            else:
                lo, hi = min(r['accuracy'] for r in mine), max(r['accuracy'] for r in mine)
                print('%-26s %.4f (%.4f-%.4f) %8.2f %6.0f | %.4f %8.2f | %6.0f  %s' % (
                    row + ' ' + label, acc, lo, hi, mean(mine, 'wall'),
                    mean(mine, 'epochs'), sk_acc, mean(sk, 'wall'), mean(sk, 'epochs'), verdict), flush=True)
    sys.exit(1 if missed else 0)


main()
