#!/usr/bin/env node
// In-process A/B of two builds of the addon on the MNIST step's kernels: both .node files are
// loaded into one process and called in alternation, round after round, on the same real MNIST
// batches (so a busy machine's drift hits both alike); every kernel's outputs are checked equal
// bit for bit between the builds before anything is timed. Per kernel: the median over rounds of
// each round's median per call, and the ratio B / A.
// Usage (after `npm run build`; keep a copy of the old addon first):
//   node src/bench/ab_step.mjs --a /tmp/old.node [--b build/Release/native_mlp.node] [--threads 1] [--rounds 10]
import { createRequire } from 'node:module';
import { loadDataSet } from '../../dist/data/mnist.js';

const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const threads = Number(arg('--threads', '1'));
const rounds = Number(arg('--rounds', '10'));
const calls = Number(arg('--calls', '60'));
const only = arg('--only', '');
const require = createRequire(import.meta.url);
const builds = { A: require(arg('--a', '/tmp/speed_base.node')), B: require(arg('--b', `${process.cwd()}/build/Release/native_mlp.node`)) };
for (const b of Object.values(builds)) {
  b.setThreads(threads);
  if (process.argv.includes('--pool-always')) b.setPoolPolicy('always');
}

const F = 784,
  R = 128,
  H = 128,
  C = 10,
  BATCHES = 16;
const data = loadDataSet();
const order = new Uint32Array(new SharedArrayBuffer(4 * data.train.count));
for (let i = 0; i < order.length; i++) order[i] = (i * 7919) % order.length;
const images = new Uint8Array(new SharedArrayBuffer(data.train.inputs.length));
images.set(data.train.inputs);
const f32 = (n, fill) => {
  const sab = new Float32Array(new SharedArrayBuffer(4 * n + 64));
  const at = builds.A.alignOffset(sab);
  const a = sab.subarray(at, at + n);
  if (fill) for (let i = 0; i < n; i++) a[i] = fill(i);
  return a;
};
const i32 = (n) => new Int32Array(new SharedArrayBuffer(4 * n));
const batches = [];
for (let b = 0; b < BATCHES; b++) {
  const x = { values: f32(R * F), cols: i32(R * F), rowPtr: i32(R + 1) };
  builds.A.gatherSparse(x.values, x.cols, x.rowPtr, images, order, b * R, R, F);
  batches.push(x);
}
const W1 = f32(F * H, (i) => Math.sin(i) / 16);
const W2 = f32(H * C, (i) => Math.cos(i) / 8);
const du1 = f32(R * H, (i) => (Math.sin(3 * i) > 0.3 ? Math.cos(i) / 64 : 0));
const h1 = f32(R * H, (i) => Math.max(0, Math.sin(5 * i)));
const du2 = f32(R * C, (i) => Math.sin(7 * i) / 128);
// One output array for both builds (two arrays at different addresses can differ in speed by themselves).
const shared = f32(F * H);
const out = { A: shared, B: shared };
const xd = f32(R * F);
const labels = new Uint32Array(R).map((_, i) => i % 10);

// Each kernel: run(build, out, i) for call i; outputs compared after the first call of each build.
const kernels = {
  sparseMatmul: (k, o, i) => {
    const x = batches[i % BATCHES];
    k.sparseMatmul(o, x.rowPtr, x.cols, x.values, W1, R, F, H);
  },
  'sparseMatmulT beta 0': (k, o, i) => {
    const x = batches[i % BATCHES];
    k.sparseMatmulT(o, x.rowPtr, x.cols, x.values, du1, R, F, H, 1, 0);
  },
  'sparseMatmulT fold': (k, o, i) => {
    const x = batches[i % BATCHES];
    if (i === 0) o.set(W1);
    k.sparseMatmulT(o, x.rowPtr, x.cols, x.values, du1, R, F, H, -0.1, 1);
  },
  gatherSparse: (k, o, i) => {
    const x = { values: o, cols: new Int32Array(o.buffer, o.byteOffset, R * F) };
    k.gatherSparse(x.values, x.cols, i32R, images, order, (i % 400) * R, R, F);
  },
  gatherPixels: (k, o, i) => {
    k.gatherPixels(o, images, order, (i % 400) * R, R, F);
  },
  'sgemm NN 128x10x128 (u2)': (k, o) => {
    k.sgemm(false, false, R, C, H, 1, h1, H, W2, C, 0, o, C);
  },
  'sgemm NT 128x128x10 (dh1)': (k, o) => {
    k.sgemm(false, true, R, H, C, 1, du2, C, W2, C, 0, o, H);
  },
  'sgemm TN 128x10x128 (W2 fold)': (k, o, i) => {
    if (i === 0) o.set(W2);
    k.sgemm(true, false, H, C, R, -0.1, h1, H, du2, C, 1, o, C);
  },
  'sgemm NN 128x128x784 (dense u1)': (k, o) => {
    k.sgemm(false, false, R, H, F, 1, xd, F, W1, H, 0, o, H);
  },
  'sgemm TN 784x128x128 (dense W1 fold)': (k, o, i) => {
    if (i === 0) o.set(W1);
    k.sgemm(true, false, F, H, R, -0.1, xd, F, du1, H, 1, o, H);
  },
  softmaxXentGrad: (k, o) => {
    k.softmaxXentGrad(o, du2, labels, R, C);
  },
};
const i32R = i32(R + 1);
builds.A.gatherPixels(xd, images, order, 0, R, F);

const names = Object.keys(kernels).filter((n) => !only || only.split(',').some((o) => n.includes(o)));
// Same bits first: a few calls from the same start on each build.
for (const name of names) {
  const got = {};
  for (const b of ['A', 'B']) {
    shared.fill(0);
    for (let i = 0; i < 3; i++) kernels[name](builds[b], shared, i);
    got[b] = shared.slice();
  }
  const same = got.A.every((v, i) => Object.is(v, got.B[i]));
  if (!same) {
    console.log(`${name}: A and B DIFFER`);
    process.exitCode = 1;
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const per = new Map(names.map((n) => [n, { A: [], B: [] }]));
for (let r = 0; r < rounds; r++) {
  for (const name of names) {
    for (const b of r % 2 ? ['B', 'A'] : ['A', 'B']) {
      const t = [];
      for (let i = 0; i < calls; i++) {
        const t0 = performance.now();
        kernels[name](builds[b], out[b], i);
        t.push((performance.now() - t0) * 1000);
      }
      per.get(name)[b].push(med(t));
    }
  }
}
console.log(`${threads} thread(s), ${rounds} rounds x ${calls} calls; us per call, median of round medians (min of round medians)`);
for (const name of names) {
  const { A, B } = per.get(name);
  const wins = A.filter((a, i) => B[i] < a).length;
  console.log(
    `${name.padEnd(38)} A ${med(A).toFixed(1).padStart(7)} (${Math.min(...A).toFixed(1)})  B ${med(B).toFixed(1).padStart(7)} (${Math.min(...B).toFixed(1)})  B/A ${(med(B) / med(A)).toFixed(3)}  B faster in ${wins}/${rounds}`,
  );
}
