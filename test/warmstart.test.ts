/**
 * One entry for every way to train: train, trainAsync, trainInWorker and fit resolve the same
 * settings from the same partial options; fit in a worker returns the same full model, bit for
 * bit, as on the calling thread; a warm start (fit's `from`) continues a model on new rows of its
 * schema through its own pipeline, and whatever differs from that schema is one typed error.
 * Real CSV files (scikit-learn's wine table, split in two), the TypeScript backend.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type DataSet,
  DataError,
  dataSetFromArrays,
  dataSetFromSplits,
  fit,
  type FitOptions,
  type FitResult,
  saveModel,
  selectBackend,
  train,
  trainAsync,
  trainInWorker,
  type TrainConfig,
  type TrainEvent,
  UserError,
} from '../src/index.js';
import { encodeIdx } from '../src/data/idx.js';
import { assertFreshDist } from './helpers/dist.js';
import { xorshift } from './helpers/random.js';

/** Floats in [0, 1) from a seed. */
const seededRandom = (seed: number) => {
  const next = xorshift(seed);
  return () => (next() + 1) / 2;
};

const dir = mkdtempSync(join(tmpdir(), 'nmlp-warmstart-'));
const be = selectBackend('js');

/** wine.csv's rows split in two files of the same columns (odd and even data lines). */
function splitWine(): { a: string; b: string } {
  const [header, ...rows] = readFileSync(new URL('./fixtures/wine.csv', import.meta.url), 'utf8')
    .trim()
    .split('\n');
  const a = join(dir, 'wine-a.csv');
  const b = join(dir, 'wine-b.csv');
  writeFileSync(a, [header, ...rows.filter((_, i) => i % 2 === 0)].join('\n') + '\n');
  writeFileSync(b, [header, ...rows.filter((_, i) => i % 2 === 1)].join('\n') + '\n');
  return { a, b };
}
const { a, b } = splitWine();
const bits = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);

beforeAll(() => assertFreshDist());

describe('train, trainAsync, trainInWorker and fit resolve the same settings', () => {
  const rnd = seededRandom(7);
  const floats: DataSet = dataSetFromSplits(
    { x: Array.from({ length: 60 }, () => [rnd(), rnd(), rnd()]), y: Array.from({ length: 60 }, (_, i) => i % 3) },
    {
      test: {
        x: [
          [0.1, 0.2, 0.3],
          [0.3, 0.2, 0.1],
        ],
        y: [0, 1],
      },
    },
  );
  const bytes: DataSet = dataSetFromArrays({
    trainImages: Uint8Array.from({ length: 40 * 16 }, () => Math.floor(rnd() * 256)),
    trainLabels: Uint8Array.from({ length: 40 }, (_, i) => i % 10),
    testImages: Uint8Array.from({ length: 5 * 16 }, () => Math.floor(rnd() * 256)),
    testLabels: Uint8Array.from({ length: 5 }, (_, i) => i),
    features: 16,
  });
  const cases: [string, DataSet, Partial<TrainConfig>][] = [
    ["a table (scikit-learn's preset)", floats, { epochs: 2, hidden: [5], lr: 0.01 }],
    ["image bytes (the notebook's preset)", bytes, { epochs: 1, hidden: [6], seed: 3 }],
  ];
  for (const [name, data, partial] of cases) {
    it(
      name,
      async () => {
        const runs = [
          train(be, data, partial),
          await trainAsync(be, data, partial),
          await trainInWorker(partial, { data, backend: 'js' }),
          await fit(data, { ...partial, backend: be }),
        ];
        const configs = runs.map((r) => r.config);
        for (const c of configs.slice(1)) expect(c).toEqual(configs[0]);
        expect(configs[0].hidden).toEqual(partial.hidden); // the partial input is there, not overwritten
        expect(configs[0].optimizer).toBe(data === floats ? 'adam' : 'sgd'); // and the preset's defaults fill the rest
      },
      60_000,
    );
  }
});

describe('fit with worker: true', () => {
  it('returns the full model (pipeline, class names, scaling, config) with the same weights bit for bit, and streams events', async () => {
    const options: FitOptions = { target: 'cultivar', epochs: 3, hidden: [8], seed: 5, backend: 'js' };
    const here = await fit(a, options);
    const events: string[] = [];
    let batches = 0;
    const there = await fit(a, { ...options, worker: true, onEvent: (e) => void events.push(e.event), onBatch: () => void batches++ });
    expect(bits(there.net.params).equals(bits(here.net.params))).toBe(true);
    expect(there.model.pipeline).toEqual(here.model.pipeline);
    expect(there.model.classNames).toEqual(['class_0', 'class_1', 'class_2']);
    expect(there.model.preprocessing).toEqual(here.model.preprocessing);
    expect(there.config).toEqual(here.config);
    expect(there.test).toEqual(here.test);
    expect(events).toEqual(['start', 'epoch', 'epoch', 'epoch', 'stop', 'test']);
    expect(batches).toBe(3); // one batch of min(200, rows) per epoch
  }, 60_000);

  it('progress reaches the caller while the worker runs: onBatch returning false stops it, the model as of then', async () => {
    const seen: number[] = [];
    const r = await fit(a, {
      target: 'cultivar',
      epochs: 500,
      batch: 16,
      backend: 'js',
      worker: true,
      onBatch: (p) => (seen.push(p.epoch), p.epoch < 2),
    });
    expect(r.aborted).toBe(true);
    expect(Math.max(...seen)).toBeLessThan(4); // stopped within a batch or two of the answer, not after 500 epochs
    expect(r.epochs.length).toBeGreaterThanOrEqual(1);
    expect(r.model.pipeline).toBeDefined();
  }, 60_000);

  it('on an IDX folder too (the in-thread run draws its weights while the files load, the worker in the loop)', async () => {
    const rnd = seededRandom(11);
    const folder = mkdtempSync(join(dir, 'idx-'));
    const write = (name: string, dims: number[], data: Uint8Array) => writeFileSync(join(folder, name), encodeIdx(dims, data));
    write(
      'train-images-idx3-ubyte',
      [120, 4, 4],
      Uint8Array.from({ length: 120 * 16 }, () => Math.floor(rnd() * 256)),
    );
    write(
      'train-labels-idx1-ubyte',
      [120],
      Uint8Array.from({ length: 120 }, (_, i) => i % 10),
    );
    write(
      't10k-images-idx3-ubyte',
      [20, 4, 4],
      Uint8Array.from({ length: 20 * 16 }, () => Math.floor(rnd() * 256)),
    );
    write(
      't10k-labels-idx1-ubyte',
      [20],
      Uint8Array.from({ length: 20 }, (_, i) => i % 10),
    );
    const starts: TrainEvent[] = [];
    const here = await fit(folder, {
      epochs: 2,
      hidden: [8],
      batch: 16,
      backend: 'js',
      onEvent: (e) => void (e.event === 'start' && starts.push(e)),
    });
    const there = await fit(folder, {
      epochs: 2,
      hidden: [8],
      batch: 16,
      backend: 'js',
      worker: true,
      onEvent: (e) => void (e.event === 'start' && starts.push(e)),
    });
    expect(bits(there.net.params).equals(bits(here.net.params))).toBe(true);
    // The start event names the initialisation, not "given", both ways.
    expect(starts.map((s) => s.event === 'start' && s.init)).toEqual(['notebook', 'notebook']);
  }, 60_000);
});

describe('warm start: fit(data, { from })', () => {
  let first: FitResult;
  beforeAll(async () => {
    first = await fit(a, { target: 'cultivar', epochs: 20, hidden: [8], backend: 'js' });
  }, 60_000);

  it("starts from the model's weights, keeps its pipeline and scaling, and leaves the model unchanged", async () => {
    const before = Float32Array.from(first.model.net.params);
    // An lr so small that one epoch cannot move a weight: the run's weights are the model's.
    const still = await fit(b, { from: first.model, epochs: 1, lr: 1e-30, backend: 'js' });
    expect(bits(still.net.params).equals(bits(before))).toBe(true);
    const warm = await fit(b, { from: first.model, epochs: 3, lr: 0.01, backend: 'js' });
    expect(bits(first.model.net.params).equals(bits(before))).toBe(true); // the caller's model is not trained in place
    expect(bits(warm.net.params).equals(bits(before))).toBe(false);
    expect(warm.model.pipeline).toBe(first.model.pipeline);
    expect(warm.model.preprocessing).toBe(first.model.preprocessing);
    expect(warm.data.preprocessing).toBe(first.model.preprocessing); // applied, not refitted on b's rows
    expect(warm.config.hidden).toEqual([8]);
  }, 60_000);

  it('from a file: the start event says "from FILE" and the result carries the file\'s SHA-256', async () => {
    const file = join(dir, 'first.safetensors');
    saveModel(file, first.net, {}, first.model);
    const starts: TrainEvent[] = [];
    const warm = await fit(b, { from: file, epochs: 1, backend: 'js', onEvent: (e) => void (e.event === 'start' && starts.push(e)) });
    expect(starts[0]).toMatchObject({ init: `from ${file}`, warmStart: file });
    expect(warm.warmStart?.path).toBe(file);
    expect(warm.warmStart?.sha256).toMatch(/^[0-9a-f]{64}$/);
  }, 60_000);

  it('rows of another schema are one DataError naming what differs', async () => {
    const [header, ...rows] = readFileSync(b, 'utf8').trim().split('\n');
    const variant = (name: string, edit: (cols: string[]) => string[]) => {
      const f = join(dir, name);
      writeFileSync(f, [header, ...rows].map((l) => edit(l.split(',')).join(',')).join('\n') + '\n');
      return f;
    };
    const noProline = variant('no-proline.csv', (c) => c.filter((_, j) => j !== 12));
    const newClass = variant('new-class.csv', (c) => (c[13] === 'class_2' ? [...c.slice(0, 13), 'class_9'] : c));
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => fit(noProline, { from: first.model, backend: 'js' }), /no-proline\.csv: no column "proline", which the model needs/],
      [
        () => fit(newClass, { from: first.model, backend: 'js' }),
        /new-class\.csv: line \d+, column "cultivar": class "class_9" is not one of the model's classes/,
      ],
      [() => fit(b, { from: first.model, target: 'alcohol', backend: 'js' }), /target alcohol differs from the model's target cultivar/],
      [
        () => fit({ x: [[1, 2, 3]], y: ['class_0'] }, { from: first.model, backend: 'js' }),
        /the rows have 3 input features but the model takes 13/,
      ],
    ];
    for (const [run, message] of cases) {
      const e = await run().then(
        () => null,
        (err: Error) => err,
      );
      expect(e).toBeInstanceOf(DataError);
      expect(e!.message).toMatch(message);
      expect(e!.message).not.toContain('\n');
    }
  }, 60_000);

  it('settings that contradict the model are refused by name', async () => {
    const cases: [object, RegExp][] = [
      [{ hidden: [9] }, /hidden 9 \(--hidden\) contradicts the model's hidden layers 8/],
      [{ activation: 'tanh' }, /activation tanh \(--activation\) contradicts the model's activation relu/],
      [{ init: 'he' }, /init he \(--init\) has no effect/],
      [
        { table: { categorical: ['ash'] } },
        /table\.categorical \(--categorical\) has no effect: the rows go through the model's own pipeline/,
      ],
      [{ task: 'regress' }, /task regress \(--task\) contradicts the model's task classify/],
    ];
    for (const [options, message] of cases) {
      const e = await fit(b, { from: first.model, backend: 'js', ...options }).then(
        () => null,
        (err: Error) => err,
      );
      expect(e).toBeInstanceOf(UserError);
      expect(e!.message).toMatch(message);
    }
  }, 60_000);
});

describe('fit(undefined, { resume }) takes the data from the checkpoint', () => {
  it('ends with the same weights, bit for bit, as a run never stopped', async () => {
    const options: FitOptions = { target: 'cultivar', hidden: [6], validation: 0.2, earlyStopping: 50, backend: 'js' };
    const ckpt = join(dir, 'resume.ckpt');
    await fit(a, { ...options, epochs: 3, checkpoint: ckpt });
    const resumed = await fit(undefined, { resume: ckpt, epochs: 6, backend: 'js' });
    const unbroken = await fit(a, { ...options, epochs: 6 });
    expect(resumed.epochs.map((e) => e.epoch)).toEqual([4, 5, 6]);
    expect(bits(resumed.net.params).equals(bits(unbroken.net.params))).toBe(true);
    expect(resumed.model.pipeline).toEqual(unbroken.model.pipeline);
  }, 60_000);
});
