#!/usr/bin/env python3
"""Writes the table fixtures test/fixtures/{penguins,cars,seattle-weather}.csv from the npm package
vega-datasets 3.2.1 (BSD-3-Clause), run once by hand:

    npm pack vega-datasets@3.2.1 && python3 scripts/vega-fixtures.py vega-datasets-3.2.1.tgz

Missing cells are written as the originals spell them: "NA" in penguins (as the Palmer penguins R
package writes them), empty in cars; seattle-weather.csv is copied unchanged.
"""
import csv
import io
import json
import sys
import tarfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / 'test' / 'fixtures'


def write(name, rows, missing):
    columns = list(rows[0].keys())
    with open(OUT / name, 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(columns)
        for r in rows:
            w.writerow([missing if r.get(c) is None else r[c] for c in columns])


def main(tgz):
    with tarfile.open(tgz) as t:
        read = lambda member: t.extractfile(f'package/data/{member}').read().decode('utf8')
        write('penguins.csv', json.loads(read('penguins.json')), 'NA')
        write('cars.csv', json.loads(read('cars.json')), '')
        (OUT / 'seattle-weather.csv').write_text(read('seattle-weather.csv'))


if __name__ == '__main__':
    main(sys.argv[1])
