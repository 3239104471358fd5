#!/usr/bin/env node
// Where a training step's time goes: runs fit() on the embedded MNIST (the code path of
// `native-mlp train`) with every kernel call of the native backend timed, and prints per kernel
// the calls per step and the time per call and per step (p10 and median over the epochs after the
// first), beside the whole step's time, so the rest (the TypeScript between the calls) shows too.
// On a busy machine the p10 columns are the ones to read: a call that was not preempted.
// Usage (after `npm run build`):
//   node src/bench/step_profile.mjs [--threads 2] [--epochs 3] [--input auto|dense] [--optimizer sgd]
import { loadNative } from '../../dist/backend/native/load.js';
import { fit } from '../../dist/train/fit.js';
import { defaultDataDir } from '../../dist/data/mnist.js';

const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const threads = Number(arg('--threads', '2'));
const epochs = Number(arg('--epochs', '3'));
const input = arg('--input', 'auto');
const optimizer = arg('--optimizer', 'sgd');
const lr = Number(arg('--lr', optimizer.startsWith('adam') ? '0.001' : '0.1'));
const { backend: raw, error } = loadNative();
if (raw === null) throw error;
raw.setThreads(threads);

const SKIP = new Set(['alloc', 'holds', 'capabilities', 'name', 'isa', 'getThreads', 'setThreads']);
const samples = new Map(); // kernel -> per-call microseconds, epochs after the first
let epoch = 0;
let inKernels = 0; // microseconds spent inside kernel calls during this step
let inStep = false; // between an epoch's first step and its last onBatch (evaluation is not a step)
const be = { ...raw };
for (const [key, fn] of Object.entries(raw)) {
  if (typeof fn !== 'function' || SKIP.has(key)) continue;
  // sgemm is split by shape, so the step's products show one by one.
  be[key] = function timed(...a) {
    const t0 = performance.now();
    const r = fn.apply(raw, a);
    const us = (performance.now() - t0) * 1000;
    if (inStep) inKernels += us;
    if (epoch >= 2 && inStep) {
      const name = key === 'sgemm' ? `sgemm ${a[0] ? 'T' : 'N'}${a[1] ? 'T' : 'N'} ${a[2]}x${a[3]}x${a[4]}` : key;
      let s = samples.get(name);
      if (!s) samples.set(name, (s = []));
      s.push(us);
    }
    return r;
  };
}

const steps = [];
const outside = []; // per step: the step's time less its kernels' (the TypeScript between the calls)
let last = 0;
const cpu = [];
let cpu0 = process.cpuUsage();
const result = await fit(arg('--data', defaultDataDir()), {
  backend: be,
  epochs,
  optimizer,
  lr,
  input,
  onBatch: (p) => {
    inStep = p.batch < p.batches;
    const now = performance.now();
    if (epoch >= 2 && last > 0) {
      steps.push((now - last) * 1000);
      outside.push((now - last) * 1000 - inKernels);
    }
    inKernels = 0;
    last = now;
  },
  onEvent: (e) => {
    if (e.event === 'start') {
      epoch = 1;
      inStep = true;
    }
    if (e.event === 'epoch') {
      const c = process.cpuUsage(cpu0);
      cpu.push((c.user + c.system) / 1e6);
      cpu0 = process.cpuUsage();
      console.log(
        `epoch ${e.epoch}: ${e.seconds.toFixed(3)} s wall, ${cpu.at(-1).toFixed(3)} s process CPU (with evaluation), eval ${e.evalSeconds.toFixed(3)} s`,
      );
      epoch = e.epoch + 1;
      inStep = e.epoch < epochs; // the test set's evaluation follows the last epoch
      last = 0;
    }
  },
});
const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const nSteps = steps.length;
console.log(
  `\n${raw.isa()} ${threads} thread(s), input ${input}, ${optimizer}; ${nSteps} steps after epoch 1; test accuracy ${result.test?.testAccuracy}`,
);
console.log('kernel                          calls/step   p10 us/call   p50 us/call   p10 us/step   p50 us/step');
let sum10 = 0;
let sum50 = 0;
const rows = [...samples.entries()]
  .map(([name, s]) => ({ name, perStep: s.length / nSteps, p10: q(s, 0.1), p50: q(s, 0.5) }))
  .sort((a, b) => b.p10 * b.perStep - a.p10 * a.perStep);
for (const r of rows) {
  sum10 += r.p10 * r.perStep;
  sum50 += r.p50 * r.perStep;
  console.log(
    `${r.name.padEnd(32)}${r.perStep.toFixed(2).padStart(10)}${r.p10.toFixed(1).padStart(14)}${r.p50.toFixed(1).padStart(14)}${(r.p10 * r.perStep).toFixed(1).padStart(14)}${(r.p50 * r.perStep).toFixed(1).padStart(14)}`,
  );
}
console.log(`${'kernels, summed'.padEnd(56)}${sum10.toFixed(1).padStart(14)}${sum50.toFixed(1).padStart(14)}`);
console.log(
  `${'outside the kernels (per step)'.padEnd(56)}${q(outside, 0.1).toFixed(1).padStart(14)}${q(outside, 0.5).toFixed(1).padStart(14)}`,
);
console.log(
  `${'whole step (onBatch to onBatch)'.padEnd(56)}${q(steps, 0.1).toFixed(1).padStart(14)}${q(steps, 0.5).toFixed(1).padStart(14)}`,
);
