/**
 * Hostile calls into the addon: gatherPixels, gatherRows, the sparse kernels and gathers in the background.
 * Every bad argument must come back as a TypeError or RangeError naming the argument, never as a
 * crash; each group runs in its own child process (test/helpers/hostile-native.ts).
 *
 * Skipped visibly when the addon is not built, unless REQUIRE_NATIVE=1.
 */
import { describeHostileGroups, named, type Hostile } from './helpers/hostile-native.js';

const GROUPS: Record<string, Hostile[]> = {
  'gatherPixels': [
    { name: 'valid gather (control)', code: 'm.gatherPixels(f32(6), new Uint8Array(9), Uint32Array.of(2, 0), 0, 2, 3)', error: 'ok' },
    {
      name: 'index past the last image',
      code: 'm.gatherPixels(f32(6), new Uint8Array(9), Uint32Array.of(0, 3), 0, 2, 3)',
      error: 'RangeError',
      message: /index\[1\] is 3/,
    },
    {
      name: 'index past a partial last image',
      code: 'm.gatherPixels(f32(3), new Uint8Array(8), Uint32Array.of(2), 0, 1, 3)',
      error: 'RangeError',
      message: /index to be < 2 .*index\[0\] is 2/,
    },
    {
      name: 'index 2^32 - 1',
      code: 'm.gatherPixels(f32(3), new Uint8Array(9), Uint32Array.of(4294967295), 0, 1, 3)',
      error: 'RangeError',
      message: /index\[0\] is 4294967295/,
    },
    {
      name: 'start + rows past index',
      code: 'm.gatherPixels(f32(6), new Uint8Array(9), Uint32Array.of(0, 1), 1, 2, 3)',
      error: 'RangeError',
      message: /index to hold at least 3/,
    },
    {
      name: 'start 2^31 - 1 overflowing start + rows',
      code: 'm.gatherPixels(f32(6), new Uint8Array(9), Uint32Array.of(0, 1), 2147483647, 2, 3)',
      error: 'RangeError',
      message: named('index'),
    },
    {
      name: 'out too short',
      code: 'm.gatherPixels(f32(5), new Uint8Array(9), Uint32Array.of(0, 1), 0, 2, 3)',
      error: 'RangeError',
      message: named('out'),
    },
    {
      name: 'out too short for huge features',
      code: 'm.gatherPixels(f32(6), new Uint8Array(9), Uint32Array.of(0, 1), 0, 2, 2147483647)',
      error: 'RangeError',
      message: named('out'),
    },
    {
      name: 'images Int8Array',
      code: 'm.gatherPixels(f32(3), new Int8Array(9), Uint32Array.of(0), 0, 1, 3)',
      error: 'TypeError',
      message: named('images'),
    },
    {
      name: 'index Int32Array',
      code: 'm.gatherPixels(f32(3), new Uint8Array(9), Int32Array.of(0), 0, 1, 3)',
      error: 'TypeError',
      message: named('index'),
    },
    {
      name: 'images detached',
      code: 'const u = new Uint8Array(9); structuredClone(u.buffer, { transfer: [u.buffer] }); m.gatherPixels(f32(3), u, Uint32Array.of(0), 0, 1, 3)',
      error: 'TypeError',
      message: /Expected images .*detached/,
    },
    {
      name: 'rows fractional',
      code: 'm.gatherPixels(f32(6), new Uint8Array(9), Uint32Array.of(0, 1), 0, 1.5, 3)',
      error: 'RangeError',
      message: named('rows'),
    },
    {
      name: 'too few arguments',
      code: 'm.gatherPixels(f32(6), new Uint8Array(9), Uint32Array.of(0, 1), 0, 2)',
      error: 'TypeError',
      message: /6 arguments/,
    },
  ],
  'gatherRows': [
    { name: 'valid gather (control)', code: 'm.gatherRows(f32(6), f32(9), Uint32Array.of(2, 0), 0, 2, 3)', error: 'ok' },
    {
      name: 'index past the last row',
      code: 'm.gatherRows(f32(6), f32(9), Uint32Array.of(0, 3), 0, 2, 3)',
      error: 'RangeError',
      message: /index\[1\] is 3/,
    },
    {
      name: 'index past a partial last row',
      code: 'm.gatherRows(f32(3), f32(8), Uint32Array.of(2), 0, 1, 3)',
      error: 'RangeError',
      message: /index to be < 2 .*index\[0\] is 2/,
    },
    {
      name: 'index 2^32 - 1',
      code: 'm.gatherRows(f32(3), f32(9), Uint32Array.of(4294967295), 0, 1, 3)',
      error: 'RangeError',
      message: /index\[0\] is 4294967295/,
    },
    {
      name: 'start + rows past index',
      code: 'm.gatherRows(f32(6), f32(9), Uint32Array.of(0, 1), 1, 2, 3)',
      error: 'RangeError',
      message: /index to hold at least 3/,
    },
    {
      name: 'out too short',
      code: 'm.gatherRows(f32(5), f32(9), Uint32Array.of(0, 1), 0, 2, 3)',
      error: 'RangeError',
      message: named('out'),
    },
    {
      name: 'x Uint8Array',
      code: 'm.gatherRows(f32(3), new Uint8Array(9), Uint32Array.of(0), 0, 1, 3)',
      error: 'TypeError',
      message: named('x'),
    },
    {
      name: 'index Int32Array',
      code: 'm.gatherRows(f32(3), f32(9), Int32Array.of(0), 0, 1, 3)',
      error: 'TypeError',
      message: named('index'),
    },
    {
      name: 'x detached',
      code: 'm.gatherRows(f32(3), detached(9), Uint32Array.of(0), 0, 1, 3)',
      error: 'TypeError',
      message: /Expected x .*detached/,
    },
    {
      name: 'too few arguments',
      code: 'm.gatherRows(f32(6), f32(9), Uint32Array.of(0, 1), 0, 2)',
      error: 'TypeError',
      message: /6 arguments/,
    },
  ],
  'sparse kernels': [
    {
      name: 'valid sparse calls (control)',
      code: 'const rp = Int32Array.of(0, 1, 2), c = Int32Array.of(0, 2), v = Float32Array.of(1, 1); m.sparseMatmul(f32(8), rp, c, v, f32(12), 2, 3, 4); m.sparseMatmulT(f32(12), rp, c, v, f32(8), 2, 3, 4, -0.1, 1); if (m.gatherSparse(f32(6), new Int32Array(6), new Int32Array(3), Uint8Array.of(0, 5, 0, 7, 7, 7), Uint32Array.of(1, 0), 0, 2, 3) !== 4) throw new Error("nnz")',
      error: 'ok',
    },
    {
      name: 'sparseMatmul column index = k',
      code: 'm.sparseMatmul(f32(8), Int32Array.of(0, 1, 2), Int32Array.of(0, 3), Float32Array.of(1, 1), f32(12), 2, 3, 4)',
      error: 'RangeError',
      message: /cols\[1\] is 3/,
    },
    {
      name: 'sparseMatmul column index 2^31 - 1',
      code: 'm.sparseMatmul(f32(8), Int32Array.of(0, 1, 2), Int32Array.of(2147483647, 0), Float32Array.of(1, 1), f32(12), 2, 3, 4)',
      error: 'RangeError',
      message: /cols\[0\] is 2147483647/,
    },
    {
      name: 'sparseMatmul negative column index',
      code: 'm.sparseMatmul(f32(8), Int32Array.of(0, 1, 2), Int32Array.of(0, -5), Float32Array.of(1, 1), f32(12), 2, 3, 4)',
      error: 'RangeError',
      message: /cols\[1\] is -5/,
    },
    {
      name: 'sparseMatmul rowPtr[rows] past cols',
      code: 'm.sparseMatmul(f32(8), Int32Array.of(0, 1, 1000000), Int32Array.of(0, 2), Float32Array.of(1, 1), f32(12), 2, 3, 4)',
      error: 'RangeError',
      message: named('cols'),
    },
    {
      name: 'sparseMatmul rowPtr decreasing',
      code: 'm.sparseMatmul(f32(8), Int32Array.of(0, 2, 1), Int32Array.of(0, 2), Float32Array.of(1, 1), f32(12), 2, 3, 4)',
      error: 'RangeError',
      message: /never to decrease/,
    },
    {
      name: 'sparseMatmul rowPtr negative start',
      code: 'm.sparseMatmul(f32(8), Int32Array.of(-4, 1, 2), Int32Array.of(0, 2), Float32Array.of(1, 1), f32(12), 2, 3, 4)',
      error: 'RangeError',
      message: /rowPtr\[0\] to be 0/,
    },
    {
      name: 'sparseMatmul rowPtr too short',
      code: 'm.sparseMatmul(f32(8), Int32Array.of(0, 1), Int32Array.of(0, 2), Float32Array.of(1, 1), f32(12), 2, 3, 4)',
      error: 'RangeError',
      message: named('rowPtr'),
    },
    {
      name: 'sparseMatmul rowPtr Uint32Array',
      code: 'm.sparseMatmul(f32(8), Uint32Array.of(0, 1, 2), Int32Array.of(0, 2), Float32Array.of(1, 1), f32(12), 2, 3, 4)',
      error: 'TypeError',
      message: named('rowPtr'),
    },
    {
      name: 'sparseMatmul values too short',
      code: 'm.sparseMatmul(f32(8), Int32Array.of(0, 1, 2), Int32Array.of(0, 2), Float32Array.of(1), f32(12), 2, 3, 4)',
      error: 'RangeError',
      message: named('values'),
    },
    {
      name: 'sparseMatmul b too short for k x n',
      code: 'm.sparseMatmul(f32(8), Int32Array.of(0, 1, 2), Int32Array.of(0, 2), Float32Array.of(1, 1), f32(11), 2, 3, 4)',
      error: 'RangeError',
      message: named('b'),
    },
    {
      name: 'sparseMatmul c too short',
      code: 'm.sparseMatmul(f32(7), Int32Array.of(0, 1, 2), Int32Array.of(0, 2), Float32Array.of(1, 1), f32(12), 2, 3, 4)',
      error: 'RangeError',
      message: named('c'),
    },
    {
      name: 'sparseMatmul huge k x n with small b',
      code: 'm.sparseMatmul(f32(8), Int32Array.of(0, 1, 2), Int32Array.of(0, 2), Float32Array.of(1, 1), f32(12), 2, 2147483647, 65536)',
      error: 'RangeError',
      message: /Expected (b|c)/,
    },
    {
      name: 'sparseMatmul cols detached',
      code: 'const b = new ArrayBuffer(8); const c = new Int32Array(b); structuredClone(b, { transfer: [b] }); m.sparseMatmul(f32(8), Int32Array.of(0, 1, 2), c, Float32Array.of(1, 1), f32(12), 2, 3, 4)',
      error: 'TypeError',
      message: /Expected cols .*detached/,
    },
    {
      name: 'sparseMatmul too few arguments',
      code: 'm.sparseMatmul(f32(8), Int32Array.of(0, 1, 2))',
      error: 'TypeError',
      message: /8 arguments/,
    },
    {
      name: 'sparseMatmulT alpha NaN',
      code: 'm.sparseMatmulT(f32(12), Int32Array.of(0, 1, 2), Int32Array.of(0, 2), Float32Array.of(1, 1), f32(8), 2, 3, 4, NaN, 1)',
      error: 'RangeError',
      message: named('alpha'),
    },
    {
      name: 'sparseMatmulT c too short for k x n',
      code: 'm.sparseMatmulT(f32(11), Int32Array.of(0, 1, 2), Int32Array.of(0, 2), Float32Array.of(1, 1), f32(8), 2, 3, 4, 1, 0)',
      error: 'RangeError',
      message: named('c'),
    },
    {
      name: 'sparseMatmulT d too short',
      code: 'm.sparseMatmulT(f32(12), Int32Array.of(0, 1, 2), Int32Array.of(0, 2), Float32Array.of(1, 1), f32(7), 2, 3, 4, 1, 0)',
      error: 'RangeError',
      message: named('d'),
    },
    {
      name: 'sparseMatmulT column index = k',
      code: 'm.sparseMatmulT(f32(12), Int32Array.of(0, 1, 2), Int32Array.of(3, 0), Float32Array.of(1, 1), f32(8), 2, 3, 4, 1, 0)',
      error: 'RangeError',
      message: /cols\[0\] is 3/,
    },
    {
      name: 'gatherSparse values shorter than rows x features',
      code: 'm.gatherSparse(f32(5), new Int32Array(6), new Int32Array(3), new Uint8Array(9), Uint32Array.of(0, 1), 0, 2, 3)',
      error: 'RangeError',
      message: named('values'),
    },
    {
      name: 'gatherSparse cols Float32Array',
      code: 'm.gatherSparse(f32(6), f32(6), new Int32Array(3), new Uint8Array(9), Uint32Array.of(0, 1), 0, 2, 3)',
      error: 'TypeError',
      message: named('cols'),
    },
    {
      name: 'gatherSparse rowPtr too short',
      code: 'm.gatherSparse(f32(6), new Int32Array(6), new Int32Array(2), new Uint8Array(9), Uint32Array.of(0, 1), 0, 2, 3)',
      error: 'RangeError',
      message: named('rowPtr'),
    },
    {
      name: 'gatherSparse index past the last image',
      code: 'm.gatherSparse(f32(6), new Int32Array(6), new Int32Array(3), new Uint8Array(9), Uint32Array.of(0, 3), 0, 2, 3)',
      error: 'RangeError',
      message: /index\[1\] is 3/,
    },
    {
      name: 'gatherSparse rows x features past 2^31',
      code: 'm.gatherSparse(f32(6), new Int32Array(6), new Int32Array(3), new Uint8Array(9), Uint32Array.of(0, 1), 0, 65536, 65536)',
      error: 'RangeError',
      message: /rows \* features/,
    },
    { name: 'fmaPeak threads 0', code: 'm.fmaPeak(0, 0.01)', error: 'RangeError', message: named('threads') },
    { name: 'fmaPeak seconds 1e9', code: 'm.fmaPeak(1, 1e9)', error: 'RangeError', message: named('seconds') },
    { name: 'fmaPeak seconds string', code: 'm.fmaPeak(1, "1")', error: 'TypeError', message: named('seconds') },
  ],
  'gather in the background': [
    {
      name: 'startGatherSparse on SharedArrayBuffers, then finishGather (control)',
      code: 'const sh = (T, n) => new T(new SharedArrayBuffer(T.BYTES_PER_ELEMENT * n)); m.setThreads(2); const v = sh(Float32Array, 6), c = sh(Int32Array, 6), rp = sh(Int32Array, 3), img = sh(Uint8Array, 6), ix = sh(Uint32Array, 2); img.set([0, 5, 0, 7, 7, 7]); ix.set([1, 0]); m.startGatherSparse(v, c, rp, img, ix, 0, 2, 3); m.finishGather(); if (rp[2] !== 4 || c[3] !== 1 || v[3] !== Math.fround(5 / 255)) throw new Error("gathered " + rp + " / " + c + " / " + v)',
      error: 'ok',
    },
    { name: 'finishGather with no gather begun (control: a no-op)', code: 'm.finishGather(); m.finishGather()', error: 'ok' },
    {
      name: 'startGatherSparse index past the last image',
      code: 'm.startGatherSparse(f32(6), new Int32Array(6), new Int32Array(3), new Uint8Array(9), Uint32Array.of(0, 3), 0, 2, 3)',
      error: 'RangeError',
      message: /index\[1\] is 3/,
    },
    {
      name: 'startGatherSparse values too short',
      code: 'm.startGatherSparse(f32(5), new Int32Array(6), new Int32Array(3), new Uint8Array(9), Uint32Array.of(0, 1), 0, 2, 3)',
      error: 'RangeError',
      message: named('values'),
    },
    {
      name: 'startGatherSparse images detached',
      code: 'm.startGatherSparse(f32(6), new Int32Array(6), new Int32Array(3), detachedU8(9), Uint32Array.of(0, 1), 0, 2, 3)',
      error: 'TypeError',
      message: /Expected images .*detached/,
    },
    { name: 'startGatherSparse too few arguments', code: 'm.startGatherSparse(f32(6))', error: 'TypeError', message: /8 arguments/ },
    {
      name: 'index rewritten past the last image while the gather runs (control: no read out of bounds, such rows empty)',
      code: 'const sh = (T, n) => new T(new SharedArrayBuffer(T.BYTES_PER_ELEMENT * n)); m.setThreads(2); m.setPoolPolicy("always"); const wake = () => S({ m: 300, n: 300, k: 300, a: f32(90000), lda: 300, b: f32(90000), ldb: 300, c: f32(90000), ldc: 300 }); const F = 784, R = 2000; const img = sh(Uint8Array, 10 * F).fill(3), ix = sh(Uint32Array, R), v = sh(Float32Array, R * F), c = sh(Int32Array, R * F), rp = sh(Int32Array, R + 1); for (let round = 0; round < 5; round++) { ix.fill(round % 10); wake(); m.startGatherSparse(v, c, rp, img, ix, 0, R, F); ix.fill(4294967295); m.finishGather(); for (let r = 0; r < R; r++) { const n = rp[r + 1] - rp[r]; if (n !== 0 && n !== F) throw new Error("row " + r + " has " + n); } }',
      error: 'ok',
    },
    {
      name: 'arrays dropped and collected while the gather runs (control: the addon holds them)',
      code: 'require("v8").setFlagsFromString("--expose-gc"); const gc = require("vm").runInNewContext("gc"); const sh = (T, n) => new T(new SharedArrayBuffer(T.BYTES_PER_ELEMENT * n)); m.setThreads(2); m.setPoolPolicy("always"); const wake = () => S({ m: 300, n: 300, k: 300, a: f32(90000), lda: 300, b: f32(90000), ldb: 300, c: f32(90000), ldc: 300 }); const F = 784, R = 4000; (() => { const img = sh(Uint8Array, 10 * F).fill(9), ix = sh(Uint32Array, R); wake(); m.startGatherSparse(sh(Float32Array, R * F), sh(Int32Array, R * F), sh(Int32Array, R + 1), img, ix, 0, R, F); })(); for (let i = 0; i < 5; i++) gc(); m.finishGather()',
      error: 'ok',
    },
    {
      name: 'startGatherPixels index past the last image',
      code: 'm.startGatherPixels(f32(6), new Uint8Array(9), Uint32Array.of(0, 3), 0, 2, 3)',
      error: 'RangeError',
      message: /index\[1\] is 3/,
    },
    {
      name: 'startGatherPixels out Float64Array',
      code: 'm.startGatherPixels(new Float64Array(6), new Uint8Array(9), Uint32Array.of(0, 1), 0, 2, 3)',
      error: 'TypeError',
      message: named('out'),
    },
    {
      name: 'startGatherPixels: index rewritten past the last image while the gather runs (control: such rows zero)',
      code: 'const sh = (T, n) => new T(new SharedArrayBuffer(T.BYTES_PER_ELEMENT * n)); m.setThreads(2); m.setPoolPolicy("always"); const wake = () => S({ m: 300, n: 300, k: 300, a: f32(90000), lda: 300, b: f32(90000), ldb: 300, c: f32(90000), ldc: 300 }); const F = 784, R = 2000; const img = sh(Uint8Array, 10 * F).fill(51), ix = sh(Uint32Array, R), out = sh(Float32Array, R * F); for (let round = 0; round < 5; round++) { ix.fill(round % 10); wake(); m.startGatherPixels(out, img, ix, 0, R, F); ix.fill(4294967295); m.finishGather(); for (let r = 0; r < R; r++) { const v = out[r * F + 7]; if (v !== 0 && v !== Math.fround(0.2)) throw new Error("row " + r + " holds " + v); } }',
      error: 'ok',
    },
    {
      name: 'setThreads(1) while a gather runs, then another gather (control)',
      code: 'const sh = (T, n) => new T(new SharedArrayBuffer(T.BYTES_PER_ELEMENT * n)); m.setThreads(2); m.setPoolPolicy("always"); const wake = () => S({ m: 300, n: 300, k: 300, a: f32(90000), lda: 300, b: f32(90000), ldb: 300, c: f32(90000), ldc: 300 }); const F = 784, R = 2000; const img = sh(Uint8Array, F).fill(1), ix = sh(Uint32Array, R), v = sh(Float32Array, R * F), c = sh(Int32Array, R * F), rp = sh(Int32Array, R + 1); wake(); m.startGatherSparse(v, c, rp, img, ix, 0, R, F); m.setThreads(1); if (rp[R] !== R * F) throw new Error("first gather incomplete: " + rp[R]); m.startGatherSparse(v, c, rp, img, ix, 0, 5, F); m.finishGather(); m.setThreads(0)',
      error: 'ok',
    },
  ],
};

describeHostileGroups('gather and sparse', GROUPS);
