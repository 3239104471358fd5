/**
 * Data sets of float rows: validation with row and column, stratified splits, standardisation on
 * the training split only, the float-row gather, labels above 255, and a model that predicts from
 * raw rows bit for bit the same after save and load.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../src/backend/js/index.js';
import { dataSetFromArrays, dataSetFromSplits } from '../src/data/arrays.js';
import { DataError, type Rows } from '../src/data/dataset.js';
import { splitRows } from '../src/data/split.js';
import { standardize } from '../src/data/standardize.js';
import { loadModel, saveModel } from '../src/model/index.js';
import { fit } from '../src/train/fit.js';
import { predictRows } from '../src/infer/predict.js';
import { forEachBackend } from './helpers/backends.js';
import { randomF32 } from './helpers/random.js';

const tmp = mkdtempSync(join(tmpdir(), 'native-mlp-data-'));

function throwsData(fn: () => unknown, message: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a DataError').toBeInstanceOf(DataError);
  expect((err as Error).message).toMatch(message);
}

/** Rows in `classes` Gaussian-free clusters: class k has feature k large, the rest small noise. */
function clusters(count: number, classes: number, features: number, seed: number): { x: Float32Array; y: Uint32Array } {
  const noise = randomF32(count * features, seed);
  const x = new Float32Array(count * features);
  const y = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const k = i % classes;
    y[i] = k;
    for (let j = 0; j < features; j++) x[i * features + j] = 0.1 * noise[i * features + j];
    // a code for the class over the features: bits of k, +-1
    for (let j = 0; j < features; j++) x[i * features + j] += (k >> j) & 1 ? 1 : -1;
  }
  return { x, y };
}

describe('arrays as data sets', () => {
  it('accepts number[][], Float32Array + features and bytes, class names or indices', () => {
    const a = dataSetFromSplits({
      x: [
        [5.1, -0.3],
        [4.9, 3.0],
        [6.2, 2.9],
      ],
      y: ['b', 'a', 'b'],
    });
    expect(a.train.inputs).toEqual(Float32Array.of(5.1, -0.3, 4.9, 3.0, 6.2, 2.9));
    expect(a.classNames).toEqual(['a', 'b']);
    expect(Array.from(a.train.targets)).toEqual([1, 0, 1]);
    const b = dataSetFromSplits({ x: Float32Array.of(1, 2, 3, 4), y: [0, 299] }, { features: 2 });
    expect(b.classes).toBe(300);
    expect(b.train.targets).toBeInstanceOf(Uint32Array);
    const c = dataSetFromArrays({
      trainImages: new Uint8Array(8),
      trainLabels: Uint8Array.of(1, 2),
      testImages: new Uint8Array(4),
      testLabels: Uint8Array.of(3),
      features: 4,
    });
    expect(c.train.inputs).toBeInstanceOf(Uint8Array);
    expect(c.classes).toBe(10);
  });

  it('names the row and column of the first bad value', () => {
    throwsData(
      () =>
        dataSetFromSplits({
          x: [
            [1, 2],
            [3, NaN],
          ],
          y: [0, 1],
        }),
      /train: row 2, column 2 is NaN/,
    );
    throwsData(() => dataSetFromSplits({ x: [[1, 2], [3]], y: [0, 1] }), /train: row 2 has 1 values but rows need 2 features/);
    throwsData(
      () => dataSetFromSplits({ x: Float32Array.of(1, 2, Infinity, 4), y: [0, 1] }, { features: 2 }),
      /row 2, column 1 is Infinity/,
    );
    throwsData(
      () => dataSetFromSplits({ x: Float32Array.of(1, 2, 3), y: [0, 1] }, { features: 2 }),
      /3 values is not a whole number of 2-feature rows/,
    );
    throwsData(() => dataSetFromSplits({ x: [[1], [2]], y: [0, 1.5] }), /row 2 has label 1.5/);
    throwsData(
      () => dataSetFromSplits({ x: [[1], [2]], y: [0, 5] }, { classes: 3 }),
      /row 2 has label 5, which is not below the class count 3/,
    );
    throwsData(() => dataSetFromSplits({ x: [[1], [2]], y: [0] }), /1 targets for 2 rows/);
    throwsData(
      () => dataSetFromSplits({ x: [[1], [2]], y: [1, NaN] }, { task: 'regress' }),
      /row 2, target 1 is null|row 2, target 1 is NaN/,
    );
    throwsData(
      () => dataSetFromSplits({ x: [[1], [2]], y: [0, 1] }, { test: { x: [[1, 2]], y: [0] } }),
      /test: row 1 has 2 values but rows need 1 features/,
    );
    throwsData(() => dataSetFromSplits({ x: 'abc' as never, y: [0] }), /expected number\[\]\[\], a Float32Array or a Uint8Array/);
  });
});

describe('splits', () => {
  it('a stratified split keeps every class proportion within one row', () => {
    const counts = [500, 300, 150, 40, 10];
    const y = new Uint32Array(counts.reduce((a, b) => a + b));
    let at = 0;
    counts.forEach((c, k) => y.fill(k, at, (at += c)));
    const rows: Rows = { count: y.length, features: 1, inputs: Float32Array.from(y, (v, i) => i), targets: y };
    const { kept, held } = splitRows(rows, 0.2, 7, counts.length);
    counts.forEach((c, k) => {
      const h = Array.from(held.targets).filter((t) => t === k).length;
      expect(Math.abs(h - c * 0.2), `class ${k}`).toBeLessThanOrEqual(1);
      expect(Array.from(kept.targets).filter((t) => t === k).length + h).toBe(c);
    });
    // every row lands in exactly one part, in its original order
    const all = [...Array.from(kept.inputs), ...Array.from(held.inputs)].sort((a, b) => a - b);
    expect(all).toEqual(Array.from(rows.inputs));
    expect(Array.from(held.inputs)).toEqual([...Array.from(held.inputs)].sort((a, b) => a - b));
    // seeded: the same seed, the same split; another seed, another one
    expect(splitRows(rows, 0.2, 7, counts.length).held.inputs).toEqual(held.inputs);
    expect(splitRows(rows, 0.2, 8, counts.length).held.inputs).not.toEqual(held.inputs);
  });

  it('standardises with the training split statistics only', () => {
    const d = standardize(
      dataSetFromSplits(
        {
          x: [
            [1, 10],
            [3, 10],
          ],
          y: [0, 1],
        },
        { test: { x: [[5, 11]], y: [1] } },
      ),
    );
    expect(Array.from(d.preprocessing!.featureMean!)).toEqual([2, 10]);
    expect(Array.from(d.preprocessing!.featureStd!)).toEqual([1, 1]); // a constant column keeps std 1
    expect(Array.from(d.train.inputs)).toEqual([-1, 0, 1, 0]);
    expect(Array.from(d.test.inputs)).toEqual([3, 1]);
  });
});

forEachBackend('float-row gather', (be) => {
  it('gatherRows copies whole rows in index order and checks every index', () => {
    const f = 5;
    const x = randomF32(7 * f, 3);
    const index = Uint32Array.of(9, 6, 0, 3, 3, 1);
    const out = new Float32Array(4 * f).fill(NaN);
    be.gatherRows(out, x, index, 1, 4, f);
    for (let r = 0; r < 4; r++) expect(out.subarray(r * f, (r + 1) * f)).toEqual(x.subarray(index[1 + r] * f, (index[1 + r] + 1) * f));
    expect(() => be.gatherRows(out, x, Uint32Array.of(7), 0, 1, f)).toThrow(/index\[0\] is 7/);
    expect(() => be.gatherRows(out, x, index, 3, 4, f)).toThrow(/index to hold at least 7/);
    expect(() => be.gatherRows(out, new Uint8Array(35) as never, index, 1, 4, f)).toThrow(TypeError);
  });

  it('a 300-class data set trains and predicts labels above 255', async () => {
    const classes = 300;
    const features = 9; // 2^9 = 512 codes >= 300 classes
    const train = clusters(classes * 4, classes, features, 1);
    const r = await fit(
      { x: train.x, y: train.y, features },
      {
        // Plain SGD for 40 epochs, as written before tables took scikit-learn's defaults (adam, stopping on the loss).
        backend: be,
        hidden: [64],
        epochs: 40,
        batch: 16,
        lr: 0.5,
        standardize: false,
        optimizer: 'sgd',
        earlyStopping: 0,
        init: 'notebook',
      },
    );
    expect(r.net.classes).toBe(classes);
    const test = clusters(classes, classes, features, 2);
    const p = predictRows(be, r.model, test.x);
    if (p.task !== 'classify') throw new Error('expected class predictions');
    const correct = p.classIndex.filter((k, i) => k === test.y[i]).length;
    expect(correct / classes).toBeGreaterThan(0.9);
    expect(Array.from(p.classIndex).filter((k, i) => k > 255 && k === test.y[i]).length).toBeGreaterThan(30);
    expect(p.labels[299]).toBe(p.classIndex[299]); // no names: indices, not wrapped to a byte
  }, 120_000);

  it('float rows round-trip through train, save, load and predict bit for bit', async () => {
    const x = [
      [5.1, 3.5, 1.4, 0.2],
      [7.0, 3.2, 4.7, 1.4],
      [6.3, 3.3, 6.0, 2.5],
      [4.9, 3.0, 1.4, 0.2],
      [6.4, 3.2, 4.5, 1.5],
      [5.8, 2.7, 5.1, 1.9],
    ];
    const y = ['setosa', 'versicolor', 'virginica', 'setosa', 'versicolor', 'virginica'];
    const names = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
    const r = await fit({ x, y }, { backend: be, hidden: [8], epochs: 30, batch: 2, lr: 0.1, features: names });
    const file = join(tmp, `iris-${be.name}.safetensors`);
    saveModel(file, r.net, {}, r.model);
    const loaded = loadModel(file);
    expect(loaded.task).toBe('classify');
    expect(loaded.featureNames).toEqual(names);
    expect(loaded.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(loaded.preprocessing!.featureMean).toEqual(r.model.preprocessing!.featureMean);
    expect(loaded.preprocessing!.featureStd).toEqual(r.model.preprocessing!.featureStd);
    expect(loaded.net.params).toEqual(r.net.params);
    const before = predictRows(be, r.model, x);
    const after = predictRows(be, loaded, Float32Array.from(x.flat()));
    const byName = predictRows(
      be,
      loaded,
      x.map((row) => Object.fromEntries(names.map((n, j) => [n, row[j]]))),
    );
    if (before.task !== 'classify' || after.task !== 'classify' || byName.task !== 'classify') throw new Error('classify');
    expect(Buffer.from(after.probabilities.buffer).equals(Buffer.from(before.probabilities.buffer))).toBe(true);
    expect(byName.probabilities).toEqual(before.probabilities);
    expect(after.labels).toEqual(y);
    throwsData(() => predictRows(be, loaded, [{ sepal_length: 1 }]), /rows: no column "sepal_width", which the model needs/);
    throwsData(
      () => predictRows(be, loaded, [{ sepal_length: 1, sepal_width: 1, petal_length: null, petal_width: 1 }]),
      /row 1, column "petal_length": missing value; this model was trained without missing values/,
    );
    throwsData(() => predictRows(be, loaded, [[1, 2, 3]]), /row 1: expected 4 raw columns/);
  }, 60_000);
});

describe('model file data side', () => {
  it('is plain safetensors: F32 tensors feature_mean/feature_std and string metadata', async () => {
    const r = await fit(
      {
        x: [
          [1, 2],
          [3, 5],
          [2, 2],
          [0, 1],
        ],
        y: [1.5, 2.5, 0.5, 3],
      },
      {
        backend: 'js',
        task: 'regress',
        hidden: [4],
        epochs: 2,
        batch: 2,
        lr: 0.1,
        features: ['u', 'v'],
      },
    );
    const file = join(tmp, 'reg.safetensors');
    saveModel(file, r.net, { note: 'x' }, r.model);
    const bytes = readFileSync(file);
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
    expect(header.__metadata__).toMatchObject({ task: 'regress', output: 'linear', feature_names: '["u","v"]', note: 'x' });
    expect(header.feature_mean).toMatchObject({ dtype: 'F32', shape: [2] });
    expect(header.target_std).toMatchObject({ dtype: 'F32', shape: [1] });
    const loaded = loadModel(file);
    expect(loaded.preprocessing!.targetMean).toEqual(r.model.preprocessing!.targetMean);
    const p = predictRows(jsBackend, loaded, [[1, 2]]);
    const q = predictRows(jsBackend, r.model, [[1, 2]]);
    expect(p).toEqual(q);
  });
});
