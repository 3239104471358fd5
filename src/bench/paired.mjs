#!/usr/bin/env node
// What the machine gives two trainings at once, apart from anything one native-mlp process does
// for another: `native-mlp train` on digits (one kernel thread, no early stopping) alone, then two
// such processes at once, for a few hidden widths; each process's epoch seconds summed (its
// training, not its start-up). Nothing is shared between the two but the machine, so a sweep at
// one worker per core cannot take less than 0.5x this slowdown of 1 worker's training time.
// Rounds alternate (alone, paired, alone, ...); prints the medians.
// Usage (after `npm run build`): node src/bench/paired.mjs [--rounds 3] [--hidden 32,128,512] [--epochs 300]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    hidden: { type: 'string', default: '32,128,512' },
    epochs: { type: 'string', default: '300' },
  },
});
const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const digits = fileURLToPath(new URL('../../test/fixtures/digits.csv', import.meta.url));

/** Seconds of training (the epochs' own) of one `native-mlp train` process. */
const train = (hidden) =>
  new Promise((resolve, reject) => {
    const args = ['train', '--data', digits, '--target', 'digit', '--hidden', String(hidden), '--epochs', values.epochs];
    const c = spawn(process.execPath, [bin, ...args, '--tol', '0', '--early-stopping', '0', '--threads', '1', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = ''; // its warnings (digits' constant pixels), shown only when it fails
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`native-mlp train exited ${code}: ${err.trim()}`));
      const epochs = out
        .split('\n')
        .filter((l) => l.includes('"event":"epoch"'))
        .map((l) => JSON.parse(l));
      if (epochs.length !== Number(values.epochs)) return reject(new Error(`native-mlp train ran ${epochs.length} epochs`));
      resolve(epochs.reduce((s, e) => s + e.seconds, 0));
    });
  });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log('hidden  alone s  paired s (each)  paired / alone');
for (const hidden of values.hidden.split(',').map(Number)) {
  const alone = [];
  const paired = [];
  for (let r = 0; r < Number(values.rounds); r++) {
    alone.push(await train(hidden));
    paired.push(...(await Promise.all([train(hidden), train(hidden)])));
  }
  const a = median(alone);
  const p = median(paired);
  console.log(
    `${String(hidden).padStart(6)}  ${a.toFixed(2).padStart(7)}  ${p.toFixed(2).padStart(15)}  ${(p / a).toFixed(2).padStart(14)}x`,
  );
}
