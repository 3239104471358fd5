/**
 * Checkpoints and exact resume, early stopping, the non-finite guard and callbacks that stop a
 * run, on a small slice of real MNIST so every backend runs them quickly.
 */
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { type DataSet, loadDataSet, type Rows } from '../src/data/mnist.js';
import { createModel } from '../src/nn/init.js';
import { Mlp } from '../src/nn/mlp.js';
import { loadCheckpoint } from '../src/train/checkpoint.js';
import { NOTEBOOK_CONFIG, train, type TrainConfig } from '../src/train/train.js';
import { forEachBackend } from './helpers/backends.js';

const full = loadDataSet();
/** Rows [at, at + n) of a split, as views. */
function part(set: Rows, at: number, n: number): Rows {
  const f = set.features;
  return { inputs: set.inputs.subarray(at * f, (at + n) * f), targets: set.targets.subarray(at, at + n), count: n, features: f };
}
function slice(from: number, count: number): DataSet {
  return { task: 'classify', train: part(full.train, from, count), test: part(full.test, 0, 500), classes: 10, source: 'slice' };
}
const data = slice(0, 1500);
/** The same rows with the second half held out for validation. */
const withValidation: DataSet = { ...data, train: part(data.train, 0, 750), validation: part(data.train, 750, 750) };
const dir = mkdtempSync(join(tmpdir(), 'nmlp-ckpt-'));
const same = (a: Float32Array, b: Float32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

const ADAM: TrainConfig = {
  ...NOTEBOOK_CONFIG,
  epochs: 8,
  batch: 64,
  lr: 0.002,
  hidden: [32],
  evalImages: 300,
  optimizer: 'adam',
  weightDecay: 1e-4,
  schedule: 'cosine',
  warmup: 1,
};

forEachBackend('checkpoints', (be, variant) => {
  if (!variant.best) {
    it.skip('whole training runs: once per backend, at the ISA it picks itself', () => {});
    return;
  }
  it('resuming after epoch 1, 3 or 7 of an 8-epoch Adam run ends with the same weights, bit for bit', () => {
    const file = join(dir, `${be.name}-run.ckpt`);
    const whole = train(be, data, ADAM, {
      checkpoint: file,
      onEvent: (e) => {
        if (e.event === 'epoch' && [1, 3, 7].includes(e.epoch)) copyFileSync(file, join(dir, `${be.name}-after-${e.epoch}.ckpt`));
      },
    });
    expect(whole.epochs.map((e) => e.lr)[0]).toBeCloseTo(0.001, 12); // warm-up epoch
    for (const k of [1, 3, 7]) {
      const ck = join(dir, `${be.name}-after-${k}.ckpt`);
      expect(loadCheckpoint(ck).epoch).toBe(k);
      const resumed = train(be, data, ADAM, { resume: ck });
      expect(resumed.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: 8 - k }, (_, i) => k + 1 + i));
      expect(same(resumed.net.params, whole.net.params), `resumed after epoch ${k}`).toBe(true);
      expect(resumed.test).toEqual(whole.test);
    }
  });

  it('a run stopped mid-epoch writes a checkpoint that resumes to the same weights', () => {
    const cfg: TrainConfig = { ...ADAM, epochs: 3, optimizer: 'nesterov', lr: 0.05 };
    const whole = train(be, data, cfg);
    const file = join(dir, `${be.name}-mid.ckpt`);
    const stopped = train(be, data, cfg, { checkpoint: file, onBatch: (p) => !(p.epoch === 2 && p.batch === 5) });
    expect(stopped.aborted).toBe(true);
    expect(stopped.stop).toMatchObject({ reason: 'callback', epoch: 2, batch: 5 });
    const ck = loadCheckpoint(file);
    expect([ck.epoch, ck.batch]).toEqual([1, 5]);
    const resumed = train(be, data, cfg, { resume: file });
    expect(same(resumed.net.params, whole.net.params)).toBe(true);
  });

  it('with checkpointSeconds, epochs pass without a checkpoint until one is due, and a stop still writes one', () => {
    const cfg: TrainConfig = { ...ADAM, epochs: 4 };
    const whole = train(be, data, cfg);
    const file = join(dir, `${be.name}-seldom.ckpt`);
    const written: boolean[] = [];
    const stopped = train(be, data, cfg, {
      checkpoint: file,
      checkpointSeconds: 3600,
      onEvent: (e) => {
        if (e.event !== 'epoch') return;
        written.push(existsSync(file));
        return e.epoch < 2;
      },
    });
    expect(written).toEqual([false, false]);
    expect(stopped.stop).toMatchObject({ reason: 'callback', epoch: 3 });
    expect(loadCheckpoint(file).epoch).toBe(2);
    const resumed = train(be, data, cfg, { resume: file });
    expect(same(resumed.net.params, whole.net.params)).toBe(true);
  });

  it('a checkpoint from other data or another architecture is refused, naming why', () => {
    const file = join(dir, `${be.name}-other.ckpt`);
    const cfg: TrainConfig = { ...ADAM, epochs: 1 };
    train(be, data, cfg, { checkpoint: file });
    expect(() => train(be, slice(1500, 1500), { ...cfg, epochs: 2 }, { resume: file })).toThrow(/was written for other data/);
    expect(() => train(be, data, { ...cfg, epochs: 2, hidden: [16] }, { resume: file })).toThrow(
      /was written with hidden \[32\] but this run has hidden \[16\]/,
    );
    expect(() => train(be, data, { ...cfg, epochs: 2, optimizer: 'sgd' }, { resume: file })).toThrow(/optimizer "adam"/);
  });

  it("early stopping restores the best epoch's weights exactly and reports it before the test", () => {
    // On the backend's own memory, so training runs on this very network (WASM would copy it).
    const drawn = createModel({ sizes: [784, 32, 10], seed: 3 });
    const net = new Mlp(drawn.sizes, be.alloc(drawn.params.length));
    net.params.set(drawn.params);
    const snapshots = new Map<number, Float32Array>();
    const events: string[] = [];
    const r = train(
      be,
      withValidation,
      { ...NOTEBOOK_CONFIG, epochs: 40, batch: 32, lr: 0.3, hidden: [32], evalImages: 100, earlyStopping: 2 },
      {
        net,
        onEvent: (e) => {
          events.push(e.event);
          if (e.event === 'epoch') snapshots.set(e.epoch, Float32Array.from(net.params));
        },
      },
    );
    expect(r.stop?.reason).toBe('early-stopping');
    const losses = r.epochs.map((e) => e.validationLoss!);
    const best = losses.indexOf(Math.min(...losses)) + 1;
    expect(r.stop?.bestEpoch).toBe(best);
    expect(r.epochs.length).toBe(best + 2);
    expect(same(r.net.params, snapshots.get(best)!)).toBe(true);
    expect(events.slice(-2)).toEqual(['stop', 'test']);
  });

  it('early stopping without a validation split is refused with what to do', () => {
    expect(() => train(be, data, { ...ADAM, earlyStopping: 2 })).toThrow(/validation split for early stopping.*--validation 0.1/);
  });

  it('a diverging run stops with one line naming the epoch and batch and suggesting a smaller lr', () => {
    const cfg: TrainConfig = { ...NOTEBOOK_CONFIG, epochs: 2, hidden: [16], lr: 1e30, evalImages: 100 };
    expect(() => train(be, data, cfg)).toThrow(/non-finite at epoch 1, batch \d+ \(lr 1e\+30\).*smaller learning rate/);
    expect(train(be, data, { ...cfg, allowNonFinite: true }).aborted).toBe(false);
  });
});

it('trainInWorker passes the loop options through: a callback returning false stops it, the checkpoint resumes', async () => {
  const { trainInWorker } = await import('../src/train/worker.js');
  const file = join(dir, 'worker.ckpt');
  const cfg: TrainConfig = { ...ADAM, epochs: 2 };
  const stopped = await trainInWorker(cfg, { backend: 'js', data, checkpoint: file, onBatch: (p) => p.batch < 3 });
  expect(stopped.aborted).toBe(true); // within a batch or so: the flag crosses threads asynchronously
  expect(loadCheckpoint(file).epoch).toBeLessThan(2);
  const resumed = await trainInWorker(cfg, { backend: 'js', data, resume: file });
  const { jsBackend } = await import('../src/backend/js/index.js');
  const whole = train(jsBackend, data, cfg);
  expect(resumed.aborted).toBe(false);
  expect(same(resumed.net.params, whole.net.params)).toBe(true);
}, 60_000);

it('trainAsync lets timers run, so AbortSignal.timeout stops it', async () => {
  const { trainAsync } = await import('../src/train/train.js');
  const { jsBackend } = await import('../src/backend/js/index.js');
  const r = await trainAsync(jsBackend, data, { ...ADAM, epochs: 50 }, { signal: AbortSignal.timeout(300) });
  expect(r.aborted).toBe(true);
  expect(r.stop?.reason).toBe('aborted');
}, 60_000);
