#!/usr/bin/env node
// What bounds the sparse first-layer product u1 = X W1 on this machine. Each non-zero of X loads one
// 128-float row of W1 (512 bytes), from all over W1's 401 KB: that is L2 traffic. This times the
// native sparseMatmul on real MNIST batches, and on the same batches with every column index
// squeezed into the first `rows` rows of W1 (same non-zero count, same kernel and thread count, W1's
// touched part small enough for L1), alternating in one process. The gap between the two is what
// the memory traffic costs; the squeezed time is what the kernel costs with every load an L1 hit.
// Usage (after `npm run build`): node src/bench/sparse_bound.mjs [--threads 1] [--rounds 6]
import { loadNative } from '../../dist/backend/native/load.js';
import { loadDataSet } from '../../dist/data/mnist.js';

const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const threads = Number(arg('--threads', '1'));
const rounds = Number(arg('--rounds', '6'));
const { backend: be, error } = loadNative();
if (be === null) throw error;
be.setThreads(threads);

const F = 784,
  R = 128,
  N = 128,
  BATCHES = 64,
  CALLS = 400;
const data = loadDataSet();
const order = new Uint32Array(data.train.count);
for (let i = 0; i < order.length; i++) order[i] = (i * 7919) % order.length;
const W1 = be.alloc(F * N);
for (let i = 0; i < W1.length; i++) W1[i] = Math.sin(i) / 8;
const u1 = be.alloc(R * N);
// BATCHES compressed batches, gathered once.
const batches = [];
for (let b = 0; b < BATCHES; b++) {
  const values = be.alloc(R * F);
  const cols = new Int32Array(new SharedArrayBuffer(4 * R * F));
  const rowPtr = new Int32Array(new SharedArrayBuffer(4 * (R + 1)));
  be.gatherSparse(values, cols, rowPtr, data.train.inputs, order, b * R, R, F);
  batches.push({ values, cols, rowPtr, original: cols.slice(0, rowPtr[R]) });
}
const nnz = batches.reduce((s, b) => s + b.rowPtr[R], 0) / BATCHES;

// W1 rows touched: all 784, or squeezed into the first `rows` (ascending order kept).
function squeeze(rows) {
  for (const b of batches) {
    for (let t = 0; t < b.original.length; t++) b.cols[t] = rows === F ? b.original[t] : Math.floor((b.original[t] * rows) / F);
  }
}
const configs = [F, 64, 16];
const times = new Map(configs.map((c) => [c, []]));
for (let round = 0; round < rounds; round++) {
  for (const rows of configs) {
    squeeze(rows);
    for (let i = 0; i < 50; i++) {
      const b = batches[i % BATCHES];
      be.sparseMatmul(u1, b.rowPtr, b.cols, b.values, W1, R, F, N);
    }
    const t0 = performance.now();
    for (let i = 0; i < CALLS; i++) {
      const b = batches[i % BATCHES];
      be.sparseMatmul(u1, b.rowPtr, b.cols, b.values, W1, R, F, N);
    }
    times.get(rows).push(((performance.now() - t0) * 1000) / CALLS);
  }
}
console.log(
  `sparseMatmul 128x784 . 784x128 on MNIST batches, ${nnz.toFixed(0)} non-zeros per batch, ${threads} thread(s), ${be.isa?.() ?? ''}`,
);
console.log('W1 rows touched   W1 bytes   best us   median us   ns per non-zero');
for (const rows of configs) {
  const t = [...times.get(rows)].sort((a, b) => a - b);
  const kb = `${((rows * N * 4) / 1024).toFixed(0)} KiB`;
  console.log(
    `${String(rows).padStart(15)}   ${kb.padStart(8)}   ${t[0].toFixed(1).padStart(7)}   ${t[t.length >> 1].toFixed(1).padStart(9)}   ${((t[0] * 1000) / nnz).toFixed(2).padStart(15)}`,
  );
}
