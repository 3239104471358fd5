/**
 * Sample and class weights through the library on the wine table (178 rows, 3 cultivars): fit's
 * sampleWeight (zero-weight rows change nothing, a weight of 2 is a duplicated row, all-1 weights
 * are bit for bit the unweighted run), class weights as scikit-learn's compute_class_weight,
 * train() on a DataSet carrying weights, exact resume of a weighted run, trainInWorker, bad input.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../src/backend/js/index.js';
import type { DataSet } from '../src/data/dataset.js';
import { loadDataSet } from '../src/data/mnist.js';
import { predict, predictRows } from '../src/infer/predict.js';
import { fit } from '../src/train/fit.js';
import { train, type TrainConfig } from '../src/train/train.js';
import { trainInWorker } from '../src/train/worker.js';
import { resolveClassWeights } from '../src/train/weights.js';
import { assertFreshDist } from './helpers/dist.js';

const text = readFileSync(fileURLToPath(new URL('./fixtures/wine.csv', import.meta.url)), 'utf8')
  .trim()
  .split(/\r?\n/)
  .slice(1);
const x = text.map((l) => l.split(',').slice(0, 13).map(Number));
const y = text.map((l) => l.split(',')[13]);
const same = (a: Float32Array, b: Float32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
/** Full-batch plain SGD: every step sees every row, so only the weights decide what the step is. */
const FULL = {
  backend: jsBackend,
  hidden: [8],
  epochs: 15,
  batch: 100_000,
  lr: 0.05,
  optimizer: 'sgd' as const,
  earlyStopping: 0,
  validation: 0,
};

describe('fit(..., { sampleWeight })', () => {
  it('rows of weight 0 (with wrong labels) give the network training without them gives', async () => {
    const names = ['class_0', 'class_1', 'class_2'];
    const wrong = y.map((c) => names[(names.indexOf(c) + 1) % 3]);
    const clean = await fit({ x, y }, FULL);
    const poisoned = await fit({ x: [...x, ...x], y: [...y, ...wrong] }, { ...FULL, sampleWeight: [...y.map(() => 1), ...y.map(() => 0)] });
    // The standardisation is fitted on every row (the copies have the same statistics); the sums differ only in order.
    expect(maxDiff(poisoned.net.params, clean.net.params)).toBeLessThan(1e-4);
    const ignored = await fit({ x: [...x, ...x], y: [...y, ...wrong] }, FULL);
    expect(maxDiff(ignored.net.params, clean.net.params)).toBeGreaterThan(1e-2); // the check can fail
    expect(poisoned.epochs.at(-1)!.loss).toBeCloseTo(clean.epochs.at(-1)!.loss, 4); // the weighted mean
  });

  it('a weight of 2 trains as the row given twice; weights of 1 are the unweighted run bit for bit', async () => {
    const twice = (i: number) => i % 4 === 0;
    // Standardised here, once: fitted inside fit, the duplicated rows would shift the statistics.
    const mean = x[0].map((_, j) => x.reduce((a, r) => a + r[j], 0) / x.length);
    const sd = x[0].map((_, j) => Math.sqrt(x.reduce((a, r) => a + (r[j] - mean[j]) ** 2, 0) / x.length));
    const z = x.map((r) => r.map((v, j) => (v - mean[j]) / sd[j]));
    const own = { ...FULL, standardize: false };
    const doubled = await fit({ x: [...z, ...z.filter((_, i) => twice(i))], y: [...y, ...y.filter((_, i) => twice(i))] }, own);
    const weighted = await fit({ x: z, y }, { ...own, sampleWeight: z.map((_, i) => (twice(i) ? 2 : 1)) });
    expect(maxDiff(weighted.net.params, doubled.net.params)).toBeLessThan(1e-4);
    const plain = await fit({ x, y }, { backend: jsBackend, epochs: 5 });
    const ones = await fit({ x, y }, { backend: jsBackend, epochs: 5, sampleWeight: x.map(() => 1) });
    expect(same(ones.net.params, plain.net.params)).toBe(true);
    expect(ones.test).toEqual(plain.test);
  });

  it('refuses bad weights with a DataError naming the row, and sampleWeight beside a CSV file', async () => {
    await expect(fit({ x, y }, { ...FULL, sampleWeight: x.map((_, i) => (i === 9 ? -1 : 1)) })).rejects.toThrow(
      /sampleWeight: row 10 has weight -1/,
    );
    await expect(fit({ x, y }, { ...FULL, sampleWeight: x.map((_, i) => (i === 3 ? NaN : 1)) })).rejects.toThrow(/row 4 has weight null/);
    await expect(fit({ x, y }, { ...FULL, sampleWeight: [1, 2] })).rejects.toThrow(/2 weights for 178 training rows/);
    await expect(fit({ x, y }, { ...FULL, sampleWeight: x.map(() => 0) })).rejects.toThrow(/every sample weight is 0/);
    await expect(fit('test/fixtures/wine.csv', { target: 'cultivar', sampleWeight: [1] })).rejects.toThrow(/weightColumn/);
  });
});

describe('class weights', () => {
  const data = async () => (await fit({ x, y }, { backend: jsBackend, epochs: 1 })).data;

  it('balanced is n / (classes * count) over the training rows, as scikit-learn computes it', async () => {
    const d = await data();
    const labels = d.train.targets as Uint32Array;
    const counts = [0, 0, 0];
    labels.forEach((l) => counts[l]++);
    const w = resolveClassWeights('balanced', d)!;
    counts.forEach((n, c) => expect(w[c]).toBe(Math.fround(labels.length / (3 * n))));
    expect(Array.from(resolveClassWeights({ class_2: 4 }, d)!)).toEqual([1, 1, 4]);
    expect(resolveClassWeights({ class_1: 1 }, d)).toBeUndefined(); // all 1: the unweighted path
    expect(() => resolveClassWeights({ merlot: 2 }, d)).toThrow(
      /"merlot", which the data does not have; its classes are "class_0", "class_1", "class_2"/,
    );
  });

  it('weigh the loss: a class weighted 0 is never learnt, and the start event carries the weights', async () => {
    const seen: number[][] = [];
    const r = await fit(
      { x, y },
      {
        backend: jsBackend,
        epochs: 30,
        classWeight: { class_1: 0 },
        onEvent: (e) => void (e.event === 'start' && e.classWeights && seen.push(e.classWeights)),
      },
    );
    expect(seen).toEqual([[1, 0, 1]]);
    const plain = await fit({ x, y }, { backend: jsBackend, epochs: 30 });
    const class1 = (m: typeof r) => {
      const p = predictRows(jsBackend, m.model, x);
      return p.task === 'classify' ? p.labels.filter((l) => l === 'class_1').length : -1;
    };
    expect(class1(plain)).toBeGreaterThan(50); // 71 rows are class_1
    expect(class1(r)).toBeLessThan(5);
    expect(r.config.classWeight).toEqual({ class_1: 0 });
  });
});

describe('train() on a DataSet with weights', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nmlp-weights-'));
  const weighted = async (): Promise<DataSet> => {
    const d = (await fit({ x, y }, { backend: jsBackend, epochs: 1 })).data;
    return { ...d, train: { ...d.train, weights: Float32Array.from({ length: d.train.count }, (_, i) => (i % 3) * 0.75 + 0.5) } };
  };
  const cfg: TrainConfig = {
    epochs: 4,
    batch: 32,
    lr: 0.01,
    hidden: [8],
    seed: 3,
    evalImages: 0,
    optimizer: 'adam',
    classWeight: 'balanced',
  };

  it('a weighted run stopped mid-epoch resumes to the same weights, bit for bit; other weights are other data', async () => {
    const d = await weighted();
    const whole = train(jsBackend, d, cfg);
    const file = join(dir, 'mid.ckpt');
    const stopped = train(jsBackend, d, cfg, { checkpoint: file, onBatch: (p) => !(p.epoch === 2 && p.batch === 3) });
    expect(stopped.aborted).toBe(true);
    const resumed = train(jsBackend, d, cfg, { resume: file });
    expect(same(resumed.net.params, whole.net.params)).toBe(true);
    const other = { ...d, train: { ...d.train, weights: d.train.weights!.map((w) => w + 1) } };
    expect(() => train(jsBackend, other, cfg, { resume: file })).toThrow(/written for other data/);
    expect(() => train(jsBackend, d, { ...cfg, classWeight: {} }, { resume: file })).toThrow(/classWeight "balanced"/);
  });

  it("the test loss is the weighted mean of the test rows' cross-entropy (class weights included)", async () => {
    const d = await weighted();
    const withTest = { ...d, test: d.train };
    const r = train(jsBackend, withTest, cfg);
    const { probabilities } = predict(jsBackend, r.net, d.train.inputs as Float32Array);
    const labels = d.train.targets as Uint32Array;
    const cw = resolveClassWeights('balanced', d)!;
    let sum = 0,
      total = 0;
    labels.forEach((l, i) => {
      const w = Math.fround(d.train.weights![i] * cw[l]);
      sum += w * -Math.log(probabilities[i * 3 + l]);
      total += w;
    });
    expect(r.test!.testLoss).toBeCloseTo(sum / total, 5);
    const plain = train(jsBackend, { ...withTest, test: { ...d.train, weights: undefined } }, { ...cfg, classWeight: {} });
    expect(Math.abs(plain.test!.testLoss - r.test!.testLoss)).toBeGreaterThan(1e-3);
  });

  it('trainInWorker trains the same weighted network as train()', async () => {
    assertFreshDist();
    const d = await weighted();
    const here = train(jsBackend, d, cfg);
    const there = await trainInWorker(cfg, { data: d, backend: 'js' });
    expect(same(there.net.params, here.net.params)).toBe(true);
  }, 60_000);
});

describe('class weights on image bytes (the gather-ahead path)', () => {
  it('weigh the sparse and the dense first layer alike, bit for bit, and change the run', () => {
    const full = loadDataSet();
    const part = (set: DataSet['train'], n: number) => ({
      ...set,
      count: n,
      inputs: set.inputs.subarray(0, n * 784),
      targets: set.targets.subarray(0, n),
    });
    const d: DataSet = { task: 'classify', train: part(full.train, 1000), test: part(full.test, 200), classes: 10, source: 'mnist slice' };
    const cfg: TrainConfig = { epochs: 2, batch: 64, lr: 0.1, hidden: [16], seed: 0, evalImages: 0, classWeight: { 0: 3, 7: 0.5 } };
    const sparse = train(jsBackend, d, cfg, { input: 'sparse' });
    const dense = train(jsBackend, d, cfg, { input: 'dense' });
    expect(same(sparse.net.params, dense.net.params)).toBe(true);
    const plain = train(jsBackend, d, { ...cfg, classWeight: {} }, { input: 'sparse' });
    expect(maxDiff(plain.net.params, sparse.net.params)).toBeGreaterThan(1e-3);
  });
});
