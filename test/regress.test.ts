/**
 * Regression: the mseGrad kernel against a float64 loop, native against TypeScript, the whole
 * net's gradient against central differences in float64, and a fit on linear + noise data that
 * comes within 10 % of the least-squares RMSE.
 */
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../src/backend/js/index.js';
import { loadNative } from '../src/backend/native/load.js';
import { backward, forward, Mlp, Workspace } from '../src/nn/mlp.js';
import { fit } from '../src/train/fit.js';
import { predictRows } from '../src/infer/predict.js';
import { forEachBackend } from './helpers/backends.js';
import { randomF32 } from './helpers/random.js';
import { expectCentralDifferences, referenceForward } from './helpers/reference.js';

/** Mean over rows of 0.5 * sum of squared errors of a ReLU MLP with a linear output, all in float64. */
function referenceLoss(sizes: number[], params: Float64Array, X: Float32Array, Y: Float32Array, rows: number): number {
  const h = referenceForward(sizes, params, X, rows);
  let loss = 0;
  for (let i = 0; i < h.length; i++) loss += 0.5 * (h[i] - Y[i]) ** 2;
  return loss / rows;
}

forEachBackend('mseGrad', (be) => {
  it('gives du = (pred - target) / rows and the summed 0.5 * squared error', () => {
    const rows = 13;
    const cols = 3;
    const pred = randomF32(rows * cols, 1).map((v) => v * 50);
    const target = randomF32(rows * cols, 2).map((v) => v * 50);
    const du = new Float32Array(rows * cols);
    const loss = be.mseGrad(du, pred, target, rows, cols);
    let want = 0;
    for (let i = 0; i < rows * cols; i++) {
      const d = Math.fround(pred[i] - target[i]);
      want += 0.5 * d * d;
      expect(du[i]).toBe(Math.fround(d / rows));
    }
    expect(loss).toBeCloseTo(want, 6);
    // du may be pred
    const inPlace = Float32Array.from(pred);
    expect(be.mseGrad(inPlace, inPlace, target, rows, cols)).toBe(loss);
    expect(inPlace).toEqual(du);
    expect(() => be.mseGrad(du, pred, target.subarray(1), rows, cols)).toThrow(/Expected target to hold at least 39/);
    expect(() => be.mseGrad(du, pred, new Float64Array(39) as never, rows, cols)).toThrow(TypeError);
  });

  it('backprop through a linear output matches central differences of the float64 loss', () => {
    const sizes = [5, 6, 4, 2];
    const rows = 9;
    const net = new Mlp(
      sizes,
      randomF32(new Mlp(sizes).params.length, 31).map((v) => v * 0.8),
    );
    const ws = new Workspace(net, rows);
    ws.X.set(randomF32(rows * sizes[0], 32));
    const Y = randomF32(rows * 2, 33);
    forward(be, net, ws, rows);
    const loss = backward(be, net, ws, Y, rows);
    const p64 = Float64Array.from(net.params);
    expect(loss / rows).toBeCloseTo(referenceLoss(sizes, p64, ws.X, Y, rows), 5);
    expectCentralDifferences(p64, ws.grads.params, (p) => referenceLoss(sizes, p, ws.X, Y, rows));
  });

  it('fits linear + noise data to within 10 % of the least-squares RMSE', async () => {
    const n = 2000;
    const f = 3;
    const x = randomF32(n * f, 41).map((v) => v * 3);
    const noise = randomF32(n, 42);
    const w = [2.5, -1.25, 0.5];
    const y = Array.from({ length: n }, (_, i) => 100 + w[0] * x[i * f] + w[1] * x[i * f + 1] + w[2] * x[i * f + 2] + 2 * noise[i]);
    const split = 1600;
    const r = await fit(
      { x: x.subarray(0, split * f), y: y.slice(0, split), features: f, test: { x: x.subarray(split * f), y: y.slice(split) } },
      { backend: be, task: 'regress', hidden: [16], epochs: 30, batch: 32, lr: 0.05 },
    );
    if (r.test?.testRmse === undefined) throw new Error('expected a regression test event');
    const ls = leastSquaresRmse(x, y, f, split);
    expect(ls).toBeGreaterThan(0.9); // the noise: uniform in [-2, 2) has std 1.15
    expect(r.test.testRmse).toBeLessThan(1.1 * ls);
    const p = predictRows(be, r.model, x.subarray(split * f, (split + 1) * f));
    if (p.task !== 'regress') throw new Error('regress');
    expect(Math.abs(p.values[0] - y[split])).toBeLessThan(6); // de-standardised: the targets' units (~100)
  }, 120_000);
});

/** Test RMSE of ordinary least squares (with intercept) fitted on rows [0, split), by normal equations in float64. */
function leastSquaresRmse(x: Float32Array, y: number[], f: number, split: number): number {
  const k = f + 1;
  const A = Array.from({ length: k }, () => new Float64Array(k + 1));
  for (let i = 0; i < split; i++) {
    const row = [1, ...Array.from(x.subarray(i * f, (i + 1) * f))];
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) A[a][b] += row[a] * row[b];
      A[a][k] += row[a] * y[i];
    }
  }
  for (let c = 0; c < k; c++) {
    // Gauss-Jordan
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const m = A[r][c] / A[c][c];
      for (let j = c; j <= k; j++) A[r][j] -= m * A[c][j];
    }
  }
  const beta = A.map((r, i) => r[k] / r[i]);
  let sq = 0;
  for (let i = split; i < y.length; i++) {
    let p = beta[0];
    for (let j = 0; j < f; j++) p += beta[j + 1] * x[i * f + j];
    sq += (p - y[i]) ** 2;
  }
  return Math.sqrt(sq / (y.length - split));
}

describe('mseGrad: native against TypeScript', () => {
  const native = loadNative().backend;
  it.skipIf(!native)('matches bit for bit over awkward sizes, views and extreme values', () => {
    for (const [rows, cols] of [
      [1, 1],
      [7, 3],
      [128, 1],
      [33, 5],
      [0, 4],
    ] as const) {
      const n = rows * cols;
      const buf = randomF32(n + 3, rows * 7 + cols).map((v, i) => (i % 5 === 0 ? v * 1e30 : v));
      const pred = buf.subarray(3); // a view with a byte offset
      const target = randomF32(n, 99);
      const a = new Float32Array(n);
      const b = new Float32Array(n);
      expect(native!.mseGrad(a, pred, target, rows, cols)).toBe(jsBackend.mseGrad(b, pred, target, rows, cols));
      expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    }
  });

  it.skipIf(!native)('gatherRows matches the TypeScript gather', () => {
    const f = 13;
    const x = randomF32(50 * f, 5);
    const index = Uint32Array.from({ length: 40 }, (_, i) => (i * 17) % 50);
    const a = new Float32Array(30 * f);
    const b = new Float32Array(30 * f);
    native!.gatherRows(a, x, index, 5, 30, f);
    jsBackend.gatherRows(b, x, index, 5, 30, f);
    expect(a).toEqual(b);
  });
});
