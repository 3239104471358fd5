#!/usr/bin/env node
// CPU seconds of one MNIST training pass (epoch 2, batches 2..469: process.cpuUsage, so other
// processes on a busy machine do not count) for the configurations issue 25 compares: SGD on the
// sparse path, SGD on the dense path (input 'dense': the same job without the sparse products),
// and Adam, AdamW and Adam with L2 weight decay. Configurations alternate round after round in one
// process. At 1 thread (the default) the CPU time is the work; at 2 it also counts the pool's spinning.
// Usage (after `npm run build`): node src/bench/epoch_cpu.mjs [--threads 1] [--rounds 3] [--only sgd,adam]
import { parseArgs } from 'node:util';
import { loadDataSet, selectBackend, train, NOTEBOOK_CONFIG } from '../../dist/index.js';

const { values } = parseArgs({ options: { threads: { type: 'string' }, rounds: { type: 'string' }, only: { type: 'string' } } });
const be = selectBackend('native');
be.setThreads(Number(values.threads ?? 1));
const rounds = Number(values.rounds ?? 3);
const data = loadDataSet();
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const configs = {
  'sgd (sparse)': [{ optimizer: 'sgd', lr: 0.1 }, 'auto'],
  'sgd dense': [{ optimizer: 'sgd', lr: 0.1 }, 'dense'],
  adam: [{ optimizer: 'adam', lr: 0.001 }, 'auto'],
  adamw: [{ optimizer: 'adamw', lr: 0.001, weightDecay: 0.01 }, 'auto'],
  'adam + L2 1e-4': [{ optimizer: 'adam', lr: 0.001, weightDecay: 1e-4 }, 'auto'],
};
const names = Object.keys(configs).filter((n) => !values.only || values.only.split(',').some((o) => n.startsWith(o)));

function epochCpu([config, input]) {
  let t0 = 0;
  let t1 = 0;
  train(
    be,
    data,
    { ...NOTEBOOK_CONFIG, epochs: 2, ...config },
    {
      input,
      onBatch: (p) => {
        if (p.epoch === 2 && p.batch === 1) t0 = cpu();
        if (p.epoch === 2 && p.batch === p.batches) t1 = cpu();
      },
    },
  );
  return t1 - t0;
}

const seconds = new Map(names.map((n) => [n, []]));
for (let r = 0; r < rounds; r++) {
  for (const name of r % 2 ? [...names].reverse() : names) seconds.get(name).push(epochCpu(configs[name]));
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = med(seconds.get(names[0]));
console.log(`native (${be.isa()}), ${be.getThreads()} thread(s), ${rounds} alternating rounds: CPU seconds of epoch 2's training pass`);
for (const name of names) {
  const s = seconds.get(name);
  console.log(
    `${name.padEnd(16)} ${s.map((x) => x.toFixed(3)).join(' ')}   median ${med(s).toFixed(3)}   / ${names[0]} ${(med(s) / base).toFixed(3)}`,
  );
}
