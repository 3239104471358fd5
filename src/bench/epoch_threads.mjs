#!/usr/bin/env node
// Where the first epoch's extra time goes: the CPU time of every thread of this process (from
// /proc/self/task/*/stat, Linux only) during each epoch of a native MNIST training. The main
// thread and the pool's worker run the training; any other thread busy during an epoch (V8's
// compiler and GC helpers, libuv's pool) takes a core from them on a 2-core machine.
// Usage (after `npm run build`): node [--no-concurrent-recompilation] src/bench/epoch_threads.mjs [--threads 2] [--epochs 3]
import { readdirSync, readFileSync } from 'node:fs';
import { selectBackend } from '../../dist/backend/select.js';
import { loadDataSet } from '../../dist/data/mnist.js';
import { NOTEBOOK_CONFIG, train } from '../../dist/train/train.js';

const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const be = selectBackend('native');
be.setThreads(Number(arg('--threads', '2')));
const data = loadDataSet();
const tick = 1000 / 100; // ms per clock tick (USER_HZ is 100 on Linux)

/** thread id -> CPU ms so far (user + system). */
function cpu() {
  const out = new Map();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, (Number(f[11]) + Number(f[12])) * tick);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

const main = String(process.pid);
const marks = [cpu()];
const r = train(
  be,
  data,
  { ...NOTEBOOK_CONFIG, epochs: Number(arg('--epochs', '3')), evalImages: 0 },
  {
    onEvent: (e) => {
      if (e.event === 'epoch') marks.push(cpu());
    },
  },
);
console.log(`native, ${be.getThreads()} threads; CPU ms per thread in each epoch (the first includes train()'s set-up)`);
console.log('epoch  seconds  main thread  busiest other  all others');
r.epochs.forEach((e, i) => {
  const d = [...marks[i + 1]].map(([tid, ms]) => [tid, ms - (marks[i].get(tid) ?? 0)]);
  const others = d
    .filter(([tid]) => tid !== main)
    .map(([, ms]) => ms)
    .sort((a, b) => b - a);
  const mainMs = d.find(([tid]) => tid === main)?.[1] ?? 0;
  // The busiest other thread is the pool's worker; the rest is everything else.
  const rest = others.slice(1).reduce((a, b) => a + b, 0);
  console.log(
    `${String(e.epoch).padStart(5)}  ${e.seconds.toFixed(3).padStart(7)}  ${mainMs.toFixed(0).padStart(11)}  ${(others[0] ?? 0).toFixed(0).padStart(13)}  ${rest.toFixed(0).padStart(10)}`,
  );
});
