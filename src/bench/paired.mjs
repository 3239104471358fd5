#!/usr/bin/env node
// What the machine gives two trainings at once, apart from anything native-mlp does around them:
// the native products of a table training step (X W1 forward, X^T dU1 backward; batch 200, 64
// features) on one kernel thread, in one process alone and then in two processes at once, for a
// few hidden widths. A sweep at one worker per core cannot beat 0.5x of 1 worker's time by less
// than this slowdown. Rounds alternate (alone, paired, alone, ...); prints the median seconds.
// Usage (after `npm run build`): node src/bench/paired.mjs [--rounds 3] [--hidden 32,128,512] [--iterations 20000]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    hidden: { type: 'string', default: '32,128,512' },
    iterations: { type: 'string', default: '20000' },
    loop: { type: 'string' },
  },
});

if (values.loop !== undefined) {
  // The child: one product loop, its seconds on stdout.
  const { selectBackend } = await import('../../dist/backend/select.js');
  const be = selectBackend('native');
  be.setThreads(1);
  const [m, k, n] = [200, 64, Number(values.loop)];
  const x = new Float32Array(m * k).fill(0.5);
  const w = new Float32Array(k * n).fill(0.25);
  const u = new Float32Array(m * n);
  const g = new Float32Array(k * n);
  const t0 = performance.now();
  for (let i = 0, its = Number(values.iterations); i < its; i++) {
    be.sgemm(false, false, m, n, k, 1, x, k, w, n, 0, u, n);
    be.sgemm(true, false, k, n, m, 1, x, k, u, n, 0, g, n);
  }
  process.stdout.write(String((performance.now() - t0) / 1000));
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
const child = (hidden) =>
  new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [self, '--loop', String(hidden), '--iterations', values.iterations], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('exit', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`product loop exited ${code}`))));
  });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log('hidden  alone s  paired s (each)  paired / alone');
for (const hidden of values.hidden.split(',').map(Number)) {
  const alone = [];
  const paired = [];
  for (let r = 0; r < Number(values.rounds); r++) {
    alone.push(await child(hidden));
    paired.push(...(await Promise.all([child(hidden), child(hidden)])));
  }
  const a = median(alone);
  const p = median(paired);
  console.log(
    `${String(hidden).padStart(6)}  ${a.toFixed(2).padStart(7)}  ${p.toFixed(2).padStart(15)}  ${(p / a).toFixed(2).padStart(14)}x`,
  );
}
