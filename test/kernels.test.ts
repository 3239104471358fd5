/**
 * The fused kernels on every backend and instruction set, each against a plain loop written here
 * (with binding.d.ts's float32 rounding): views at offsets, SharedArrayBuffer, aliased outputs,
 * extreme logits, argument errors.
 */
import { expect, it } from 'vitest';
import { forEachBackend } from './helpers/backends.js';
import { randomF32 } from './helpers/random.js';
import { randomView } from './helpers/storage.js';

const f = Math.fround;

/** Bit-for-bit equal (either zero matches the other). */
const expectSame = (got: Float32Array, want: ArrayLike<number>, what: string) => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i]) && !(got[i] === 0 && want[i] === 0)) {
      expect.fail(`${what}: element ${i} is ${got[i]}, expected ${want[i]}`);
    }
  }
};

const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number) => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])))) {
      expect.fail(`element ${i}: got ${got[i]}, expected ${want[i]}`);
    }
  }
};

forEachBackend('fused kernels', (be) => {
  const rows = 37;
  const cols = 19;

  it('biasRelu adds the bias in place and writes relu(u)', () => {
    const u0 = randomF32(rows * cols, 1);
    const bias = randomF32(cols, 2);
    const u = Float32Array.from(u0);
    const h = new Float32Array(rows * cols).fill(NaN);
    be.biasRelu(h, u, bias, rows, cols);
    const wantU = u0.map((v, i) => Math.fround(v + bias[i % cols]));
    close(u, wantU, 0);
    close(
      h,
      wantU.map((v) => Math.max(v, 0)),
      0,
    );
    // h may alias u.
    const same = Float32Array.from(u0);
    be.biasRelu(same, same, bias, rows, cols);
    close(same, h, 0);
  });

  it('biasAdd adds the bias to every row', () => {
    const u0 = randomF32(rows * cols, 3);
    const bias = randomF32(cols, 4);
    const u = Float32Array.from(u0);
    be.biasAdd(u, bias, rows, cols);
    close(
      u,
      u0.map((v, i) => Math.fround(v + bias[i % cols])),
      0,
    );
  });

  it('softmaxXentGrad gives (softmax - onehot) / rows and the summed loss', () => {
    const logits = randomF32(rows * cols, 5).map((v) => v * 20);
    const labels = Uint32Array.from({ length: rows }, (_, i) => (i * 7) % cols);
    const du = new Float32Array(rows * cols).fill(NaN);
    const loss = be.softmaxXentGrad(du, logits, labels, rows, cols);
    const want = new Float64Array(rows * cols);
    let wantLoss = 0;
    for (let i = 0; i < rows; i++) {
      const row = Array.from(logits.subarray(i * cols, (i + 1) * cols));
      const max = Math.max(...row);
      const e = row.map((v) => Math.exp(v - max));
      const s = e.reduce((x, y) => x + y, 0);
      e.forEach((v, j) => (want[i * cols + j] = (v / s - (j === labels[i] ? 1 : 0)) / rows));
      wantLoss -= Math.log(e[labels[i]] / s);
    }
    close(du, want, 1e-6);
    expect(loss).toBeCloseTo(wantLoss, 3);
    expect(() => be.softmaxXentGrad(du, logits, Uint32Array.of(...labels.subarray(0, rows - 1), cols), rows, cols)).toThrow(/label/);
  });

  it('softmaxXentGrad stays finite for huge logits', () => {
    const logits = Float32Array.of(1e30, -1e30, 0, 88, 89, 90);
    const du = new Float32Array(6);
    const loss = be.softmaxXentGrad(du, logits, Uint32Array.of(1, 0), 2, 3);
    expect(Number.isFinite(loss)).toBe(true);
    expect(du.every(Number.isFinite)).toBe(true);
  });

  it('reluBackward passes dy where u > 0', () => {
    const dy = randomF32(101, 6);
    const u = randomF32(101, 7);
    const dx = new Float32Array(101).fill(NaN);
    be.reluBackward(dx, dy, u, 101);
    close(
      dx,
      dy.map((v, i) => (u[i] > 0 ? v : 0)),
      0,
    );
  });

  it('colSums sums each column', () => {
    const x = randomF32(rows * cols, 8);
    const out = new Float32Array(cols).fill(NaN);
    be.colSums(out, x, rows, cols);
    const want = new Float64Array(cols);
    x.forEach((v, i) => (want[i % cols] += v));
    close(out, want, 1e-5);
  });

  it('sgdUpdate subtracts lr * g', () => {
    const w0 = randomF32(77, 9);
    const g = randomF32(77, 10);
    const w = Float32Array.from(w0);
    be.sgdUpdate(w, g, 0.1, 77);
    close(
      w,
      w0.map((v, i) => v - 0.1 * g[i]),
      1e-6,
    );
  });

  it('gatherPixels gathers whole images in index order, scaled as NumPy rounds x / 255', () => {
    const features = 13;
    const images = Uint8Array.from({ length: 7 * features }, (_, i) => (i * 37) % 256);
    const index = Uint32Array.of(9, 6, 0, 3, 6, 2);
    const out = new Float32Array(4 * features).fill(NaN);
    be.gatherPixels(out, images, index, 1, 4, features);
    const want = new Float32Array(4 * features);
    for (let r = 0; r < 4; r++) {
      for (let p = 0; p < features; p++) want[r * features + p] = images[index[1 + r] * features + p] / 255;
    }
    close(out, want, 0);
    // Every byte value, against float32 division.
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const scaled = new Float32Array(256);
    be.gatherPixels(scaled, all, Uint32Array.of(0), 0, 1, 256);
    close(
      scaled,
      Float32Array.from(all, (v) => Math.fround(v / 255)),
      0,
    );
    expect(() => be.gatherPixels(out, images, Uint32Array.of(7), 0, 1, features)).toThrow(/index\[0\] is 7/);
    expect(() => be.gatherPixels(out, images, index, 3, 4, features)).toThrow(/index to hold at least 7/);
    expect(() => be.gatherPixels(out, images, Float32Array.of(0) as unknown as Uint32Array, 0, 1, features)).toThrow(TypeError);
  });

  it('biasRelu and biasAdd match a plain loop (views, shared buffers, h = u)', () => {
    for (const [r, c, off, shared] of [
      [0, 5, 0, false],
      [1, 1, 0, false],
      [37, 19, 3, false],
      [64, 130, 1, true],
    ] as const) {
      const u0 = randomView(r * c, r + c, 3, off, shared);
      const bias = randomView(c, c, 1, off + 2, shared);
      const wantU = u0.map((v, i) => f(v + bias[i % c]));
      const wantH = wantU.map((v) => (v > 0 ? v : 0));
      const u = Float32Array.from(u0);
      const h = randomView(r * c, 99, 1, off, shared).fill(NaN);
      be.biasRelu(h, u, bias, r, c);
      expectSame(u, wantU, 'biasRelu u');
      expectSame(h, wantH, 'biasRelu h');
      const same = Float32Array.from(u0);
      be.biasRelu(same, same, bias, r, c);
      expectSame(same, wantH, 'biasRelu h = u');
      const v = Float32Array.from(u0);
      be.biasAdd(v, bias, r, c);
      expectSame(v, wantU, 'biasAdd');
    }
  });

  it('softmaxXentGrad matches a float64 loop (views, du = logits, extreme logits)', () => {
    for (const [r, c, scale, off, shared] of [
      [1, 1, 1, 0, false],
      [37, 10, 20, 2, false],
      [128, 10, 5, 0, true],
      [5, 300, 50, 1, false],
    ] as const) {
      const logits = randomView(r * c, r * c, scale, off, shared);
      if (r > 2) {
        logits[0] = 80;
        logits[1] = -80;
      } // far apart: a probability underflows
      const labels = Uint32Array.from({ length: r }, (_, i) => (i * 7 + 3) % c);
      const want = new Float64Array(r * c);
      let wantLoss = 0;
      for (let i = 0; i < r; i++) {
        const row = Array.from(logits.subarray(i * c, (i + 1) * c));
        const max = Math.max(...row);
        const e = row.map((x) => Math.exp(x - max));
        const s = e.reduce((x, y) => x + y, 0);
        e.forEach((x, j) => (want[i * c + j] = (x / s - (j === labels[i] ? 1 : 0)) / r));
        wantLoss -= Math.log(Math.max(e[labels[i]] / s, 1e-30));
      }
      for (const alias of [false, true]) {
        const du = alias ? Float32Array.from(logits) : randomView(r * c, 7, 1, off, shared).fill(NaN);
        const src = alias ? du : logits;
        const loss = be.softmaxXentGrad(du, src, labels, r, c);
        for (let i = 0; i < want.length; i++) {
          if (!(Math.abs(du[i] - want[i]) <= 1e-6 / r + 1e-6 * Math.abs(want[i]))) {
            expect.fail(`rows=${r} cols=${c} alias=${alias}: du[${i}] = ${du[i]}, expected ${want[i]}`);
          }
        }
        expect(Math.abs(loss - wantLoss)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(wantLoss)));
      }
    }
  });

  it('reluBackward, colSums and sgdUpdate match a plain loop (views, shared buffers, dx = dy)', () => {
    for (const [n, off, shared] of [
      [0, 0, false],
      [1, 0, false],
      [101, 3, false],
      [4099, 1, true],
    ] as const) {
      const dy = randomView(n, n + 1, 1, off, shared);
      const u = randomView(n, n + 2, 1, off + 1, shared);
      const dx = randomView(n, 5, 1, off, shared).fill(NaN);
      be.reluBackward(dx, dy, u, n);
      const want = dy.map((v, i) => (u[i] > 0 ? v : 0));
      expectSame(dx, want, 'reluBackward');
      const same = Float32Array.from(dy);
      be.reluBackward(same, same, u, n);
      expectSame(same, want, 'reluBackward dx = dy');

      const w0 = randomView(n, n + 3, 1, off, shared);
      const g = randomView(n, n + 4, 1, off + 2, shared);
      const w = Float32Array.from(w0);
      be.sgdUpdate(w, g, 0.1, n);
      const step = f(0.1);
      expectSame(
        w,
        w0.map((v, i) => f(v - f(step * g[i]))),
        'sgdUpdate',
      );
    }
    for (const [r, c, off, shared] of [
      [0, 4, 0, false],
      [1, 1, 0, false],
      [37, 19, 2, false],
      [128, 700, 1, true],
    ] as const) {
      const x = randomView(r * c, r + c, 1, off, shared);
      const out = randomView(c, 3, 1, off, shared).fill(NaN);
      be.colSums(out, x, r, c);
      const want = new Float32Array(c);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) want[j] += x[i * c + j];
      expectSame(out, want, 'colSums');
    }
  });

  it('checks sizes against array lengths', () => {
    const small = new Float32Array(10);
    expect(() => be.biasRelu(small, small, small, 3, 4)).toThrow(RangeError);
    expect(() => be.colSums(small, small, 2, 11)).toThrow(RangeError);
    expect(() => be.reluBackward(small, small, small, 11)).toThrow(RangeError);
    expect(() => be.sgdUpdate(small, small, NaN, 10)).toThrow(/lr/);
  });
});
