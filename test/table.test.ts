/**
 * Real tables through csv-parse: every column type, every missing spelling, delimiter sniffing,
 * the decimal comma, gzip, the "other" bucket, unseen categories, each warning, and the round trip
 * fit -> save -> load -> predictRows bit for bit.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { DEFAULT_MISSING } from '../src/data/cells.js';
import { inspectCsv, loadCsvDataSet } from '../src/data/from-csv.js';
import { modelInputs } from '../src/data/model-rows.js';
import { type CategoricalColumn, fitPipeline, type NumericColumn } from '../src/data/pipeline.js';
import { predictRows } from '../src/infer/predict.js';
import { loadModel, saveModel } from '../src/model/index.js';
import { fit } from '../src/train/fit.js';
import { xorshift } from './helpers/random.js';

const dir = mkdtempSync(join(tmpdir(), 'native-mlp-table-'));
let n = 0;
function file(text: string | Uint8Array, name = `t${n++}.csv`): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const types = async (text: string, o = {}) =>
  Object.fromEntries((await inspectCsv(file(text), { target: 'y', ...o })).columns.map((c) => [c.column, c.type]));
/** 24 rows: enough for id detection, with a column per type. */
const MIXED =
  [
    'row_id,num,cat,flag,when,same,name,y',
    ...Array.from(
      { length: 24 },
      (_, i) =>
        `${i + 1},${(i * 3.5) % 11},${['red', 'green', 'blue'][i % 3]},${i % 2 ? 'yes' : 'no'},2024-0${1 + (i % 9)}-1${i % 10},k,person ${i},${i % 2 ? 'p' : 'q'}`,
    ),
  ].join('\n') + '\n';

describe('column types', () => {
  it('infers numeric, categorical, boolean, date, id, constant and target', async () => {
    expect(await types(MIXED)).toEqual({
      row_id: 'id',
      num: 'numeric',
      cat: 'categorical',
      flag: 'boolean',
      when: 'date',
      same: 'constant',
      name: 'id',
      y: 'target',
    });
  });

  it('a column of numbers holding only 0 and 1 is numeric, so a 2 at predict time is a number, not an error', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 2},${(i * 7) % 13},${i % 2 ? 'p' : 'q'}`);
    const csv = file(['bit,x,y', ...rows].join('\n'));
    expect(await types(['bit,x,y', ...rows].join('\n'))).toMatchObject({ bit: 'numeric' });
    const { model } = await fit(csv, { target: 'y', epochs: 2, backend: 'js' });
    const p = predictRows(selectBackend('js'), model, [{ bit: 2, x: 3 }]);
    expect(p.task === 'classify' && ['p', 'q'].includes(p.labels[0] as string)).toBe(true);
  });

  it('--categorical, --numeric, --date and --ignore override; a forced type that does not fit names the cell', async () => {
    const t = await inspectCsv(file(MIXED), { target: 'y', categorical: ['row_id'], ignore: ['num,cat'] });
    const by = Object.fromEntries(t.columns.map((c) => [c.column, c]));
    expect(by.row_id.type).toBe('categorical');
    expect(by.num.excluded).toBe('--ignore');
    expect(by.cat.excluded).toBe('--ignore');
    await expect(inspectCsv(file(MIXED), { target: 'y', numeric: ['cat'] })).rejects.toThrow(
      /line 2, column "cat": "red" is not a decimal number \(--numeric "cat"\)/,
    );
    await expect(inspectCsv(file(MIXED), { target: 'y', date: ['flag'] })).rejects.toThrow(/"no" is not an ISO 8601 date/);
  });

  it('a column name holding a comma is matched whole', async () => {
    const d = await inspectCsv(file('"a,b",c,y\n1,2,p\n3,4,q\n'), { target: 'y', ignore: ['a,b'] });
    expect(d.columns[0].excluded).toBe('--ignore');
  });
});

describe('missing values', () => {
  it.each(DEFAULT_MISSING.map((s) => [JSON.stringify(s), s]))(
    '%s is missing: the training median fills it, an indicator says so',
    async (_, spelling) => {
      const f = file(`x,c,y\n1,a,p\n${spelling},${spelling},q\n3,b,p\n10,a,q\n`);
      const d = await loadCsvDataSet(f, { target: 'y', testFile: f });
      const x = d.pipeline!.columns[0] as NumericColumn;
      expect(x).toMatchObject({ fill: 3, indicator: true });
      expect((d.pipeline!.columns[1] as CategoricalColumn).missing).toBe(true);
      expect(Array.from(d.train.inputs.subarray(0, 2 * d.train.features)).slice(0, 2)).toEqual([1, 0]);
      expect(Array.from(d.train.inputs.subarray(d.train.features, d.train.features + 2))).toEqual([3, 1]);
    },
  );

  it('--na adds spellings, --impute mean|zero; rows with a missing target are dropped with a warning', async () => {
    const f = file('x,y\n1,p\n-,q\n5,p\n2,\n4,q\n');
    const mean = await loadCsvDataSet(f, { target: 'y', testFile: f, na: ['-'], impute: 'mean' });
    expect((mean.pipeline!.columns[0] as NumericColumn).fill).toBeCloseTo(10 / 3, 12);
    expect(mean.train.count).toBe(4);
    expect(mean.warnings!.map((w) => w.code)).toContain('missing-target');
    const zero = await loadCsvDataSet(f, { target: 'y', testFile: f, na: ['-'], impute: 'zero' });
    expect((zero.pipeline!.columns[0] as NumericColumn).fill).toBe(0);
  });

  it('fills come from the training split only', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 7},${i % 2 ? 'p' : 'q'}`).join('\n');
    const f = file(`x,y\n${rows}\n`);
    const test = file('x,y\n1000,p\n1000,q\n');
    const d = await loadCsvDataSet(f, { target: 'y', testFile: test });
    expect((d.pipeline!.columns[0] as NumericColumn).fill).toBe(3);
    // With a validation split: the median of the training rows alone (validation rows held out first).
    const g = file(
      `x,y\n${Array.from({ length: 40 }, (_, i) => `${i % 4 === 0 ? 'NA' : (i * 37) % 101},${i % 2 ? 'p' : 'q'}`).join('\n')}\n`,
    );
    const v = await loadCsvDataSet(g, { target: 'y', testFile: test, validation: 0.5 });
    const F = v.train.features;
    const present = Array.from({ length: v.train.count }, (_, i) => i)
      .filter((i) => v.train.inputs[i * F + 1] === 0)
      .map((i) => v.train.inputs[i * F])
      .sort((a, b) => a - b);
    const h = present.length >> 1;
    const median = present.length % 2 ? present[h] : (present[h - 1] + present[h]) / 2;
    expect(v.validation!.count).toBe(20);
    expect((v.pipeline!.columns[0] as NumericColumn).fill).toBe(median);
  });
});

describe('the median fill', () => {
  const sortedMedian = (xs: number[]) => {
    const s = Float64Array.from(xs).sort();
    const h = s.length >> 1;
    return (s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2) || 0; // a zero median is 0, not -0
  };
  const rowsOf = (xs: number[]) => ({
    count: xs.length,
    column: () => (i: number) => xs[i],
    where: (i: number) => `row ${i}`,
    source: 'rows',
    decimal: '.' as const,
  });
  const fill = (xs: number[]) =>
    (fitPipeline(rowsOf(xs), [{ name: 'x', type: 'numeric' }], 'classify', []).columns[0] as NumericColumn).fill;

  it('is the sorted middle (or the mean of the two middle values) for columns of any order and ties', () => {
    const next = xorshift(5);
    for (let t = 0; t < 400; t++) {
      const n = 1 + (t % 61);
      // A third of the cells from a few integers, so that columns hold ties.
      const xs = Array.from({ length: n }, () => (next() > -0.33 ? next() * 10 : Math.round(next() * 3)));
      expect(fill(xs)).toBe(sortedMedian(xs));
    }
  });

  it('is the same on orders that defeat a middle pivot (sorted, reversed, organ pipe, all equal), in linear time', () => {
    const n = 200_001;
    for (const order of [(i: number) => i, (i: number) => n - i, (i: number) => (i < n / 2 ? i : n - i), () => 7]) {
      const xs = Array.from({ length: n }, (_, i) => order(i));
      expect(fill(xs)).toBe(sortedMedian(xs));
    }
  });
});

describe('files', () => {
  const body = 'a;b;y\n1,5;x;p\n2,25;z;q\n';
  it.each([
    [',', 'a,b,y\n1,x,p\n2,z,q\n'],
    [';', 'a;b;y\n1;x;p\n2;z;q\n'],
    ['\t', 'a\tb\ty\n1\tx\tp\n2\tz\tq\n'],
    ['|', 'a|b|y\n1|x|p\n2|z|q\n'],
  ])('sniffs the delimiter %j', async (d, text) => {
    const t = await inspectCsv(file(text), { target: 'y' });
    expect(t.table.delimiter).toBe(d);
    expect(t.columns.map((c) => c.column)).toEqual(['a', 'b', 'y']);
  });

  it('--decimal , reads 1,5 as 1.5; gzip is read by name and by magic bytes', async () => {
    const plain = await inspectCsv(file(body), { target: 'y', decimal: ',' });
    expect(plain.columns[0]).toMatchObject({ type: 'numeric', min: 1.5, max: 2.25 });
    for (const name of [`g${n}.csv.gz`, `g${n}.bin`]) {
      const g = await inspectCsv(file(gzipSync(body), name), { target: 'y', decimal: ',' });
      expect(g.columns[0]).toMatchObject({ type: 'numeric', min: 1.5, max: 2.25 });
    }
  });
  it('counts a column of numbers by value (1 and 1.0 are one), its missing cells apart, and a number target its classes alike', async () => {
    const t = await inspectCsv(file('x,t,y\n1,a,2\n1.0,b,2\nNA,c,10\n-3.5,d,2.0\n1,e,10\n'), { target: 'y' });
    expect(t.columns[0]).toMatchObject({ type: 'numeric', missing: 1, distinct: 2, min: -3.5, max: 1 });
    expect(t.columns[1]).toMatchObject({ missing: 0, distinct: 5 });
    expect(t.columns[2].classes).toEqual([
      { name: '10', rows: 2 },
      { name: '2', rows: 3 },
    ]);
  });
});

describe('categories', () => {
  it('--max-categories keeps the most frequent and puts the rest in "other"; unseen values encode as all zero and are counted', async () => {
    const rows = ['a', 'a', 'a', 'b', 'b', 'c', 'd'].map((v, i) => `${v},${i % 2 ? 'p' : 'q'}`).join('\n');
    const f = file(`c,y\n${rows}\n`);
    const d = await loadCsvDataSet(f, { target: 'y', testFile: f, maxCategories: 2 });
    expect(d.pipeline!.columns[0]).toMatchObject({ categories: ['a', 'b'], other: true, missing: false });
    expect(d.featureNames).toEqual(['c=a', 'c=b', 'c (other)']);
    const uncapped = await loadCsvDataSet(f, { target: 'y', testFile: f });
    const m = { inputs: 4, outputs: 2, pipeline: uncapped.pipeline };
    const r = modelInputs(m, [{ c: 'zzz' }, { c: 'b' }, { c: null }]);
    expect(Array.from(r.inputs)).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect(r.warnings).toEqual(['column "c": 1 row had a category not seen in training ("zzz"), encoded as all zero']);
    expect(() => modelInputs(m, [{ other: 1 }])).toThrow(/rows: no column "c", which the model needs/);
  });
});

describe('warnings', () => {
  const codes = async (text: string, o = {}) => {
    const f = file(text);
    return (await loadCsvDataSet(f, { target: 'y', testFile: f, ...o })).warnings!.map((w) => w.code);
  };
  it('a continuous numeric target, rare classes, classes differing by case, leakage, more features than rows, excluded columns', async () => {
    const cont = Array.from({ length: 60 }, (_, i) => `${i % 9},${(i * 1.37).toFixed(2)}`).join('\n');
    expect(await codes(`x,y\n${cont}\n`)).toContain('numeric-target');
    expect(await codes('x,y\n1,p\n2,p\n3,q\n4,q\n5,r\n6,p\n7,q\n8,p\n')).toContain('rare-class');
    expect(await codes('x,y\n1,Yes\n2,yes\n3,Yes\n4,yes\n5,Yes\n6,yes\n')).toContain('class-case');
    const leak = Array.from({ length: 30 }, (_, i) => `${i % 5},${i % 2 ? 'P' : 'N'},${i % 2 ? 'p' : 'q'}`).join('\n');
    expect(await codes(`x,l,y\n${leak}\n`)).toContain('leakage');
    const wide = Array.from({ length: 10 }, (_, i) => `${i % 3},c${i},${i % 2 ? 'p' : 'q'}`).join('\n');
    expect(await codes(`x,c,y\n${wide}\n`, { categorical: ['c'] })).toContain('wide');
    expect(await codes(MIXED)).toContain('excluded-column');
  });
});

describe('round trip', () => {
  it('fit -> save -> load -> predictRows gives the same bits; rows with missing cells and an unseen category all answer', async () => {
    const be = selectBackend('js');
    const { model } = await fit(fixture('penguins.csv'), {
      backend: be,
      target: 'Species',
      hidden: [8],
      epochs: 3,
      batch: 32,
      lr: 0.01,
      optimizer: 'adam',
    });
    const rows = [
      {
        Island: 'Biscoe',
        'Beak Length (mm)': 45,
        'Beak Depth (mm)': null,
        'Flipper Length (mm)': 210,
        'Body Mass (g)': '4500',
        Sex: 'MALE',
      },
      {
        Island: 'Atlantis',
        'Beak Length (mm)': 'NA',
        'Beak Depth (mm)': 17,
        'Flipper Length (mm)': undefined,
        'Body Mass (g)': 3600,
        Sex: '',
      },
    ];
    const before = predictRows(be, model, rows);
    const path = join(dir, 'penguins.safetensors');
    saveModel(path, model.net, {}, model);
    const loaded = loadModel(path);
    expect(loaded.pipeline).toEqual(model.pipeline);
    const after = predictRows(be, { ...loaded, net: loaded.net }, rows);
    expect(after.task).toBe('classify');
    if (before.task !== 'classify' || after.task !== 'classify') return;
    expect(Array.from(after.probabilities)).toEqual(Array.from(before.probabilities));
    expect(after.labels).toHaveLength(2);
    expect(after.warnings[0]).toMatch(/column "Island": 1 row had a category not seen in training \("Atlantis"\)/);
    expect(after.classNames).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
  }, 60_000);
});
