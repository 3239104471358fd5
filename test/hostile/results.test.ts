/**
 * Hostile class: wrong or silent results. Empty data sets, a non-finite init std, errors that
 * lose their class across trainInWorker, sgemm with C overlapping A or B (on every backend), and
 * raw images whose first bytes look like an IDX header.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { availableBackends } from '../../src/backend/select.js';
import { MemoryBudgetError } from '../../src/budget.js';
import { DataError, UserError } from '../../src/errors.js';
import { encodeIdx } from '../../src/data/idx.js';
import { readImages } from '../../src/data/images.js';
import { dataSetFromArrays } from '../../src/data/mnist.js';
import { ModelFileError } from '../../src/model/errors.js';
import { createModel } from '../../src/nn/init.js';
import { NOTEBOOK_CONFIG } from '../../src/train/train.js';
import { trainInWorker } from '../../src/train/worker.js';
import { assertFreshDist } from '../helpers/dist.js';

const dir = mkdtempSync(join(tmpdir(), 'native-mlp-results-'));
const arrays = (train: number, test: number) => ({
  trainImages: new Uint8Array(train * 4),
  trainLabels: new Uint8Array(train),
  testImages: new Uint8Array(test * 4),
  testLabels: new Uint8Array(test),
  features: 4,
});

describe('empty data sets are refused', () => {
  it('from arrays (training or test set) and from IDX files', () => {
    expect(() => dataSetFromArrays(arrays(0, 3))).toThrow(/trainLabels is empty; the train set needs at least one example/);
    expect(() => dataSetFromArrays(arrays(3, 0))).toThrow(/testLabels is empty/);
    expect(() => dataSetFromArrays(arrays(0, 0))).toThrow(DataError);
    expect(dataSetFromArrays(arrays(1, 1)).train.count).toBe(1);
  });
});

describe('createModel refuses a std that gives non-finite weights', () => {
  it.each([Infinity, -Infinity, NaN, -0.1, '0.1'])('std %s', (std) => {
    expect(() => createModel({ sizes: [4, 3, 2], std: std as number })).toThrow(RangeError);
    expect(() => createModel({ sizes: [4, 3, 2], std: std as number })).toThrow(/Expected std to be a finite number >= 0/);
  });
  it('std 0 and the default are fine', () => {
    expect(createModel({ sizes: [4, 3, 2], std: 0 }).W[1].every((v) => v === 0)).toBe(true);
    expect(Number.isFinite(createModel({ sizes: [4, 3, 2] }).W[1][0])).toBe(true);
  });
});

describe('errors keep their class across trainInWorker', () => {
  it('DataError, RangeError, TypeError, MemoryBudgetError (a UserError), ModelFileError-free paths', async () => {
    assertFreshDist();
    const run = (config: object, options: object) =>
      trainInWorker({ ...NOTEBOOK_CONFIG, epochs: 1, ...config }, { backend: 'js', ...options });
    const data = dataSetFromArrays(arrays(8, 2));
    await expect(run({}, { data: join(dir, 'missing') })).rejects.toBeInstanceOf(DataError);
    await expect(run({}, { data: '/dev/zero' })).rejects.toThrow(/data folder not found|not a folder|not a regular file/);
    await expect(run({ epochs: 0 }, { data })).rejects.toBeInstanceOf(RangeError);
    await expect(run({ hidden: [1e6] }, { data })).rejects.toBeInstanceOf(MemoryBudgetError);
    await expect(run({ hidden: [1e6] }, { data })).rejects.toBeInstanceOf(UserError);
    await expect(run({}, { data, backend: 'nope' })).rejects.toMatchObject({ name: expect.stringMatching(/Error/) });
    const e = await run({ epochs: 0 }, { data }).catch((x: unknown) => x);
    expect((e as Error).name).toBe('RangeError');
    expect(ModelFileError.name).toBe('ModelFileError'); // revived by name too (src/train/worker.ts)
  });
});

describe('sgemm refuses C overlapping A or B, on every backend', () => {
  for (const be of availableBackends()) {
    it(`${be.name}`, () => {
      const buf = new Float32Array(64);
      const a = buf.subarray(0, 16); // 4x4
      const b = buf.subarray(16, 32);
      const call = (c: Float32Array, A = a, B = b) => be.sgemm(false, false, 4, 4, 4, 1, A, 4, B, 4, 0, c, 4);
      expect(() => call(a)).toThrow(/Expected c not to overlap a/);
      expect(() => call(b)).toThrow(/Expected c not to overlap b/);
      expect(() => call(buf.subarray(8, 24))).toThrow(RangeError);
      expect(() => call(buf.subarray(30, 46))).toThrow(/overlap b/);
      // Disjoint views of one buffer are fine; so is a C that touches A only where A is not read.
      a.fill(1);
      b.fill(2);
      const c = buf.subarray(32, 48);
      call(c);
      expect(c[0]).toBe(8);
      // alpha = 0: A and B are not read, so no overlap is possible.
      be.sgemm(false, false, 4, 4, 4, 0, a, 4, b, 4, 0, a, 4);
      // A separate copy of the same values is the fix the message suggests.
      const out = new Float32Array(16);
      be.sgemm(false, false, 4, 4, 4, 1, Float32Array.from(b), 4, b, 4, 0, out, 4);
      expect(out[0]).toBe(16);
    });
  }
});

describe('raw images that start like an IDX header', () => {
  it('are IDX only when the whole header is consistent with the file size', () => {
    const raw = new Uint8Array(784 * 3);
    raw.set([0, 0, 8, 3, 0, 0, 0, 9]); // looks like IDX magic, promises 9 images it does not hold
    const rawFile = join(dir, 'raw-magic.bin');
    writeFileSync(rawFile, raw);
    expect(readImages(rawFile, 784).length).toBe(784 * 3);
    const idx = join(dir, 'real.idx');
    writeFileSync(idx, encodeIdx([2, 28, 28], new Uint8Array(784 * 2).fill(5)));
    expect(readImages(idx, 784)).toEqual(new Uint8Array(784 * 2).fill(5));
    const odd = join(dir, 'odd.bin');
    writeFileSync(odd, Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 99, 1]));
    expect(() => readImages(odd, 784)).toThrow(
      /9 bytes is not an IDX file \(its IDX header promises 107 bytes\) nor a whole number of 784-byte raw images/,
    );
    const wrongSize = join(dir, 'wrong.idx');
    writeFileSync(wrongSize, encodeIdx([2, 10, 10], new Uint8Array(200)));
    expect(() => readImages(wrongSize, 784)).toThrow(/images have 100 pixels but the model takes 784/);
    expect(() => readImages('/dev/zero', 784)).toThrow(/is a character device/);
  });
});
