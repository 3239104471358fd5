/**
 * Dropout on every backend and instruction set: the kernel against a reference of the hash
 * written here with BigInt arithmetic, bit for bit against the TypeScript backend, its keep rate,
 * in place, argument errors; a gradient check with the mask held fixed; and whole training runs
 * (bit-identical across thread counts, within roundings across backends, exact resume, off at
 * evaluation, P = 0 the same run as no dropout).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { jsBackend } from '../src/backend/js/index.js';
import { type DataSet, loadDataSet, type Rows } from '../src/data/mnist.js';
import { dropoutKey } from '../src/nn/dropout.js';
import { backward, forward, Mlp, Workspace } from '../src/nn/mlp.js';
import { loadCheckpoint } from '../src/train/checkpoint.js';
import { NOTEBOOK_CONFIG, train, type TrainConfig } from '../src/train/train.js';
import { forEachBackend } from './helpers/backends.js';
import { randomF32 } from './helpers/random.js';
import { expectCentralDifferences } from './helpers/reference.js';

/** MurmurHash3's fmix32 and the element's bits, in BigInt (not the library's Math.imul code). */
const M32 = (1n << 32n) - 1n;
function fmix(h: bigint): bigint {
  h ^= h >> 16n;
  h = (h * 0x85ebca6bn) & M32;
  h ^= h >> 13n;
  h = (h * 0xc2b2ae35n) & M32;
  return h ^ (h >> 16n);
}
const bits = (k0: number, k1: number, i: number) => Number(fmix(fmix(BigInt(k0) ^ ((BigInt(i) * 0x9e3779b1n) & M32)) ^ BigInt(k1)));
/** The reference multiplier of element i: 1 / (1 - p) in float32 where kept, else 0. */
const multiplier = (p: number, k0: number, k1: number, i: number) =>
  bits(k0, k1, i) >= Math.floor(p * 2 ** 32) ? Math.fround(1 / (1 - p)) : 0;

const sameBits = (a: Float32Array, b: Float32Array, what: string) => {
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) expect.fail(`${what}: element ${i} is ${a[i]}, expected ${b[i]}`);
  }
};

forEachBackend('dropout kernel', (be) => {
  it('matches the reference hash and multiplier, and the TypeScript backend bit for bit', () => {
    const n = 4099;
    const x = randomF32(n, 5, 3);
    x.set([0, -0, 1e-40, -1e-40, 3e38, -3e38, Infinity, NaN], 0);
    for (const [p, k0, k1] of [
      [0.5, 1, 2],
      [0.1, 0xffffffff, 0],
      [0.9, 0x12345678, 0x9abcdef0],
      [0, 7, 7],
    ]) {
      const out = new Float32Array(n).fill(NaN);
      be.dropout(out, x, n, p, k0, k1);
      for (let i = 8; i < n; i++) {
        const want = Math.fround(x[i] * multiplier(p, k0, k1, i));
        if (!Object.is(out[i], want)) expect.fail(`p ${p} key ${k0},${k1}: element ${i} is ${out[i]}, expected ${want}`);
      }
      const js = new Float32Array(n);
      jsBackend.dropout(js, x, n, p, k0, k1);
      sameBits(out, js, `p ${p}`);
      const inPlace = Float32Array.from(x);
      be.dropout(inPlace, inPlace, n, p, k0, k1);
      sameBits(inPlace, js, `p ${p} in place`);
    }
  });

  it('keeps a fraction near 1 - p, with masks that differ by key', () => {
    const n = 200_000;
    const ones = new Float32Array(n).fill(1);
    for (const p of [0.1, 0.5, 0.8]) {
      const a = new Float32Array(n);
      const b = new Float32Array(n);
      be.dropout(a, ones, n, p, ...dropoutKey({ p, seed: 0, step: 0 }, 1));
      be.dropout(b, ones, n, p, ...dropoutKey({ p, seed: 0, step: 1 }, 1));
      const kept = a.reduce((s, v) => s + (v > 0 ? 1 : 0), 0) / n;
      const sd = Math.sqrt((p * (1 - p)) / n);
      expect(Math.abs(kept - (1 - p))).toBeLessThan(5 * sd);
      // Two steps' masks agree as independent ones would: p^2 + (1 - p)^2 of the time.
      let agree = 0;
      for (let i = 0; i < n; i++) agree += a[i] > 0 === b[i] > 0 ? 1 : 0;
      expect(Math.abs(agree / n - (p * p + (1 - p) * (1 - p)))).toBeLessThan(0.01);
      expect(a.every((v) => v === 0 || v === Math.fround(1 / (1 - p)))).toBe(true);
    }
  });

  it('refuses p outside [0, 1), NaN, keys that are not uint32, short arrays and partial overlaps', () => {
    const f = (n: number) => new Float32Array(n);
    for (const p of [1, -0.1, NaN, Infinity]) expect(() => be.dropout(f(4), f(4), 4, p, 0, 0)).toThrow(/p to be a number in \[0, 1\)/);
    expect(() => be.dropout(f(4), f(4), 4, 0.5, -1, 0)).toThrow(/key0/);
    expect(() => be.dropout(f(4), f(4), 4, 0.5, 0, 2 ** 32)).toThrow(/key1/);
    expect(() => be.dropout(f(4), f(4), 4, 0.5, 0.5, 0)).toThrow(/key0/);
    expect(() => be.dropout(f(3), f(4), 4, 0.5, 0, 0)).toThrow(/out/);
    expect(() => be.dropout(f(4), f(3), 4, 0.5, 0, 0)).toThrow(/x/);
    const shared = f(10);
    expect(() => be.dropout(shared.subarray(1, 5), shared.subarray(0, 4), 4, 0.5, 0, 0)).toThrow(/overlap/);
  });

  for (const act of ['relu', 'tanh'] as const) {
    it(`gradient check of a 3-layer ${act} net with its dropout masks held fixed`, () => {
      const sizes = [5, 8, 6, 3];
      const rows = 6;
      const drop = { p: 0.4, seed: 3, step: 17 };
      const count = new Mlp(sizes).params.length;
      const net = new Mlp(
        sizes,
        randomF32(count, 70).map((v) => v * 0.9),
        undefined,
        act,
      );
      const ws = new Workspace(net, rows, undefined, rows);
      ws.X.set(randomF32(rows * sizes[0], 71));
      const labels = Uint32Array.from({ length: rows }, (_, i) => i % 3);
      // The reference: hidden layer l's activation times the fixed multiplier of its element.
      const masks = [1, 2].map((l) => Array.from({ length: rows * sizes[l] }, (_, i) => multiplier(drop.p, ...dropoutKey(drop, l), i)));
      const f = act === 'relu' ? (v: number) => Math.max(v, 0) : Math.tanh;
      const loss = (p: Float64Array) => {
        // The forward pass in float64, each hidden layer's activation times its fixed multiplier.
        let h = Float64Array.from(ws.X.subarray(0, rows * sizes[0]));
        let off = 0;
        for (let l = 1; l < sizes.length; l++) {
          const [nin, nout] = [sizes[l - 1], sizes[l]];
          const u = new Float64Array(rows * nout);
          for (let i = 0; i < rows; i++)
            for (let j = 0; j < nout; j++) {
              let v = p[off + nin * nout + j];
              for (let k = 0; k < nin; k++) v += h[i * nin + k] * p[off + k * nout + j];
              u[i * nout + j] = l < sizes.length - 1 ? f(v) * masks[l - 1][i * nout + j] : v;
            }
          off += nin * nout + nout;
          h = u;
        }
        const out = h;
        let sum = 0;
        for (let i = 0; i < rows; i++) {
          const row = Array.from(out.subarray(i * 3, i * 3 + 3));
          const max = Math.max(...row);
          sum += Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) + max - row[labels[i]];
        }
        return sum / rows;
      };
      forward(be, net, ws, rows, undefined, undefined, drop);
      const got = backward(be, net, ws, labels, rows, undefined, undefined, undefined, drop);
      const p64 = Float64Array.from(net.params);
      expect(got / rows).toBeCloseTo(loss(p64), 5);
      expect(expectCentralDifferences(p64, ws.grads.params, loss)).toBe(count);
      expect(masks.flat().some((m) => m === 0)).toBe(true);
    });
  }

  it('a pass without a DropoutStep is the plain network, whatever the workspace', () => {
    const sizes = [5, 8, 3];
    const net = new Mlp(sizes, randomF32(new Mlp(sizes).params.length, 80), undefined, 'gelu');
    const [a, b] = [new Workspace(net, 4), new Workspace(net, 4, undefined, 4)];
    const X = randomF32(20, 81);
    a.X.set(X);
    b.X.set(X);
    sameBits(Float32Array.from(forward(be, net, b, 4)), Float32Array.from(forward(be, net, a, 4)), 'logits');
    expect(() => forward(be, net, a, 4, undefined, undefined, { p: 0.5, seed: 0, step: 0 })).toThrow(/dropout buffers/);
  });
});

const full = loadDataSet();
function part(set: Rows, at: number, n: number): Rows {
  const f = set.features;
  return { inputs: set.inputs.subarray(at * f, (at + n) * f), targets: set.targets.subarray(at, at + n), count: n, features: f };
}
const data: DataSet = { task: 'classify', train: part(full.train, 0, 600), test: part(full.test, 0, 300), classes: 10, source: 'slice' };
const CONFIG: TrainConfig = { ...NOTEBOOK_CONFIG, epochs: 3, batch: 50, hidden: [24, 16], evalImages: 0, dropout: 0.3 };
const reference = train(jsBackend, data, CONFIG);
const dir = mkdtempSync(join(tmpdir(), 'nmlp-dropout-'));

/** Each backend and ISA's weights at 1 thread, for its runs at more threads. */
const oneThread = new Map<string, Float32Array>();

forEachBackend(
  'training with dropout',
  (be, variant) => {
    it("gives the same weights at any thread count, near the TypeScript backend's; P = 0 is the run without dropout", () => {
      const r = train(be, data, CONFIG);
      const key = `${variant.name} ${variant.isa}`;
      const first = oneThread.get(key);
      if (first) sameBits(r.net.params, first, `${variant.threads} threads against 1`);
      else if (variant.threads === 1) oneThread.set(key, r.net.params);
      // Backends sum products in different orders, so their weights drift apart by roundings only.
      let worst = 0;
      for (let i = 0; i < r.net.params.length; i++) worst = Math.max(worst, Math.abs(r.net.params[i] - reference.net.params[i]));
      expect(worst).toBeLessThan(1e-3);
      expect(Math.abs(r.test!.testAccuracy! - reference.test!.testAccuracy!)).toBeLessThanOrEqual(0.01);
      const plain = train(be, data, { ...CONFIG, dropout: undefined });
      sameBits(train(be, data, { ...CONFIG, dropout: 0 }).net.params, plain.net.params, 'P = 0');
      expect(plain.net.params.some((v, i) => v !== r.net.params[i])).toBe(true);
    });

    it('resumes from a mid-epoch checkpoint to the same weights as the run never stopped', () => {
      const file = join(dir, `${variant.label}.ckpt`);
      let batches = 0;
      const stopped = train(be, data, { ...CONFIG, optimizer: 'adam', lr: 0.002 }, { checkpoint: file, onBatch: () => ++batches < 17 });
      expect(stopped.aborted).toBe(true);
      const resumed = train(be, data, { ...CONFIG, optimizer: 'adam', lr: 0.002 }, { resume: file });
      const whole = train(be, data, { ...CONFIG, optimizer: 'adam', lr: 0.002 }, { checkpoint: file });
      sameBits(resumed.net.params, whole.net.params, 'resumed');
      // Dropout draws nothing from the generator of the weights and the epoch order.
      const plainFile = join(dir, `${variant.label}-plain.ckpt`);
      train(be, data, { ...CONFIG, optimizer: 'adam', lr: 0.002, dropout: 0 }, { checkpoint: plainFile });
      expect(loadCheckpoint(file).rng).toEqual(loadCheckpoint(plainFile).rng);
    });

    it("is off at evaluation: the test event is the trained network's plain forward pass", () => {
      const net = reference.net;
      const ws = new Workspace(net, data.test.count);
      for (let i = 0; i < data.test.count * 784; i++) ws.X[i] = (data.test.inputs as Uint8Array)[i] / 255;
      const logits = forward(be, net, ws, data.test.count);
      let right = 0;
      for (let r = 0; r < data.test.count; r++) {
        const row = Array.from(logits.subarray(r * 10, r * 10 + 10));
        right += row.indexOf(Math.max(...row)) === data.test.targets[r] ? 1 : 0;
      }
      expect(reference.test!.testAccuracy).toBeCloseTo(right / data.test.count, 12);
    });
  },
  { threads: [1, 2] },
);
