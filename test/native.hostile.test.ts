/**
 * Hostile calls straight into the addon (no TypeScript checks in front): every bad argument must
 * come back as a TypeError or RangeError whose message names the argument, never as a crash.
 * Each group of calls runs in its own child process (node loading the .node file by path), each
 * call wrapped in try/catch and reported separately; if the child dies (SIGSEGV, abort, sanitizer
 * report) every case of its group fails with the child's stderr.
 *
 * Skipped visibly when the addon is not built, unless REQUIRE_NATIVE=1.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNative } from '../src/backend/native/load.js';
import { skipOrFail } from './helpers/skip-or-fail.js';

const native = loadNative();

interface Hostile {
  /** What the call does wrong. */
  name: string;
  /** JavaScript run in the child with m (the addon) and the helpers below in scope. */
  code: string;
  /** Expected error class, or 'ok' for a control call that must succeed. */
  error: 'TypeError' | 'RangeError' | 'ok';
  /** The message must match this (it names the argument). */
  message?: RegExp;
}

interface Outcome {
  ok?: boolean;
  name?: string;
  message?: string;
}

// Runs in the child. Helpers:
//   f32(n), u8(n)     fresh arrays
//   detached(n)       a Float32Array whose ArrayBuffer has been transferred away
//   detachedU8(n)     the same for Uint8Array
//   S({...})          sgemm with valid defaults (2x3 = (2x4)(4x3)), some overridden by name
const CHILD = String.raw`
const m = require(process.env.NATIVE_MLP_HOSTILE_ADDON);
const f32 = (n) => new Float32Array(n);
const u8 = (n) => new Uint8Array(n);
const u32 = (n) => new Uint32Array(n);
const detachedU32 = (n) => { const a = new Uint32Array(n); structuredClone(a.buffer, { transfer: [a.buffer] }); return a; };
const detached = (n) => { const buf = new ArrayBuffer(n * 4); const a = new Float32Array(buf); structuredClone(buf, { transfer: [buf] }); return a; };
// ArrayBuffer.prototype.transfer() exists from Node 21; structuredClone with transfer works on 20.
const detachedU8 = (n) => { const buf = new ArrayBuffer(n); const a = new Uint8Array(buf); if (typeof buf.transfer === 'function') buf.transfer(); else structuredClone(buf, { transfer: [buf] }); return a; };
const SG = ['transA', 'transB', 'm', 'n', 'k', 'alpha', 'a', 'lda', 'b', 'ldb', 'beta', 'c', 'ldc'];
const S = (o = {}) => {
  const d = { transA: false, transB: false, m: 2, n: 3, k: 4, alpha: 1, a: f32(8), lda: 4, b: f32(12), ldb: 3, beta: 0, c: f32(6), ldc: 3, ...o };
  return m.sgemm(...SG.map((k) => d[k]));
};
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const out = [];
  for (const code of JSON.parse(input)) {
    try {
      new Function('m', 'f32', 'u8', 'u32', 'detached', 'detachedU8', 'detachedU32', 'S', code)(m, f32, u8, u32, detached, detachedU8, detachedU32, S);
      out.push({ ok: true });
    } catch (e) {
      out.push({ name: e && e.name, message: String(e && e.message) });
    }
  }
  process.stdout.write(JSON.stringify(out));
});
`;

const named = (arg: string) => new RegExp(`Expected ${arg.replace(/[[\]]/g, '\\$&')}\\b`);

const GROUPS: Record<string, Hostile[]> = {
  'sgemm sizes and strides': [
    { name: 'valid call (control)', code: 'S()', error: 'ok' },
    { name: 'valid k = 0 with empty A and B (control)', code: 'S({ k: 0, a: f32(0), b: f32(0), lda: 1 })', error: 'ok' },
    { name: 'negative m', code: 'S({ m: -1 })', error: 'RangeError', message: named('m') },
    { name: 'fractional n', code: 'S({ n: 1.5 })', error: 'RangeError', message: named('n') },
    { name: 'NaN k', code: 'S({ k: NaN })', error: 'RangeError', message: named('k') },
    { name: 'Infinity m', code: 'S({ m: Infinity })', error: 'RangeError', message: named('m') },
    { name: '2^31 n', code: 'S({ n: 2 ** 31 })', error: 'RangeError', message: named('n') },
    { name: '2^31 lda', code: 'S({ lda: 2 ** 31 })', error: 'RangeError', message: named('lda') },
    { name: '-0.5 ldc', code: 'S({ ldc: -0.5 })', error: 'RangeError', message: named('ldc') },
    { name: 'm as a string', code: 'S({ m: "2" })', error: 'TypeError', message: named('m') },
    { name: 'k as a BigInt', code: 'S({ k: 4n })', error: 'TypeError', message: named('k') },
    {
      name: 'lda < k (A row length)',
      code: 'S({ lda: 3 })',
      error: 'RangeError',
      message: /Expected lda >= 4 \(A is 2x4\) but received 3/,
    },
    { name: 'lda < m with transA', code: 'S({ transA: true, lda: 1 })', error: 'RangeError', message: /Expected lda >= 2/ },
    { name: 'ldb < n', code: 'S({ ldb: 2 })', error: 'RangeError', message: /Expected ldb >= 3/ },
    { name: 'ldb < k with transB', code: 'S({ transB: true, ldb: 3 })', error: 'RangeError', message: /Expected ldb >= 4/ },
    { name: 'ldc < n', code: 'S({ ldc: 2 })', error: 'RangeError', message: /Expected ldc >= 3/ },
    { name: 'lda = 0 with k = 0', code: 'S({ k: 0, lda: 0 })', error: 'RangeError', message: /Expected lda >= 1/ },
    { name: 'ldc = 0 with n = 0', code: 'S({ n: 0, ldb: 1, ldc: 0 })', error: 'RangeError', message: /Expected ldc >= 1/ },
    { name: 'm = 2^31 - 1 with small arrays', code: 'S({ m: 2 ** 31 - 1 })', error: 'RangeError', message: named('a') },
    { name: 'huge lda with a small A', code: 'S({ lda: 2 ** 31 - 1 })', error: 'RangeError', message: named('a') },
    { name: 'huge ldb with a small B', code: 'S({ ldb: 2 ** 31 - 1 })', error: 'RangeError', message: named('b') },
    {
      name: '(m - 1) * ldc + n wraps past 2^32 (would fit a 32-bit check)',
      code: 'S({ m: 65537, n: 65536, k: 0, lda: 1, ldb: 65536, ldc: 65536, a: f32(0), b: f32(0), c: f32(131072) })',
      error: 'RangeError',
      message: named('c'),
    },
    {
      name: '(k - 1) * lda + m wraps past 2^32 with transA',
      code: 'S({ transA: true, m: 1, n: 1, k: 65537, lda: 65536, ldb: 1, ldc: 1, a: f32(131072), b: f32(65537), c: f32(1) })',
      error: 'RangeError',
      message: named('a'),
    },
    { name: 'alpha NaN', code: 'S({ alpha: NaN })', error: 'RangeError', message: named('alpha') },
    { name: 'beta -Infinity', code: 'S({ beta: -Infinity })', error: 'RangeError', message: named('beta') },
    { name: 'alpha as a string', code: 'S({ alpha: "1" })', error: 'TypeError', message: named('alpha') },
    { name: 'beta undefined', code: 'S({ beta: undefined })', error: 'TypeError', message: named('beta') },
    { name: 'transA = 1', code: 'S({ transA: 1 })', error: 'TypeError', message: named('transA') },
    { name: 'transB = "yes"', code: 'S({ transB: "yes" })', error: 'TypeError', message: named('transB') },
    { name: 'transA = null', code: 'S({ transA: null })', error: 'TypeError', message: named('transA') },
    { name: 'too few arguments', code: 'm.sgemm(false, false, 2, 3, 4)', error: 'TypeError', message: /13 arguments/ },
    { name: 'no arguments', code: 'm.sgemm()', error: 'TypeError', message: /13 arguments/ },
  ],
  'sgemm arrays': [
    {
      name: 'valid call on SharedArrayBuffer views with byteOffset (control)',
      code: 'const s = new Float32Array(new SharedArrayBuffer(128)); S({ a: s.subarray(1, 9), b: s.subarray(9, 21), c: s.subarray(21, 27) })',
      error: 'ok',
    },
    {
      name: 'a too short',
      code: 'S({ a: f32(7) })',
      error: 'RangeError',
      message: /Expected a to hold at least 8 elements but it holds 7/,
    },
    { name: 'b too short', code: 'S({ b: f32(11) })', error: 'RangeError', message: named('b') },
    { name: 'c too short', code: 'S({ c: f32(5) })', error: 'RangeError', message: named('c') },
    {
      name: 'c too short for a padded ldc',
      code: 'S({ ldc: 5, c: f32(7) })',
      error: 'RangeError',
      message: /Expected c to hold at least 8/,
    },
    { name: 'a too short with transA', code: 'S({ transA: true, lda: 2, a: f32(7) })', error: 'RangeError', message: named('a') },
    { name: 'b too short with transB', code: 'S({ transB: true, ldb: 4, b: f32(11) })', error: 'RangeError', message: named('b') },
    { name: 'a too short through a subarray view', code: 'S({ a: f32(16).subarray(9) })', error: 'RangeError', message: named('a') },
    {
      name: 'a Float64Array',
      code: 'S({ a: new Float64Array(8) })',
      error: 'TypeError',
      message: /Expected a to be a Float32Array but received Float64Array\(8\)/,
    },
    { name: 'b Int32Array', code: 'S({ b: new Int32Array(12) })', error: 'TypeError', message: named('b') },
    { name: 'c Uint8Array', code: 'S({ c: new Uint8Array(24) })', error: 'TypeError', message: named('c') },
    { name: 'c plain array', code: 'S({ c: [0, 0, 0, 0, 0, 0] })', error: 'TypeError', message: named('c') },
    { name: 'a DataView', code: 'S({ a: new DataView(new ArrayBuffer(32)) })', error: 'TypeError', message: named('a') },
    { name: 'a ArrayBuffer', code: 'S({ a: new ArrayBuffer(32) })', error: 'TypeError', message: named('a') },
    { name: 'b string', code: 'S({ b: "abcdefghijkl" })', error: 'TypeError', message: named('b') },
    { name: 'c null', code: 'S({ c: null })', error: 'TypeError', message: named('c') },
    { name: 'a object with length', code: 'S({ a: { length: 8 } })', error: 'TypeError', message: named('a') },
    { name: 'a Float32Array-like Proxy', code: 'S({ a: new Proxy(f32(8), {}) })', error: 'TypeError', message: named('a') },
    { name: 'a detached', code: 'S({ a: detached(8) })', error: 'TypeError', message: /Expected a .*detached/ },
    {
      name: 'c detached with m = 0 (nothing to write)',
      code: 'S({ m: 0, c: detached(6) })',
      error: 'TypeError',
      message: /Expected c .*detached/,
    },
    {
      name: 'b detached with k = 0 (not read)',
      code: 'S({ k: 0, lda: 1, b: detached(12) })',
      error: 'TypeError',
      message: /Expected b .*detached/,
    },
    {
      name: 'a wrong type even when alpha = 0 (not read)',
      code: 'S({ alpha: 0, a: new Float64Array(8) })',
      error: 'TypeError',
      message: named('a'),
    },
  ],
  'fused kernels': [
    {
      name: 'valid fused calls (control)',
      code: 'm.biasRelu(f32(6), f32(6), f32(3), 2, 3); m.biasAdd(f32(6), f32(3), 2, 3); m.softmaxXentGrad(f32(6), f32(6), u32(2), 2, 3); m.reluBackward(f32(4), f32(4), f32(4), 4); m.colSums(f32(3), f32(6), 2, 3); m.sgdUpdate(f32(4), f32(4), 0.1, 4)',
      error: 'ok',
    },
    { name: 'biasRelu h too short', code: 'm.biasRelu(f32(5), f32(6), f32(3), 2, 3)', error: 'RangeError', message: named('h') },
    { name: 'biasRelu u too short', code: 'm.biasRelu(f32(6), f32(5), f32(3), 2, 3)', error: 'RangeError', message: named('u') },
    { name: 'biasRelu bias too short', code: 'm.biasRelu(f32(6), f32(6), f32(2), 2, 3)', error: 'RangeError', message: named('bias') },
    { name: 'biasRelu rows NaN', code: 'm.biasRelu(f32(6), f32(6), f32(3), NaN, 3)', error: 'RangeError', message: named('rows') },
    { name: 'biasRelu cols negative', code: 'm.biasRelu(f32(6), f32(6), f32(3), 2, -3)', error: 'RangeError', message: named('cols') },
    {
      name: 'biasRelu h Float64Array',
      code: 'm.biasRelu(new Float64Array(6), f32(6), f32(3), 2, 3)',
      error: 'TypeError',
      message: named('h'),
    },
    {
      name: 'biasRelu rows x cols beyond 2^32 with small arrays',
      code: 'm.biasRelu(f32(6), f32(6), f32(3), 65536, 65537)',
      error: 'RangeError',
      message: named('h'),
    },
    { name: 'biasRelu too few arguments', code: 'm.biasRelu(f32(6), f32(6), f32(3), 2)', error: 'TypeError', message: /5 arguments/ },
    { name: 'biasAdd bias too short', code: 'm.biasAdd(f32(6), f32(2), 2, 3)', error: 'RangeError', message: named('bias') },
    { name: 'biasAdd u detached', code: 'm.biasAdd(detached(6), f32(3), 2, 3)', error: 'TypeError', message: /Expected u .*detached/ },
    { name: 'biasAdd cols 2^31', code: 'm.biasAdd(f32(6), f32(3), 2, 2 ** 31)', error: 'RangeError', message: named('cols') },
    {
      name: 'softmaxXentGrad label >= cols',
      code: 'm.softmaxXentGrad(f32(6), f32(6), Uint32Array.of(0, 3), 2, 3)',
      error: 'RangeError',
      message: /labels\[1\] is 3/,
    },
    {
      name: 'softmaxXentGrad label 255',
      code: 'm.softmaxXentGrad(f32(20), f32(20), Uint32Array.of(255, 0), 2, 10)',
      error: 'RangeError',
      message: /labels\[0\] is 255/,
    },
    {
      name: 'softmaxXentGrad rows > 0 with cols = 0',
      code: 'm.softmaxXentGrad(f32(0), f32(0), u32(2), 2, 0)',
      error: 'RangeError',
      message: /label/,
    },
    {
      name: 'softmaxXentGrad labels too short',
      code: 'm.softmaxXentGrad(f32(6), f32(6), u32(1), 2, 3)',
      error: 'RangeError',
      message: named('labels'),
    },
    {
      name: 'softmaxXentGrad labels Float32Array',
      code: 'm.softmaxXentGrad(f32(6), f32(6), f32(2), 2, 3)',
      error: 'TypeError',
      message: named('labels'),
    },
    {
      name: 'softmaxXentGrad labels Int8Array',
      code: 'm.softmaxXentGrad(f32(6), f32(6), new Int8Array(2), 2, 3)',
      error: 'TypeError',
      message: named('labels'),
    },
    {
      name: 'softmaxXentGrad labels Uint8Array (labels are Uint32Array)',
      code: 'm.softmaxXentGrad(f32(6), f32(6), u8(2), 2, 3)',
      error: 'TypeError',
      message: /Expected labels to be a Uint32Array but received Uint8Array\(2\)/,
    },
    {
      name: 'softmaxXentGrad label 299 of 300 classes (control)',
      code: 'm.softmaxXentGrad(f32(600), f32(600), Uint32Array.of(299, 0), 2, 300)',
      error: 'ok',
    },
    {
      name: 'softmaxXentGrad label 2^32 - 1',
      code: 'm.softmaxXentGrad(f32(6), f32(6), Uint32Array.of(0, 4294967295), 2, 3)',
      error: 'RangeError',
      message: /labels\[1\] is 4294967295/,
    },
    {
      name: 'softmaxXentGrad labels Uint8ClampedArray',
      code: 'm.softmaxXentGrad(f32(6), f32(6), new Uint8ClampedArray(2), 2, 3)',
      error: 'TypeError',
      message: named('labels'),
    },
    {
      name: 'softmaxXentGrad labels plain array',
      code: 'm.softmaxXentGrad(f32(6), f32(6), [0, 1], 2, 3)',
      error: 'TypeError',
      message: named('labels'),
    },
    {
      name: 'softmaxXentGrad labels detached',
      code: 'm.softmaxXentGrad(f32(6), f32(6), detachedU32(2), 2, 3)',
      error: 'TypeError',
      message: /Expected labels .*detached/,
    },
    {
      name: 'softmaxXentGrad du too short',
      code: 'm.softmaxXentGrad(f32(5), f32(6), u32(2), 2, 3)',
      error: 'RangeError',
      message: named('du'),
    },
    {
      name: 'softmaxXentGrad logits Int32Array',
      code: 'm.softmaxXentGrad(f32(6), new Int32Array(6), u32(2), 2, 3)',
      error: 'TypeError',
      message: named('logits'),
    },
    {
      name: 'softmaxXentGrad rows x cols near 2^62',
      code: 'm.softmaxXentGrad(f32(6), f32(6), u32(2), 2 ** 31 - 1, 2 ** 31 - 1)',
      error: 'RangeError',
      message: named('du'),
    },
    { name: 'reluBackward n > lengths', code: 'm.reluBackward(f32(4), f32(4), f32(4), 5)', error: 'RangeError', message: named('dx') },
    { name: 'reluBackward dy too short', code: 'm.reluBackward(f32(4), f32(3), f32(4), 4)', error: 'RangeError', message: named('dy') },
    {
      name: 'reluBackward u plain array',
      code: 'm.reluBackward(f32(4), f32(4), [1, 2, 3, 4], 4)',
      error: 'TypeError',
      message: named('u'),
    },
    { name: 'reluBackward n = 2^31', code: 'm.reluBackward(f32(4), f32(4), f32(4), 2 ** 31)', error: 'RangeError', message: named('n') },
    { name: 'reluBackward n fractional', code: 'm.reluBackward(f32(4), f32(4), f32(4), 3.5)', error: 'RangeError', message: named('n') },
    { name: 'colSums out too short', code: 'm.colSums(f32(2), f32(6), 2, 3)', error: 'RangeError', message: named('out') },
    { name: 'colSums x too short', code: 'm.colSums(f32(3), f32(5), 2, 3)', error: 'RangeError', message: named('x') },
    {
      name: 'colSums x DataView',
      code: 'm.colSums(f32(3), new DataView(new ArrayBuffer(24)), 2, 3)',
      error: 'TypeError',
      message: named('x'),
    },
    { name: 'sgdUpdate lr NaN', code: 'm.sgdUpdate(f32(4), f32(4), NaN, 4)', error: 'RangeError', message: named('lr') },
    { name: 'sgdUpdate lr Infinity', code: 'm.sgdUpdate(f32(4), f32(4), Infinity, 4)', error: 'RangeError', message: named('lr') },
    { name: 'sgdUpdate lr string', code: 'm.sgdUpdate(f32(4), f32(4), "0.1", 4)', error: 'TypeError', message: named('lr') },
    { name: 'sgdUpdate g too short', code: 'm.sgdUpdate(f32(4), f32(3), 0.1, 4)', error: 'RangeError', message: named('g') },
    {
      name: 'sgdUpdate w DataView',
      code: 'm.sgdUpdate(new DataView(new ArrayBuffer(16)), f32(4), 0.1, 4)',
      error: 'TypeError',
      message: named('w'),
    },
    { name: 'sgdUpdate too few arguments', code: 'm.sgdUpdate(f32(4), f32(4), 0.1)', error: 'TypeError', message: /4 arguments/ },
  ],
  'activation kernels': [
    {
      name: 'valid calls, every code, in place (control)',
      code: 'for (let a = 0; a < 6; a++) { const u = f32(6); m.biasAct(u, u, f32(3), 2, 3, a); m.actBackward(u, u, f32(6), f32(6), 6, a); }',
      error: 'ok',
    },
    { name: 'biasAct act 6 (unknown)', code: 'm.biasAct(f32(6), f32(6), f32(3), 2, 3, 6)', error: 'RangeError', message: named('act') },
    { name: 'biasAct act -1', code: 'm.biasAct(f32(6), f32(6), f32(3), 2, 3, -1)', error: 'RangeError', message: named('act') },
    { name: 'biasAct act NaN', code: 'm.biasAct(f32(6), f32(6), f32(3), 2, 3, NaN)', error: 'RangeError', message: named('act') },
    { name: 'biasAct act 2^53', code: 'm.biasAct(f32(6), f32(6), f32(3), 2, 3, 2 ** 53)', error: 'RangeError', message: named('act') },
    { name: 'biasAct act string', code: 'm.biasAct(f32(6), f32(6), f32(3), 2, 3, "tanh")', error: 'TypeError', message: named('act') },
    { name: 'biasAct act missing', code: 'm.biasAct(f32(6), f32(6), f32(3), 2, 3)', error: 'TypeError', message: /6 arguments/ },
    { name: 'biasAct h too short', code: 'm.biasAct(f32(5), f32(6), f32(3), 2, 3, 2)', error: 'RangeError', message: named('h') },
    { name: 'biasAct bias too short', code: 'm.biasAct(f32(6), f32(6), f32(2), 2, 3, 3)', error: 'RangeError', message: named('bias') },
    {
      name: 'biasAct rows x cols beyond 2^32 with small arrays',
      code: 'm.biasAct(f32(6), f32(6), f32(3), 65536, 65537, 4)',
      error: 'RangeError',
      message: named('h'),
    },
    {
      name: 'biasAct u detached',
      code: 'm.biasAct(f32(6), detached(6), f32(3), 2, 3, 2)',
      error: 'TypeError',
      message: /Expected u .*detached/,
    },
    {
      name: 'biasAct h Float64Array',
      code: 'm.biasAct(new Float64Array(6), f32(6), f32(3), 2, 3, 2)',
      error: 'TypeError',
      message: named('h'),
    },
    {
      name: 'biasAct h partly overlapping u',
      code: 'const s = f32(8); m.biasAct(s.subarray(1, 7), s.subarray(0, 6), f32(3), 2, 3, 2)',
      error: 'RangeError',
      message: /overlap/,
    },
    {
      name: 'actBackward h too short',
      code: 'm.actBackward(f32(4), f32(4), f32(4), f32(3), 4, 2)',
      error: 'RangeError',
      message: named('h'),
    },
    {
      name: 'actBackward n 2^31',
      code: 'm.actBackward(f32(4), f32(4), f32(4), f32(4), 2 ** 31, 2)',
      error: 'RangeError',
      message: named('n'),
    },
    {
      name: 'actBackward act 99',
      code: 'm.actBackward(f32(4), f32(4), f32(4), f32(4), 4, 99)',
      error: 'RangeError',
      message: named('act'),
    },
    {
      name: 'actBackward dy plain array',
      code: 'm.actBackward(f32(4), [0, 0, 0, 0], f32(4), f32(4), 4, 2)',
      error: 'TypeError',
      message: named('dy'),
    },
    {
      name: 'actBackward dx partly overlapping h',
      code: 'const s = f32(8); m.actBackward(s.subarray(2, 6), f32(4), f32(4), s.subarray(0, 4), 4, 3)',
      error: 'RangeError',
      message: /overlap/,
    },
  ],
  'dropout': [
    {
      name: 'valid calls, in place and not (control)',
      code: 'const x = f32(6); m.dropout(x, x, 6, 0.5, 4294967295, 0); m.dropout(f32(6), x, 6, 0, 1, 2)',
      error: 'ok',
    },
    { name: 'p 1', code: 'm.dropout(f32(4), f32(4), 4, 1, 0, 0)', error: 'RangeError', message: named('p') },
    { name: 'p -0.5', code: 'm.dropout(f32(4), f32(4), 4, -0.5, 0, 0)', error: 'RangeError', message: named('p') },
    { name: 'p NaN', code: 'm.dropout(f32(4), f32(4), 4, NaN, 0, 0)', error: 'RangeError', message: named('p') },
    { name: 'p string', code: 'm.dropout(f32(4), f32(4), 4, "0.5", 0, 0)', error: 'TypeError', message: named('p') },
    { name: 'key0 2^32', code: 'm.dropout(f32(4), f32(4), 4, 0.5, 2 ** 32, 0)', error: 'RangeError', message: named('key0') },
    { name: 'key1 -1', code: 'm.dropout(f32(4), f32(4), 4, 0.5, 0, -1)', error: 'RangeError', message: named('key1') },
    { name: 'key1 missing', code: 'm.dropout(f32(4), f32(4), 4, 0.5, 0)', error: 'TypeError', message: /6 arguments/ },
    { name: 'out too short', code: 'm.dropout(f32(3), f32(4), 4, 0.5, 0, 0)', error: 'RangeError', message: named('out') },
    { name: 'x detached', code: 'm.dropout(f32(4), detached(4), 4, 0.5, 0, 0)', error: 'TypeError', message: /Expected x .*detached/ },
    { name: 'n 2^31 with small arrays', code: 'm.dropout(f32(4), f32(4), 2 ** 31, 0.5, 0, 0)', error: 'RangeError', message: named('n') },
    {
      name: 'out partly overlapping x',
      code: 'const s = f32(8); m.dropout(s.subarray(1, 5), s.subarray(0, 4), 4, 0.5, 0, 0)',
      error: 'RangeError',
      message: /overlap/,
    },
  ],
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
  'mseGrad': [
    { name: 'valid mseGrad (control)', code: 'm.mseGrad(f32(6), f32(6), f32(6), 2, 3)', error: 'ok' },
    { name: 'mseGrad du too short', code: 'm.mseGrad(f32(5), f32(6), f32(6), 2, 3)', error: 'RangeError', message: named('du') },
    { name: 'mseGrad pred too short', code: 'm.mseGrad(f32(6), f32(5), f32(6), 2, 3)', error: 'RangeError', message: named('pred') },
    { name: 'mseGrad target too short', code: 'm.mseGrad(f32(6), f32(6), f32(5), 2, 3)', error: 'RangeError', message: named('target') },
    {
      name: 'mseGrad target Float64Array',
      code: 'm.mseGrad(f32(6), f32(6), new Float64Array(6), 2, 3)',
      error: 'TypeError',
      message: named('target'),
    },
    {
      name: 'mseGrad target detached',
      code: 'm.mseGrad(f32(6), f32(6), detached(6), 2, 3)',
      error: 'TypeError',
      message: /Expected target .*detached/,
    },
    {
      name: 'mseGrad rows x cols near 2^62',
      code: 'm.mseGrad(f32(6), f32(6), f32(6), 2 ** 31 - 1, 2 ** 31 - 1)',
      error: 'RangeError',
      message: named('du'),
    },
    { name: 'mseGrad rows NaN', code: 'm.mseGrad(f32(6), f32(6), f32(6), NaN, 3)', error: 'RangeError', message: named('rows') },
    { name: 'mseGrad too few arguments', code: 'm.mseGrad(f32(6), f32(6), f32(6), 2)', error: 'TypeError', message: /5 arguments/ },
  ],
  'weighted loss heads': [
    {
      name: 'valid weighted calls (control)',
      code: 'm.softmaxXentGradWeighted(f32(6), f32(6), u32(2), Float32Array.of(1, 0), 2, 3); m.mseGradWeighted(f32(6), f32(6), f32(6), f32(2), 2, 3)',
      error: 'ok',
    },
    {
      name: 'NaN weight',
      code: 'm.softmaxXentGradWeighted(f32(6), f32(6), u32(2), Float32Array.of(1, NaN), 2, 3)',
      error: 'RangeError',
      message: /weights\[1\] is NaN/,
    },
    {
      name: 'negative subnormal weight (read as bits, not flushed)',
      code: 'm.mseGradWeighted(f32(6), f32(6), f32(6), Float32Array.of(-1e-40, 1), 2, 3)',
      error: 'RangeError',
      message: /weights\[0\]/,
    },
    {
      name: 'infinite weight',
      code: 'm.mseGradWeighted(f32(6), f32(6), f32(6), Float32Array.of(1, Infinity), 2, 3)',
      error: 'RangeError',
      message: /weights\[1\] is Infinity/,
    },
    {
      name: 'weights too short',
      code: 'm.softmaxXentGradWeighted(f32(6), f32(6), u32(2), f32(1), 2, 3)',
      error: 'RangeError',
      message: named('weights'),
    },
    {
      name: 'weights detached',
      code: 'm.mseGradWeighted(f32(6), f32(6), f32(6), detached(2), 2, 3)',
      error: 'TypeError',
      message: /Expected weights .*detached/,
    },
    {
      name: 'weights Float64Array',
      code: 'm.mseGradWeighted(f32(6), f32(6), f32(6), new Float64Array(2), 2, 3)',
      error: 'TypeError',
      message: named('weights'),
    },
    {
      name: 'weights inside du',
      code: 'const b = f32(8); m.mseGradWeighted(b.subarray(0, 6), f32(6), f32(6), b.subarray(5, 7), 2, 3)',
      error: 'RangeError',
      message: /overlap du/,
    },
    {
      name: 'label >= cols',
      code: 'm.softmaxXentGradWeighted(f32(6), f32(6), Uint32Array.of(0, 3), f32(2), 2, 3)',
      error: 'RangeError',
      message: /labels\[1\] is 3/,
    },
    {
      name: 'rows x cols near 2^62',
      code: 'm.softmaxXentGradWeighted(f32(6), f32(6), u32(2), f32(2), 2 ** 31 - 1, 2 ** 31 - 1)',
      error: 'RangeError',
      message: named('du'),
    },
    { name: 'too few arguments', code: 'm.mseGradWeighted(f32(6), f32(6), f32(6), f32(2), 2)', error: 'TypeError', message: /6 arguments/ },
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
  threads: [
    {
      name: 'setThreads(1) and getThreads() (control)',
      code: 'if (m.setThreads(1) !== 1 || m.getThreads() !== 1) throw new Error("setThreads(1) did not stick")',
      error: 'ok',
    },
    { name: 'setThreads(-1)', code: 'm.setThreads(-1)', error: 'RangeError', message: named('n') },
    { name: 'setThreads(1e9)', code: 'm.setThreads(1e9)', error: 'RangeError', message: named('n') },
    { name: 'setThreads(257)', code: 'm.setThreads(257)', error: 'RangeError', message: named('n') },
    { name: 'setThreads(NaN)', code: 'm.setThreads(NaN)', error: 'RangeError', message: named('n') },
    { name: 'setThreads(1.5)', code: 'm.setThreads(1.5)', error: 'RangeError', message: named('n') },
    { name: 'setThreads("2")', code: 'm.setThreads("2")', error: 'TypeError', message: named('n') },
    { name: 'setThreads()', code: 'm.setThreads()', error: 'TypeError', message: /1 arguments|argument/ },
    {
      name: 'bad setThreads calls left the setting alone (control)',
      code: 'if (m.getThreads() !== 1) throw new Error("thread count changed to " + m.getThreads())',
      error: 'ok',
    },
    {
      name: 'setIsa("generic") and back (control)',
      code: 'const best = m.supportedIsas()[0]; if (m.setIsa("generic") !== "generic" || m.setIsa(best) !== best) throw new Error("setIsa did not stick")',
      error: 'ok',
    },
    {
      name: 'setIsa unknown name',
      code: 'm.setIsa("sse9")',
      error: 'RangeError',
      message: /Expected name to be one of avx512, avx2, neon, generic but received "sse9"/,
    },
    { name: 'setIsa number', code: 'm.setIsa(2)', error: 'TypeError', message: named('name') },
    { name: 'setIsa very long string', code: 'm.setIsa("a".repeat(100000))', error: 'RangeError', message: named('name') },
    { name: 'setIsa()', code: 'm.setIsa()', error: 'TypeError', message: /1 arguments/ },
    { name: 'setPoolPolicy unknown', code: 'm.setPoolPolicy("sometimes")', error: 'RangeError', message: named('policy') },
    {
      name: 'permutation short state',
      code: 'm.permutation(new Uint32Array(3), new Uint32Array(4))',
      error: 'RangeError',
      message: named('state'),
    },
    {
      name: 'permutation even increment',
      code: 'm.permutation(new Uint32Array(3), new Uint32Array(10))',
      error: 'RangeError',
      message: named('state'),
    },
    {
      name: 'permutation out not a Uint32Array',
      code: 'm.permutation(new Float32Array(3), new Uint32Array(10))',
      error: 'TypeError',
      message: named('out'),
    },
    { name: 'setPoolPolicy object', code: 'm.setPoolPolicy({})', error: 'TypeError', message: named('policy') },
    {
      name: 'setPoolPolicy("always") and back (control)',
      code: 'if (m.setPoolPolicy("always") !== "always" || m.setPoolPolicy("adaptive") !== "adaptive") throw new Error("policy")',
      error: 'ok',
    },
    {
      name: 'setThreads(256) then a pooled sgemm (control)',
      code: 'm.setThreads(256); S({ m: 300, n: 300, k: 300, a: f32(90000), lda: 300, b: f32(90000), ldb: 300, c: f32(90000), ldc: 300 }); m.setThreads(0)',
      error: 'ok',
    },
  ],
};

function runChild(path: string, cases: Hostile[]): { outcomes: Outcome[] | null; failure: string | null } {
  const r = spawnSync(process.execPath, ['-e', CHILD], {
    input: JSON.stringify(cases.map((c) => c.code)),
    env: { ...process.env, NATIVE_MLP_HOSTILE_ADDON: path },
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.error || r.status !== 0 || r.signal) {
    const why = r.error ? String(r.error) : `exit status ${r.status}, signal ${r.signal}`;
    return { outcomes: null, failure: `child process failed (${why}); stderr:\n${r.stderr}` };
  }
  try {
    const outcomes = JSON.parse(r.stdout) as Outcome[];
    if (outcomes.length !== cases.length) throw new Error(`expected ${cases.length} results, got ${outcomes.length}`);
    // A sanitizer that only prints (recover mode) must still fail the suite.
    if (/(AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:)/.test(r.stderr)) {
      return { outcomes: null, failure: `sanitizer report in the child's stderr:\n${r.stderr}` };
    }
    return { outcomes, failure: null };
  } catch (e) {
    return { outcomes: null, failure: `unreadable child output (${String(e)}): ${r.stdout}\nstderr:\n${r.stderr}` };
  }
}

const addonPath = native.backend ? native.path : null;

if (!addonPath) {
  skipOrFail('native hostile calls', native.error?.message ?? 'not built');
} else {
  for (const [group, cases] of Object.entries(GROUPS)) {
    describe(`native hostile calls: ${group} (one child process)`, () => {
      let run: ReturnType<typeof runChild> = { outcomes: null, failure: 'child not run' };
      beforeAll(() => {
        run = runChild(addonPath, cases);
      }, 180_000);

      cases.forEach((hc, i) => {
        it(hc.name, () => {
          if (run.failure !== null) expect.fail(run.failure);
          const got = run.outcomes![i];
          if (hc.error === 'ok') {
            expect(got, `${hc.code} should succeed`).toEqual({ ok: true });
            return;
          }
          expect(got.ok, `${hc.code} should throw ${hc.error}`).toBeUndefined();
          expect(got.name, `${hc.code} threw ${got.name}: ${got.message}`).toBe(hc.error);
          expect(got.message).toMatch(hc.message!);
        });
      });
    });
  }
}
