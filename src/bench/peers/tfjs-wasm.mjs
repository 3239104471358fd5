#!/usr/bin/env node
// Dev-only comparison (not shipped, not a dependency): one epoch of the notebook's 784-128-10
// SGD loop (batch 128, lr 0.1, the same initial weights and epoch order) on TensorFlow.js's WASM
// backend with SIMD, side by side in one process with native-mlp's wasm (1 and 2 threads) and
// js backends. Rounds alternate between the contestants so machine load drifts hit all alike;
// each figure is the best epoch over the rounds.
//
//   npm install --no-save @tensorflow/tfjs-core@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0
//   npm run build:ts && node src/bench/peers/tfjs-wasm.mjs [--rounds 2] [--flags] [--json]
//
// The TensorFlow.js loop is the notebook's backprop written with tf ops (matMul, relu, softmax,
// the same gradients), not tf.grad, so both sides do the same arithmetic; tf.tidy frees each
// step's tensors. Transposed products transpose first (tfjs-wasm's fastest form). Its train accuracy after each epoch is printed to show the loop is right.
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { loadWasm } from '../../../dist/backend/wasm/load.js';
import { jsBackend } from '../../../dist/backend/js/index.js';
import { loadDataSet } from '../../../dist/data/mnist.js';
import { initMlp } from '../../../dist/nn/init.js';
import { defaultRng } from '../../../dist/rng/index.js';
import { NOTEBOOK_CONFIG, train } from '../../../dist/train/train.js';

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1] ?? 2) || 2;
/** --flags: also time the step with matMul's transpose flags (slow on tfjs-wasm, ~80 s an epoch here). */
const withFlags = args.includes('--flags');
const require = createRequire(import.meta.url);
let tf;
try {
  tf = require('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-wasm');
} catch (e) {
  console.error(
    'tfjs-wasm: install the peer first: npm install --no-save @tensorflow/tfjs-core@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0',
  );
  process.exit(2);
}
// One thread, as the comparison is stated (the threaded build needs cross-origin isolation in browsers).
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
await tf.setBackend('wasm');
await tf.ready();
const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');

const data = loadDataSet();
const set = data.train;
const { batch, lr, seed } = NOTEBOOK_CONFIG;
const F = set.features,
  C = data.classes,
  H = NOTEBOOK_CONFIG.hidden[0];

// ---- TensorFlow.js: the notebook's loop -------------------------------------------------------
const rng = defaultRng(seed);
const net0 = initMlp([F, H, C], rng);
const W1 = tf.variable(tf.tensor2d(net0.W[1].slice(), [F, H]));
const b1 = tf.variable(tf.tensor1d(net0.b[1].slice()));
const W2 = tf.variable(tf.tensor2d(net0.W[2].slice(), [H, C]));
const b2 = tf.variable(tf.tensor1d(net0.b[2].slice()));
const order = new Uint32Array(set.count);
const X = new Float32Array(batch * F);
const Y = new Float32Array(batch * C);

// Two forms of the same step: `explicit` transposes first (tfjs-backend-wasm's fast form);
// `flags` passes transposeA/transposeB to matMul, which is what tf.grad's MatMul gradient does,
// and which tfjs-backend-wasm runs on a much slower path.
function tfStep(rows, flags) {
  tf.tidy(() => {
    const x = tf.tensor2d(X.subarray(0, rows * F), [rows, F]);
    const y = tf.tensor2d(Y.subarray(0, rows * C), [rows, C]);
    const u1 = tf.add(tf.matMul(x, W1), b1);
    const h1 = tf.relu(u1);
    const u2 = tf.add(tf.matMul(h1, W2), b2);
    const du2 = tf.div(tf.sub(tf.softmax(u2), y), rows);
    // Explicit transposes: tfjs-backend-wasm's matMul with transposeA/B takes a slow path
    // (5-10x slower than transposing first, measured here), so this is tfjs at its best.
    const gW2 = flags ? tf.matMul(h1, du2, true, false) : tf.matMul(tf.transpose(h1), du2);
    const gb2 = tf.sum(du2, 0);
    const dh1 = flags ? tf.matMul(du2, W2, false, true) : tf.matMul(du2, tf.transpose(W2));
    const du1 = tf.mul(dh1, tf.step(u1));
    const gW1 = flags ? tf.matMul(x, du1, true, false) : tf.matMul(tf.transpose(x), du1);
    const gb1 = tf.sum(du1, 0);
    W1.assign(tf.sub(W1, tf.mul(gW1, lr)));
    b1.assign(tf.sub(b1, tf.mul(gb1, lr)));
    W2.assign(tf.sub(W2, tf.mul(gW2, lr)));
    b2.assign(tf.sub(b2, tf.mul(gb2, lr)));
  });
}

function tfEpoch(flags) {
  rng.permutationInto(order);
  const t0 = performance.now();
  for (let start = 0; start < set.count; start += batch) {
    const rows = Math.min(batch, set.count - start);
    Y.fill(0);
    for (let r = 0; r < rows; r++) {
      const src = order[start + r] * F;
      for (let p = 0; p < F; p++) X[r * F + p] = set.inputs[src + p] / 255;
      Y[r * C + set.targets[order[start + r]]] = 1;
    }
    tfStep(rows, flags);
  }
  // Reading a value waits for the queue, so the epoch's time includes all its work.
  W1.dataSync();
  return (performance.now() - t0) / 1000;
}

/** Accuracy on the first evalImages training images, as the notebook (and train()) measure it. */
function tfAccuracy() {
  const count = Math.min(NOTEBOOK_CONFIG.evalImages, set.count);
  let correct = 0;
  for (let start = 0; start < count; start += 1000) {
    const rows = Math.min(1000, count - start);
    const xs = new Float32Array(rows * F);
    for (let i = 0; i < rows * F; i++) xs[i] = set.inputs[start * F + i] / 255;
    const pred = tf.tidy(() =>
      tf.argMax(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(tf.tensor2d(xs, [rows, F]), W1), b1)), W2), b2), 1).dataSync(),
    );
    for (let r = 0; r < rows; r++) if (pred[r] === set.targets[start + r]) correct++;
  }
  return correct / count;
}

// ---- native-mlp backends -----------------------------------------------------------------------
const wasm = loadWasm().backend;
if (!wasm) {
  console.error(`tfjs-wasm: native-mlp's WASM backend did not load: ${loadWasm().error?.message}`);
  process.exit(1);
}
const ours = [
  { label: 'native-mlp wasm 1T', be: wasm, threads: 1 },
  { label: 'native-mlp wasm 2T', be: wasm, threads: 2 },
  { label: 'native-mlp js 1T', be: jsBackend, threads: 1 },
];
function ourEpoch({ be, threads }) {
  be.setThreads(threads);
  const r = train(be, data, { ...NOTEBOOK_CONFIG, epochs: 1 });
  be.setThreads(1);
  return { seconds: r.epochs[0].seconds, accuracy: r.epochs[0].trainAccuracy };
}

const best = new Map();
const note = (label, seconds, accuracy) => {
  const b = best.get(label);
  if (!b || seconds < b.seconds) best.set(label, { seconds, accuracy });
  console.error(`round: ${label}: ${seconds.toFixed(2)} s (train accuracy ${accuracy.toFixed(4)})`);
};
for (let round = 0; round < rounds; round++) {
  const s = tfEpoch(false);
  note(`tfjs-backend-wasm 4.22 (SIMD ${simd ? 'on' : 'off'}) 1T, explicit transposes`, s, tfAccuracy());
  if (withFlags) {
    const f = tfEpoch(true);
    note(`tfjs-backend-wasm 4.22 (SIMD ${simd ? 'on' : 'off'}) 1T, transpose flags (as tf.grad)`, f, tfAccuracy());
  }
  for (const o of ours) {
    // Let a 2-thread configuration's workers boot before its timed epoch.
    if (o.threads > 1) {
      o.be.setThreads(o.threads);
      await new Promise((r) => setTimeout(r, 300));
    }
    const r = ourEpoch(o);
    note(o.label, r.seconds, r.accuracy);
  }
}

const rows = [...best].map(([label, v]) => ({ label, epochSeconds: v.seconds, trainAccuracy: v.accuracy }));
const machine = `${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, Node ${process.version}`;
if (args.includes('--json')) {
  console.log(JSON.stringify({ machine, rounds, rows }));
} else {
  console.log(`${machine}; best epoch of ${rounds} alternating rounds`);
  console.log('| configuration | epoch (s) | train accuracy after the epoch |');
  console.log('|---|---:|---:|');
  for (const r of rows) console.log(`| ${r.label} | ${r.epochSeconds.toFixed(2)} | ${r.trainAccuracy.toFixed(4)} |`);
}
