/**
 * The weighted loss heads on every backend: against a float64 reference of the weighted mean's
 * gradient, bit for bit against the TypeScript twin (the specification), all-zero and zero
 * weights, views and aliasing, and the argument checks (NaN, negative, infinite, overlapping
 * weights). The whole network's weighted gradient is checked against central differences.
 */
import { expect, it } from 'vitest';
import { jsBackend } from '../src/backend/js/index.js';
import { backward, forward, Mlp, Workspace } from '../src/nn/mlp.js';
import { forEachBackend } from './helpers/backends.js';
import { randomF32 } from './helpers/random.js';
import { expectCentralDifferences, referenceForward } from './helpers/reference.js';
import { randomView } from './helpers/storage.js';

const sameBits = (a: Float32Array, b: Float32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** Weights in [0, 3) with some exact zeros, from a seed. */
const weightsFor = (rows: number, seed: number) => randomF32(rows, seed).map((v, i) => (i % 5 === 2 ? 0 : 1.5 * (v + 1)));

/** sum w_i l_i and du = w_i (softmax - onehot) / sum w, all in float64. */
function referenceXent(logits: Float32Array, labels: Uint32Array, w: Float32Array, rows: number, cols: number) {
  const du = new Float64Array(rows * cols);
  let sw = 0;
  for (let i = 0; i < rows; i++) sw += w[i];
  let loss = 0;
  for (let i = 0; i < rows; i++) {
    const row = Array.from(logits.subarray(i * cols, (i + 1) * cols));
    const max = Math.max(...row);
    const e = row.map((x) => Math.exp(x - max));
    const s = e.reduce((x, y) => x + y, 0);
    e.forEach((x, j) => (du[i * cols + j] = sw > 0 ? (w[i] * (x / s - (j === labels[i] ? 1 : 0))) / sw : 0));
    loss += w[i] * -Math.log(Math.max(e[labels[i]] / s, 1e-30));
  }
  return { du, loss };
}

forEachBackend('weighted loss heads', (be) => {
  const shapes = [
    [1, 1, 1],
    [37, 10, 20],
    [128, 10, 5],
    [5, 300, 50],
    [9, 3, 1],
  ] as const;

  it('softmaxXentGradWeighted: the float64 weighted mean, and the TypeScript bits', () => {
    for (const [r, c, scale] of shapes) {
      const logits = randomView(r * c, r * c + 1, scale, 2, r > 100);
      if (r > 2) {
        logits[0] = 80;
        logits[1] = -80;
      }
      const labels = Uint32Array.from({ length: r }, (_, i) => (i * 7 + 3) % c);
      const w = weightsFor(r, r + 5);
      const want = referenceXent(logits, labels, w, r, c);
      const du = new Float32Array(r * c).fill(NaN);
      const loss = be.softmaxXentGradWeighted(du, logits, labels, w, r, c);
      let sw = 0;
      w.forEach((x) => (sw += x));
      for (let i = 0; i < du.length; i++) {
        if (!(Math.abs(du[i] - want.du[i]) <= 2e-6 * Math.abs(want.du[i]) + (4e-7 * w[Math.floor(i / c)]) / sw)) {
          expect.fail(`rows=${r} cols=${c}: du[${i}] = ${du[i]}, expected ${want.du[i]}`);
        }
      }
      expect(Math.abs(loss - want.loss)).toBeLessThanOrEqual(1e-5 * Math.max(1, want.loss));
      const twin = new Float32Array(r * c);
      const twinLoss = jsBackend.softmaxXentGradWeighted(twin, logits, labels, w, r, c);
      expect(sameBits(du, twin), `rows=${r} cols=${c}: du differs from the TypeScript twin`).toBe(true);
      // The loss goes through libm's log: equal to within its last bit.
      expect(Math.abs(loss - twinLoss)).toBeLessThanOrEqual(1e-13 * Math.max(1, twinLoss));
      // du may be logits.
      const inPlace = Float32Array.from(logits);
      be.softmaxXentGradWeighted(inPlace, inPlace, labels, w, r, c);
      expect(sameBits(inPlace, du)).toBe(true);
    }
  });

  it('mseGradWeighted: the float64 weighted mean, and the TypeScript bits (loss too)', () => {
    for (const [r, c, scale] of shapes) {
      const pred = randomView(r * c, r + c, scale, 1, r > 100);
      const target = randomF32(r * c, r * 3 + c, scale);
      const w = weightsFor(r, r + 9);
      let sw = 0;
      w.forEach((x) => (sw += x));
      const du = new Float32Array(r * c).fill(NaN);
      const loss = be.mseGradWeighted(du, pred, target, w, r, c);
      let wantLoss = 0;
      for (let i = 0; i < r * c; i++) {
        const d = pred[i] - target[i];
        const wi = w[Math.floor(i / c)];
        wantLoss += wi * 0.5 * d * d;
        const want = (wi * d) / sw;
        if (!(Math.abs(du[i] - want) <= 2e-6 * Math.abs(want) + 1e-30)) expect.fail(`du[${i}] = ${du[i]}, expected ${want}`);
      }
      expect(Math.abs(loss - wantLoss)).toBeLessThanOrEqual(1e-6 * Math.max(1, wantLoss));
      const twin = new Float32Array(r * c);
      expect(jsBackend.mseGradWeighted(twin, pred, target, w, r, c)).toBe(loss);
      expect(sameBits(du, twin)).toBe(true);
    }
  });

  it('weights of 1 give the unweighted gradient; all-zero weights give du = 0 and loss 0', () => {
    const r = 33,
      c = 7;
    const logits = randomF32(r * c, 3, 4);
    const labels = Uint32Array.from({ length: r }, (_, i) => i % c);
    const ones = new Float32Array(r).fill(1);
    const a = new Float32Array(r * c),
      b = new Float32Array(r * c);
    const la = be.softmaxXentGradWeighted(a, logits, labels, ones, r, c);
    const lb = be.softmaxXentGrad(b, logits, labels, r, c);
    expect(Math.abs(la - lb)).toBeLessThan(1e-9 * lb);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(2.5e-7 / r); // p rounds alike to an ulp
    const y = randomF32(r * c, 4);
    expect(be.mseGradWeighted(a, logits, y, ones, r, c)).toBe(be.mseGrad(b, logits, y, r, c));
    expect(sameBits(a, b)).toBe(true); // same float32 steps: d * 1 is exact
    const zeros = new Float32Array(r);
    a.fill(NaN);
    expect(be.softmaxXentGradWeighted(a, logits, labels, zeros, r, c)).toBe(0);
    expect(a.every((v) => v === 0)).toBe(true);
    a.fill(NaN);
    expect(be.mseGradWeighted(a, logits, y, zeros, r, c)).toBe(0);
    expect(a.every((v) => v === 0)).toBe(true);
  });

  it('refuses NaN, infinite, negative and too few weights, and weights inside du', () => {
    const r = 4,
      c = 3;
    const du = new Float32Array(r * c),
      x = randomF32(r * c, 5),
      labels = Uint32Array.of(0, 1, 2, 0);
    for (const [bad, what] of [
      [NaN, /weights\[2\] is NaN/],
      [Infinity, /weights\[2\] is Infinity/],
      [-0.5, /weights\[2\] is -0.5/],
    ] as const) {
      const w = Float32Array.of(1, 1, bad, 1);
      expect(() => be.softmaxXentGradWeighted(du, x, labels, w, r, c)).toThrow(what);
      expect(() => be.mseGradWeighted(du, x, x, w, r, c)).toThrow(what);
    }
    expect(() => be.softmaxXentGradWeighted(du, x, labels, new Float32Array(3), r, c)).toThrow(/weights to hold at least 4/);
    expect(() => be.mseGradWeighted(du, x, x, new Float64Array(4) as never, r, c)).toThrow(TypeError);
    const shared = new Float32Array(r * c + r).fill(1);
    expect(() => be.mseGradWeighted(shared.subarray(0, r * c), x, x, shared.subarray(r * c - 1), r, c)).toThrow(/overlap du/);
  });

  it('backprop with weights matches central differences of the float64 weighted mean loss', () => {
    const sizes = [6, 5, 4, 3];
    const rows = 9;
    const net = new Mlp(
      sizes,
      randomF32(new Mlp(sizes).params.length, 11).map((v) => v * 0.8),
    );
    const ws = new Workspace(net, rows);
    ws.X.set(randomF32(rows * sizes[0], 12));
    const labels = Uint32Array.from({ length: rows }, (_, i) => i % 3);
    const w = weightsFor(rows, 13);
    const ref = (p: Float64Array) => {
      const h = referenceForward(sizes, p, ws.X, rows);
      let loss = 0,
        sw = 0;
      for (let i = 0; i < rows; i++) {
        const row = Array.from(h.subarray(i * 3, i * 3 + 3));
        const max = Math.max(...row);
        loss += w[i] * (Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) + max - row[labels[i]]);
        sw += w[i];
      }
      return loss / sw;
    };
    forward(be, net, ws, rows);
    const loss = backward(be, net, ws, labels, rows, undefined, undefined, w);
    let sw = 0;
    w.forEach((x) => (sw += x));
    const p64 = Float64Array.from(net.params);
    expect(loss / sw).toBeCloseTo(ref(p64), 5);
    expect(expectCentralDifferences(p64, ws.grads.params, ref)).toBe(net.params.length);
  });
});
