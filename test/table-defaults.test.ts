/**
 * The defaults a run takes from its data (the notebook's for image bytes, scikit-learn's for
 * tables), explicit settings over them, the same defaults for train/trainAsync/trainInWorker/fit,
 * stopping on the training loss, the chance-loss warning, alpha, and the initial weights against
 * NumPy's default_rng (skipped without python3 + NumPy).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../src/backend/js/index.js';
import { dataSetFromSplits } from '../src/data/arrays.js';
import { initMlp } from '../src/nn/init.js';
import { defaultRng } from '../src/rng/index.js';
import { NOTEBOOK_CONFIG, resolvePreset, type StartEvent, train, type TrainEvent } from '../src/train/train.js';
import { fit } from '../src/train/fit.js';
import { randomF32 } from './helpers/random.js';

/** A small separable table: 3 classes of 60 rows around three centres. */
function table(rows = 60, seed = 1) {
  const noise = randomF32(rows * 4, seed, 0.3);
  const x: number[][] = [];
  const y: string[] = [];
  for (let i = 0; i < rows; i++) {
    const k = i % 3;
    x.push([k + noise[4 * i], -k + noise[4 * i + 1], k * 0.5 + noise[4 * i + 2], noise[4 * i + 3]]);
    y.push(['a', 'b', 'c'][k]);
  }
  return { x, y };
}

const startOf = (events: TrainEvent[]) => events.find((e) => e.event === 'start') as StartEvent;

describe('defaults chosen by the data', () => {
  it("a table takes scikit-learn's settings, stops on the training loss, and says so in the start event", async () => {
    const events: TrainEvent[] = [];
    const r = await fit(table(), { backend: jsBackend, onEvent: (e) => void events.push(e) });
    const s = startOf(events);
    expect(s).toMatchObject({
      preset: 'table',
      optimizer: 'adam',
      lr: 1e-3,
      batch: 60,
      epochs: 200,
      layers: [4, 100, 3],
      activation: 'relu',
      init: 'auto',
      earlyStopping: true,
      patience: 10,
      monitor: 'trainingLoss',
      minDelta: 1e-4,
      validationRows: 0,
    });
    expect(r.epochs.length).toBeGreaterThan(10);
    if (r.epochs.length < 200) expect(r.stop).toMatchObject({ reason: 'early-stopping', epoch: r.epochs.length });
  });

  it('explicit settings win over the table preset; a validation fraction switches to its loss', async () => {
    const events: TrainEvent[] = [];
    await fit(table(), {
      backend: jsBackend,
      epochs: 3,
      batch: 16,
      optimizer: 'sgd',
      lr: 0.05,
      hidden: [7, 5],
      activation: 'tanh',
      validation: 0.2,
      onEvent: (e) => void events.push(e),
    });
    expect(startOf(events)).toMatchObject({
      preset: 'table',
      epochs: 3,
      batch: 16,
      optimizer: 'sgd',
      lr: 0.05,
      layers: [4, 7, 5, 3],
      activation: 'tanh',
      monitor: 'validationLoss',
    });
  });

  it("image bytes keep the notebook's settings", () => {
    const data = dataSetFromSplits({ x: new Uint8Array(20 * 4), y: Uint32Array.from({ length: 20 }, (_, i) => i % 2) }, { features: 4 });
    expect(resolvePreset('notebook', data, {})).toMatchObject(NOTEBOOK_CONFIG);
    expect(resolvePreset('notebook', data, { lr: 0.5 }).lr).toBe(0.5);
  });

  it('train() takes the same partial settings and defaults as fit()', async () => {
    const t = table();
    const data = dataSetFromSplits({ x: t.x, y: t.y });
    const viaTrain: TrainEvent[] = [];
    const a = train(jsBackend, data, { epochs: 4 }, { onEvent: (e) => void viaTrain.push(e) });
    const viaFit: TrainEvent[] = [];
    const b = await fit(data, { backend: jsBackend, epochs: 4, standardize: false, onEvent: (e) => void viaFit.push(e) });
    const { backend: _a, ...sa } = startOf(viaTrain);
    const { backend: _b, ...sb } = startOf(viaFit);
    expect(sa).toMatchObject({ ...sb, data: sa.data });
    expect(Array.from(a.net.params)).toEqual(Array.from(b.net.params));
  });

  it('a prepared DataSet (a FitResult.data) trains as it is: not standardised again, no second split', async () => {
    const first = await fit(table(), { backend: jsBackend, epochs: 2, validation: 0.25 });
    const again = await fit(first.data, { backend: jsBackend, epochs: 2 });
    // The same statistics and rows (standardised once): the model predicts raw rows as the first does.
    expect(again.data.preprocessing).toBe(first.data.preprocessing);
    expect(again.data.train.inputs).toBe(first.data.train.inputs);
    // The same run as the first: same settings, same rows.
    expect(Array.from(again.net.params)).toEqual(Array.from(first.net.params));
    await expect(fit({ ...first.data, validation: undefined }, { backend: jsBackend, validation: 0.2 })).rejects.toThrow(
      /prepared already.*split its validation rows before/,
    );
  });

  it('warns once when the loss stays at ln(classes)', () => {
    const t = table(60, 3);
    const data = dataSetFromSplits({ x: t.x.map((r) => r.map(() => 0)), y: t.y });
    const events: TrainEvent[] = [];
    train(jsBackend, data, { epochs: 5, optimizer: 'sgd', lr: 1e-6, init: 'notebook' }, { onEvent: (e) => void events.push(e) });
    const warnings = events.filter((e) => e.event === 'warning');
    expect(warnings).toHaveLength(1);
    expect((warnings[0] as { message: string }).message).toMatch(
      /loss has not moved from ln\(classes\).*try adam, a smaller lr or --init he/,
    );
    const fine: TrainEvent[] = [];
    train(jsBackend, dataSetFromSplits(table()), { epochs: 4 }, { onEvent: (e) => void fine.push(e) });
    expect(fine.filter((e) => e.event === 'warning')).toHaveLength(0);
  });

  it('alpha adds 0.5 alpha sum(W^2) to the loss and shrinks the weights, biases untouched by it', () => {
    const data = dataSetFromSplits(table());
    const run = (alpha: number) => train(jsBackend, data, { epochs: 1, batch: 60, optimizer: 'sgd', lr: 0.1, alpha, earlyStopping: 0 });
    const plain = run(0);
    const a = 2;
    const penalised = run(a);
    const w0 = initMlp([4, 100, 3], defaultRng(0), undefined, 'relu', 'he');
    let sq = 0;
    for (const l of [1, 2]) for (const v of w0.W[l]) sq += v * v;
    expect(penalised.epochs[0].loss - plain.epochs[0].loss).toBeCloseTo((0.5 * a * sq) / 60, 4);
    // One SGD step: W' = W - lr (g + alpha W / rows); the biases follow g alone.
    const diffW = penalised.net.W[1][5] - plain.net.W[1][5];
    expect(diffW).toBeCloseTo((-0.1 * a * w0.W[1][5]) / 60, 5);
    expect(penalised.net.b[1][5]).toBeCloseTo(plain.net.b[1][5], 7);
  });

  it('refuses unknown activation and init names and negative tol or alpha with typed errors', () => {
    const data = dataSetFromSplits(table());
    expect(() => train(jsBackend, data, { activation: 'swish' as never })).toThrow(/Unknown activation "swish"/);
    expect(() => train(jsBackend, data, { init: 'lecun' as never })).toThrow(/Unknown init "lecun"/);
    expect(() => train(jsBackend, data, { tol: -1 })).toThrow(/tol/);
    expect(() => train(jsBackend, data, { alpha: NaN })).toThrow(/alpha/);
  });
});

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasNumpy)('initial weights against NumPy (skipped without python3 + numpy)', () => {
  it('he and glorot draw what default_rng(seed).normal / uniform draw, layer by layer', () => {
    const sizes = [5, 7, 3];
    const script = `
import sys, numpy as np
rng = np.random.default_rng(4)
a = rng.normal(0, np.sqrt(2 / 5), (5, 7)).astype(np.float32); b = rng.normal(0, np.sqrt(2 / 7), (7, 3)).astype(np.float32)
rng = np.random.default_rng(4)
c = rng.uniform(-np.sqrt(6 / 12), np.sqrt(6 / 12), (5, 7)).astype(np.float32); d = rng.uniform(-np.sqrt(6 / 10), np.sqrt(6 / 10), (7, 3)).astype(np.float32)
print(' '.join(repr(float(v)) for v in np.concatenate([a.ravel(), b.ravel(), c.ravel(), d.ravel()])))`;
    const out = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
    expect(out.status, out.stderr).toBe(0);
    const want = out.stdout.trim().split(' ').map(Number);
    const he = initMlp(sizes, defaultRng(4), undefined, 'relu', 'he');
    const glorot = initMlp(sizes, defaultRng(4), undefined, 'tanh', 'auto');
    const got = [...he.W[1], ...he.W[2], ...glorot.W[1], ...glorot.W[2]];
    expect(got).toEqual(want);
  });
});
