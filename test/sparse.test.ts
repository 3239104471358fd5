/**
 * The sparse-input kernels against the dense ones on the same backend: gatherSparse against
 * gatherPixels, sparseMatmul against sgemm(N, N) and sparseMatmulT against sgemm(T, N) on the
 * same X, at random sparsities from 0 to 100 %. The products must agree bit for bit (same depth
 * blocks, same summation order; skipped zeros add nothing), on every backend, every native ISA
 * and 1 or 2 native threads. Plus the argument checks both backends share.
 */
import { expect, it } from 'vitest';
import type { Backend } from '../src/backend/contract.js';
import { forEachBackend } from './helpers/backends.js';
import { randomF32 } from './helpers/random.js';

/** A rows x k matrix with each entry non-zero with probability `density`, and its CSR form. */
function sparseMatrix(rows: number, k: number, density: number, seed: number) {
  const dense = new Float32Array(rows * k);
  const noise = randomF32(rows * k * 2, seed);
  const rowPtr = new Int32Array(rows + 1);
  const cols: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < k; j++) {
      const at = i * k + j;
      if ((noise[2 * at] + 1) / 2 < density) {
        dense[at] = noise[2 * at + 1] || 0.5;
        cols.push(j);
        values.push(dense[at]);
      }
    }
    rowPtr[i + 1] = cols.length;
  }
  return { dense, rowPtr, cols: Int32Array.from(cols), values: Float32Array.from(values) };
}

function firstDifference(got: Float32Array, want: Float32Array): string | null {
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i] && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) {
      return `element ${i}: sparse ${got[i]}, dense ${want[i]}`;
    }
  }
  return null;
}

const DENSITIES = [0, 0.01, 0.05, 0.19, 0.5, 0.9, 1];
const SHAPES: Array<[number, number, number]> = [
  // rows, k, n
  [1, 1, 1],
  [3, 5, 7],
  [7, 300, 10],
  [17, 257, 16],
  [33, 520, 17],
  [128, 784, 128],
  [130, 100, 130],
  [300, 40, 33],
];

function products(be: Backend): void {
  // Generous timeouts: scripts/sanitize.sh runs this under ASan at -O1, on busy machines too.
  it(`sparseMatmul equals sgemm(N, N) bit for bit at sparsities 0..100 %`, { timeout: 600_000 }, () => {
    let seed = 1;
    for (const [rows, k, n] of SHAPES) {
      for (const density of DENSITIES) {
        const x = sparseMatrix(rows, k, density, seed++);
        const w = randomF32(k * n, seed++);
        const want = new Float32Array(rows * n).fill(NaN);
        be.sgemm(false, false, rows, n, k, 1, x.dense, k, w, n, 0, want, n);
        const got = new Float32Array(rows * n).fill(NaN);
        be.sparseMatmul(got, x.rowPtr, x.cols, x.values, w, rows, k, n);
        expect(firstDifference(got, want), `${rows}x${k}x${n} at density ${density}`).toBeNull();
      }
    }
  });

  it(`sparseMatmulT equals sgemm(T, N) bit for bit for gradients and folded SGD`, { timeout: 600_000 }, () => {
    let seed = 100;
    for (const [rows, k, n] of SHAPES) {
      for (const density of DENSITIES) {
        for (const [alpha, beta] of [
          [1, 0],
          [-0.1, 1],
          [0.5, 0.5],
          [0, 1],
          [0, 0],
        ]) {
          const x = sparseMatrix(rows, k, density, seed++);
          const d = randomF32(rows * n, seed++);
          const c0 = randomF32(k * n, seed++);
          if (beta === 0) c0.fill(NaN); // never read
          const want = Float32Array.from(c0);
          be.sgemm(true, false, k, n, rows, alpha, x.dense, k, d, n, beta, want, n);
          const got = Float32Array.from(c0);
          be.sparseMatmulT(got, x.rowPtr, x.cols, x.values, d, rows, k, n, alpha, beta);
          expect(firstDifference(got, want), `${rows}x${k}x${n} density ${density} alpha ${alpha} beta ${beta}`).toBeNull();
        }
      }
    }
  });
}

forEachBackend(
  'sparse input',
  (be) => {
    // Row lengths around the kernels' 8- and 32-pixel steps, MNIST's 784, densities 0..100 %.
    const GATHERS: Array<[number, number]> = [
      [37, 0.35],
      [32, 0.5],
      [96, 0.05],
      [784, 0.19],
      [784, 0.9],
      [100, 1],
      [41, 0],
    ];
    it.each(GATHERS)(
      'gatherSparse is gatherPixels compressed (%i pixels, density %d): same values, columns ascending, the non-zero count',
      (features, density) => {
        const count = 50;
        const images = new Uint8Array(count * features);
        const noise = randomF32(images.length, features);
        for (let i = 0; i < images.length; i++) images[i] = (noise[i] + 1) / 2 < density ? 1 + Math.floor((noise[i] + 1) * 127) : 0;
        images.fill(0, 5 * features, 6 * features); // an empty image
        images.fill(255, 6 * features, 7 * features); // a full one
        const index = Uint32Array.from({ length: count }, (_, i) => (i * 17 + 5) % count);
        for (const [start, rows] of [
          [0, 0],
          [0, 1],
          [3, 20],
          [10, 40],
        ]) {
          const dense = new Float32Array(rows * features).fill(NaN);
          be.gatherPixels(dense, images, index, start, rows, features);
          const values = new Float32Array(rows * features);
          const cols = new Int32Array(rows * features);
          const rowPtr = new Int32Array(rows + 1).fill(-1);
          const nnz = be.gatherSparse(values, cols, rowPtr, images, index, start, rows, features);
          expect(rowPtr[0]).toBe(0);
          expect(rowPtr[rows]).toBe(nnz);
          const rebuilt = new Float32Array(rows * features);
          for (let r = 0; r < rows; r++) {
            for (let t = rowPtr[r]; t < rowPtr[r + 1]; t++) {
              if (t > rowPtr[r]) expect(cols[t]).toBeGreaterThan(cols[t - 1]);
              expect(values[t]).not.toBe(0);
              rebuilt[r * features + cols[t]] = values[t];
            }
          }
          expect(rebuilt).toEqual(dense);
          expect(nnz).toBe(dense.filter((v) => v !== 0).length);
        }
      },
    );

    it('startGatherSparse / startGatherPixels + finishGather gather what gatherSparse / gatherPixels gather, on shared and plain memory, one gather after another', () => {
      const features = 784,
        count = 300,
        rows = 128;
      const shared = <T extends Uint8Array | Uint32Array | Int32Array | Float32Array>(make: (b: SharedArrayBuffer) => T, bytes: number) =>
        make(new SharedArrayBuffer(bytes));
      const images = shared((b) => new Uint8Array(b), count * features);
      const noise = randomF32(images.length, 11);
      for (let i = 0; i < images.length; i++) images[i] = noise[i] > 0.6 ? 1 + Math.floor((noise[i] + 1) * 127) : 0;
      const index = shared((b) => new Uint32Array(b), 4 * count);
      for (let i = 0; i < count; i++) index[i] = (i * 37 + 3) % count;
      const batch = (onShared: boolean) => {
        const make = <T>(f: (b: ArrayBuffer | SharedArrayBuffer) => T, bytes: number) =>
          f(onShared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
        return {
          values: make((b) => new Float32Array(b), 4 * rows * features),
          cols: make((b) => new Int32Array(b), 4 * rows * features),
          rowPtr: make((b) => new Int32Array(b), 4 * (rows + 1)),
        };
      };
      const want = batch(false);
      for (const onShared of [true, false]) {
        const a = batch(onShared),
          b = batch(onShared);
        be.startGatherSparse(a.values, a.cols, a.rowPtr, images, index, 0, rows, features);
        be.startGatherSparse(b.values, b.cols, b.rowPtr, images, index, rows, rows, features); // completes a's first
        be.finishGather();
        for (const [got, start] of [
          [a, 0],
          [b, rows],
        ] as const) {
          const nnz = be.gatherSparse(want.values, want.cols, want.rowPtr, images, index, start, rows, features);
          expect(got.rowPtr).toEqual(want.rowPtr);
          expect(got.cols.subarray(0, nnz)).toEqual(want.cols.subarray(0, nnz));
          expect(got.values.subarray(0, nnz)).toEqual(want.values.subarray(0, nnz));
        }
      }
      be.finishGather(); // nothing begun: a no-op
      expect(() =>
        be.startGatherSparse(new Float32Array(5), new Int32Array(6), new Int32Array(3), new Uint8Array(9), Uint32Array.of(0, 1), 0, 2, 3),
      ).toThrow(/values to hold at least 6/);

      // startGatherPixels: the dense rows gatherPixels makes, then a sparse gather after it.
      const want2 = new Float32Array(rows * features);
      be.gatherPixels(want2, images, index, 5, rows, features);
      for (const onShared of [true, false]) {
        const out = new Float32Array(onShared ? new SharedArrayBuffer(4 * rows * features) : new ArrayBuffer(4 * rows * features)).fill(
          NaN,
        );
        const c = batch(onShared);
        be.startGatherPixels(out, images, index, 5, rows, features);
        be.startGatherSparse(c.values, c.cols, c.rowPtr, images, index, 0, rows, features);
        be.finishGather();
        expect(out).toEqual(want2);
        const nnz = be.gatherSparse(want.values, want.cols, want.rowPtr, images, index, 0, rows, features);
        expect(c.rowPtr).toEqual(want.rowPtr);
        expect(c.values.subarray(0, nnz)).toEqual(want.values.subarray(0, nnz));
      }
      expect(() => be.startGatherPixels(new Float32Array(5), new Uint8Array(9), Uint32Array.of(0, 1), 0, 2, 3)).toThrow(
        /out to hold at least 6/,
      );
    });

    products(be);

    it('checks the compressed rows: rowPtr start and order, lengths, column range', () => {
      const c = new Float32Array(8);
      const b = new Float32Array(12);
      const ok = () => be.sparseMatmul(c, Int32Array.of(0, 1, 2), Int32Array.of(0, 2), Float32Array.of(1, 1), b, 2, 3, 4);
      expect(ok).not.toThrow();
      expect(() => be.sparseMatmul(c, Int32Array.of(1, 1, 2), Int32Array.of(0, 2), Float32Array.of(1, 1), b, 2, 3, 4)).toThrow(
        /rowPtr\[0\] to be 0/,
      );
      expect(() => be.sparseMatmul(c, Int32Array.of(0, 2, 1), Int32Array.of(0, 2), Float32Array.of(1, 1), b, 2, 3, 4)).toThrow(
        /never to decrease/,
      );
      expect(() => be.sparseMatmul(c, Int32Array.of(0, 1, 3), Int32Array.of(0, 2), Float32Array.of(1, 1), b, 2, 3, 4)).toThrow(
        /Expected cols to hold at least 3/,
      );
      expect(() => be.sparseMatmul(c, Int32Array.of(0, 1, 2), Int32Array.of(0, 3), Float32Array.of(1, 1), b, 2, 3, 4)).toThrow(
        /column index to be in \[0, 3\) \(k\) but cols\[1\] is 3/,
      );
      expect(() => be.sparseMatmul(c, Int32Array.of(0, 1, 2), Int32Array.of(-1, 2), Float32Array.of(1, 1), b, 2, 3, 4)).toThrow(
        /cols\[0\] is -1/,
      );
      expect(() => be.sparseMatmul(c, Int32Array.of(0, 1, 2), Int32Array.of(0, 2), Float32Array.of(1), b, 2, 3, 4)).toThrow(
        /values to hold at least 2/,
      );
      expect(() => be.sparseMatmul(c, Int32Array.of(0, 1, 2), Int32Array.of(0, 2), Float32Array.of(1, 1), b, 2, 4, 4)).toThrow(
        /Expected b to hold at least 16/,
      );
      expect(() =>
        be.sparseMatmul(c, Uint32Array.of(0, 1, 2) as unknown as Int32Array, Int32Array.of(0, 2), Float32Array.of(1, 1), b, 2, 3, 4),
      ).toThrow(TypeError);
      expect(() => be.sparseMatmulT(c, Int32Array.of(0, 1, 2), Int32Array.of(0, 2), Float32Array.of(1, 1), b, 2, 3, 4, NaN, 0)).toThrow(
        /alpha/,
      );
      const w = new Float32Array(12).fill(7);
      expect(() => be.sparseMatmulT(w, Int32Array.of(0, 1, 2), Int32Array.of(0, 3), Float32Array.of(1, 1), c, 2, 3, 4, 1, 1)).toThrow(
        /column index to be in \[0, 3\) \(k\) but cols\[1\] is 3/,
      );
      expect(
        w.every((v) => v === 7),
        'a refused weight update leaves the weights alone',
      ).toBe(true);
      expect(() =>
        be.sparseMatmulT(new Float32Array(11), Int32Array.of(0, 1, 2), Int32Array.of(0, 2), Float32Array.of(1, 1), b, 2, 3, 4, 1, 0),
      ).toThrow(/Expected c to hold at least 12/);
      expect(() =>
        be.gatherSparse(new Float32Array(5), new Int32Array(6), new Int32Array(3), new Uint8Array(9), Uint32Array.of(0, 1), 0, 2, 3),
      ).toThrow(/values to hold at least 6/);
      expect(() =>
        be.gatherSparse(new Float32Array(6), new Int32Array(6), new Int32Array(3), new Uint8Array(9), Uint32Array.of(0, 3), 0, 2, 3),
      ).toThrow(/index\[1\] is 3/);
    });
  },
  { threads: [1, 2] },
);
