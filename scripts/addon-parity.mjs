#!/usr/bin/env node
// The addon's parity checks as a plain Node script (no vitest, no TypeScript, Node 18+), for
// places the vitest suite cannot run: a prebuilt binary under qemu-user with Debian's arm64 Node 18
// (scripts/arm64-parity.sh), or a consumer's install. Every export is checked against a naive
// reference written here, once per instruction set the machine runs (every ISA the addon's
// supportedIsas() lists, switched with setIsa).
//
//   node scripts/addon-parity.mjs [path/to/addon.node]   (default: what node-gyp-build finds here)
//
// Prints one line per check and ends with "N passed, N failed"; exits 1 on any failure.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const path = process.argv[2] ? resolve(process.argv[2]) : require('node-gyp-build').resolve(root);

const addon = require(path);

// ---- data: xorshift32 in [-1, 1), views at an offset into a larger (maybe shared) buffer ----
function rng(seed) {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 31 - 1;
  };
}
function f32(len, seed, { off = 0, shared = false, scale = 1 } = {}) {
  const buf = shared ? new SharedArrayBuffer((len + off + 3) * 4) : new ArrayBuffer((len + off + 3) * 4);
  const v = new Float32Array(buf, off * 4, len);
  const next = rng(seed);
  for (let i = 0; i < len; i++) v[i] = next() * scale;
  return v;
}
const extent = (rows, cols, ld) => (rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols);
const fr = Math.fround;

// ---- sgemm against a float64 reference with the summation-order rounding bound ----
function sgemmCase(m, cs) {
  const { ta, tb, M, N, K, alpha, beta, pad = 0, off = 0, shared = false } = cs;
  const [ar, ac] = ta ? [K, M] : [M, K];
  const [br, bc] = tb ? [N, K] : [K, N];
  const lda = Math.max(1, ac) + pad,
    ldb = Math.max(1, bc) + pad,
    ldc = Math.max(1, N) + pad;
  const seed = M * 7919 + N * 104729 + K * 13 + (ta ? 1 : 0) + (tb ? 2 : 0);
  const a = f32(extent(ar, ac, lda), seed, { off, shared });
  const b = f32(extent(br, bc, ldb), seed + 1, { off: off + 1, shared });
  const c = f32(extent(M, N, ldc), seed + 2, { off, shared });
  if (alpha === 0) {
    a.fill(NaN);
    b.fill(NaN);
  } // must not be read
  const c0 = Float32Array.from(c);
  if (beta === 0) c.fill(NaN); // must not be read
  m.sgemm(ta, tb, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc);
  const eps = 2 * (K + 3) * 2 ** -24;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0,
        mag = 0;
      if (alpha !== 0) {
        for (let q = 0; q < K; q++) {
          const p = (ta ? a[q * lda + i] : a[i * lda + q]) * (tb ? b[j * ldb + q] : b[q * ldb + j]);
          sum += p;
          mag += Math.abs(p);
        }
      }
      const old = beta === 0 ? 0 : c0[i * ldc + j];
      const want = alpha * sum + beta * old;
      const tol = eps * (Math.abs(alpha) * mag + Math.abs(beta * old)) + 1e-30;
      const got = c[i * ldc + j];
      if (!(Math.abs(got - want) <= tol)) return `C[${i},${j}] = ${got}, expected ${want} +- ${tol}`;
    }
  }
  return null;
}

const TRANS = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

function sgemmChecks(m) {
  const out = [];
  const group = (name, cases) => {
    let err = null;
    for (const cs of cases) {
      err = sgemmCase(m, cs);
      if (err) {
        err = `${JSON.stringify(cs)}: ${err}`;
        break;
      }
    }
    out.push([`sgemm ${name} (${cases.length} cases)`, err]);
  };
  m.setThreads(1);
  const small = [];
  for (const [ta, tb] of TRANS) {
    for (const M of [0, 1, 2, 5, 6, 7, 13, 17])
      for (const N of [0, 1, 3, 15, 16, 17, 33])
        for (const K of [0, 1, 8, 17]) {
          small.push({ ta, tb, M, N, K, alpha: 1, beta: 0, pad: (M + N) % 3 });
        }
  }
  group('micro-tile remainders, all transposes', small);
  const ab = [];
  for (const alpha of [1, -0.5, 0]) for (const beta of [0, 1, 0.5]) ab.push({ ta: false, tb: true, M: 11, N: 21, K: 9, alpha, beta });
  group('alpha x beta, NaN in unread operands', ab);
  const blocks = [];
  for (const [ta, tb] of TRANS) {
    for (const K of [255, 256, 257, 513]) blocks.push({ ta, tb, M: 7, N: 17, K, alpha: -0.5, beta: 0.5 });
    for (const M of [143, 144, 145, 289]) blocks.push({ ta, tb, M, N: 19, K: 9, alpha: 1, beta: 0, pad: 1 });
    blocks.push({ ta, tb, M: 3, N: 2049, K: 5, alpha: 1, beta: 1 });
  }
  group('across the KC, MC and NC blocks', blocks);
  group(
    'views at an offset, SharedArrayBuffer',
    TRANS.map(([ta, tb], i) => ({ ta, tb, M: 21, N: 45, K: 30, alpha: 1, beta: 0, off: 1 + i, shared: i % 2 === 1 })),
  );
  // 1 and 2 threads give the same bits (same blocking and summation order).
  const shape = { M: 128, N: 128, K: 784 };
  const a = f32(shape.M * shape.K, 1),
    b = f32(shape.K * shape.N, 2);
  const results = [1, 2].map((t) => {
    m.setThreads(t);
    const c = new Float32Array(shape.M * shape.N).fill(NaN);
    m.sgemm(false, false, shape.M, shape.N, shape.K, 1, a, shape.K, b, shape.N, 0, c, shape.N);
    return c;
  });
  const diff = results[0].findIndex((v, i) => !Object.is(v, results[1][i]));
  out.push(['sgemm 128x128x784 identical on 1 and 2 threads', diff < 0 ? null : `element ${diff} differs`]);
  m.setThreads(1);
  return out;
}

// ---- fused kernels against plain loops ----
function same(got, want, what) {
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) return `${what}[${i}] = ${got[i]}, expected ${want[i]}`;
  return null;
}

function fusedChecks(m) {
  const out = [];
  {
    const rows = 37,
      cols = 19,
      u0 = f32(rows * cols, 5, { scale: 3 }),
      bias = f32(cols, 6, { off: 2, shared: true });
    const wantU = u0.map((v, i) => fr(v + bias[i % cols]));
    const u = Float32Array.from(u0),
      h = new Float32Array(rows * cols).fill(NaN);
    m.biasRelu(h, u, bias, rows, cols);
    const v = Float32Array.from(u0);
    m.biasAdd(v, bias, rows, cols);
    out.push([
      'biasRelu, biasAdd',
      same(u, wantU, 'u') ??
        same(
          h,
          wantU.map((x) => (x > 0 ? x : 0)),
          'h',
        ) ??
        same(v, wantU, 'biasAdd'),
    ]);
  }
  {
    const rows = 37,
      cols = 10,
      logits = f32(rows * cols, 7, { scale: 20 });
    logits[0] = 80;
    logits[1] = -80;
    const labels = Uint32Array.from({ length: rows }, (_, i) => (i * 7 + 3) % cols);
    const du = new Float32Array(rows * cols).fill(NaN);
    const loss = m.softmaxXentGrad(du, logits, labels, rows, cols);
    let err = null,
      wantLoss = 0;
    for (let i = 0; i < rows && !err; i++) {
      const row = Array.from(logits.subarray(i * cols, (i + 1) * cols));
      const max = Math.max(...row),
        e = row.map((x) => Math.exp(x - max)),
        s = e.reduce((x, y) => x + y, 0);
      wantLoss -= Math.log(Math.max(e[labels[i]] / s, 1e-30));
      for (let j = 0; j < cols; j++) {
        const want = (e[j] / s - (j === labels[i] ? 1 : 0)) / rows,
          got = du[i * cols + j];
        if (!(Math.abs(got - want) <= 1e-6 / rows + 1e-6 * Math.abs(want))) err = `du[${i},${j}] = ${got}, expected ${want}`;
      }
    }
    if (!err && !(Math.abs(loss - wantLoss) <= 1e-5 * Math.max(1, wantLoss))) err = `loss ${loss}, expected ${wantLoss}`;
    out.push(['softmaxXentGrad', err]);
  }
  {
    const n = 4099,
      dy = f32(n, 8),
      u = f32(n, 9, { off: 1 }),
      dx = new Float32Array(n).fill(NaN);
    m.reluBackward(dx, dy, u, n);
    const w0 = f32(n, 10),
      g = f32(n, 11, { shared: true }),
      w = Float32Array.from(w0);
    m.sgdUpdate(w, g, 0.1, n);
    const step = fr(0.1);
    out.push([
      'reluBackward, sgdUpdate',
      same(
        dx,
        dy.map((v, i) => (u[i] > 0 ? v : 0)),
        'dx',
      ) ??
        same(
          w,
          w0.map((v, i) => fr(v - fr(step * g[i]))),
          'w',
        ),
    ]);
  }
  {
    const rows = 128,
      cols = 700,
      x = f32(rows * cols, 12),
      got = new Float32Array(cols).fill(NaN);
    m.colSums(got, x, rows, cols);
    const want = new Float32Array(cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) want[j] += x[i * cols + j];
    out.push(['colSums', same(got, want, 'out')]);
  }
  {
    const features = 784,
      images = Uint8Array.from({ length: 5 * features }, (_, i) => (i * 31) % 256);
    const index = Uint32Array.from([4, 0, 3, 1, 2]),
      rows = 3,
      start = 1;
    const got = new Float32Array(rows * features).fill(NaN),
      want = new Float32Array(rows * features);
    m.gatherPixels(got, images, index, start, rows, features);
    for (let r = 0; r < rows; r++)
      for (let p = 0; p < features; p++) want[r * features + p] = fr(images[index[start + r] * features + p] / 255);
    out.push(['gatherPixels', same(got, want, 'out')]);
  }
  {
    let err = null;
    try {
      m.sgemm(false, false, 2, 2, 2, 1, new Float32Array(3), 2, new Float32Array(4), 2, 0, new Float32Array(4), 2);
      err = 'no error for a short A';
    } catch (e) {
      if (!(e instanceof RangeError)) err = `expected RangeError, got ${e}`;
    }
    out.push(['a bad call throws RangeError (C++ exceptions cross the boundary)', err]);
  }
  {
    const t = [m.setThreads(2), m.getThreads(), m.setThreads(1)];
    out.push(['setThreads / getThreads', t.join() === '2,2,1' ? null : `got ${t.join()}`]);
  }
  return out;
}

// ---- run ----
let passed = 0,
  failed = 0;
console.log(`addon-parity: ${path} on node ${process.version} ${process.platform}-${process.arch}`);
const isas = addon.supportedIsas();
for (const isa of isas) {
  if (addon.setIsa(isa) !== isa) {
    failed++;
    console.log(`FAIL setIsa(${isa}) selected ${addon.isa()}`);
    continue;
  }
  const m = addon;
  for (const [name, err] of [...sgemmChecks(m), ...fusedChecks(m)]) {
    if (err) {
      failed++;
      console.log(`FAIL [${isa}] ${name}: ${err}`);
    } else {
      passed++;
      console.log(`ok   [${isa}] ${name}`);
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
