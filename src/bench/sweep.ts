/**
 * Sweep throughput: models per minute for 16 small-table trainings (breast-cancer, 4 learning
 * rates x 4 widths) at 1 worker, at one worker per core, and through Redis with 2 local
 * `native-mlp worker` processes (when redis-server and bullmq are installed). Every setting's
 * metrics are checked equal across the three before any figure is reported.
 *
 *   npm run build:ts && node dist/bench/sweep.js [--epochs N] [--json]
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer } from 'node:net';
import { sweep, type SweepOptions } from '../sweep/sweep.js';
import type { RunLine } from '../sweep/results.js';

const TABLE = fileURLToPath(new URL('../../test/fixtures/breast-cancer.csv', import.meta.url));
const BIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));

interface Row { label: string; workers: number; seconds: number; modelsPerMinute: number }

async function timed(label: string, workers: number, o: Omit<SweepOptions, 'out'>): Promise<{ row: Row; runs: RunLine[] }> {
  const out = mkdtempSync(join(tmpdir(), 'nmlp-bench-sweep-'));
  try {
    const t0 = performance.now();
    const r = await sweep({ ...o, out, report: false });
    const seconds = (performance.now() - t0) / 1000;
    if (r.aborted || r.runs.length !== 16 || r.runs.some((l) => l.model === undefined)) throw new Error(`${label}: the sweep did not finish 16 models`);
    return { row: { label, workers, seconds, modelsPerMinute: (16 * 60) / seconds }, runs: r.runs };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function sameMetrics(a: RunLine[], b: RunLine[], what: string): void {
  const key = (l: RunLine[]) => JSON.stringify(l.map((r) => [r.run, r.final]).sort());
  if (key(a) !== key(b)) throw new Error(`${what}: metrics differ from the 1-worker sweep; no timing is reported`);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function withRedis<T>(fn: (url: string) => Promise<T>): Promise<T | null> {
  if (spawnSync('redis-server', ['--version']).status !== 0) return null;
  try {
    await import('bullmq');
  } catch {
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'nmlp-bench-redis-'));
  const port = await freePort();
  const procs: ChildProcess[] = [spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })];
  const url = `redis://127.0.0.1:${port}`;
  try {
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 0; i < 2; i++) {
      const w = spawn(process.execPath, [BIN, 'worker', '--redis', url, '--queue', 'bench'], { stdio: ['ignore', 'pipe', 'inherit'] });
      procs.push(w);
      await new Promise<void>((resolve) => w.stdout!.on('data', (d) => String(d).includes('waiting for jobs') && resolve()));
    }
    return await fn(url);
  } finally {
    for (const p of procs.reverse()) p.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchSweep(epochs: number): Promise<Row[]> {
  const base: Omit<SweepOptions, 'out'> = {
    data: TABLE, target: 'diagnosis', params: ['lr=0.003,0.01,0.03,0.1', 'hidden=8,16,32,64', `epochs=${epochs}`, 'optimizer=adam'],
  };
  const one = await timed('1 worker', 1, { ...base, workers: 1 });
  const cores = availableParallelism();
  const all = await timed(`${cores} workers (one per core)`, cores, { ...base, workers: cores });
  sameMetrics(one.runs, all.runs, 'all cores');
  const rows = [one.row, all.row];
  const queued = await withRedis((url) => timed('Redis, 2 local workers', 2, { ...base, redis: url, queue: 'bench' }));
  if (queued) {
    sameMetrics(one.runs, queued.runs, 'Redis');
    rows.push(queued.row);
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { epochs: { type: 'string' }, json: { type: 'boolean' } } });
  const epochs = Number(values.epochs ?? 30);
  const rows = await benchSweep(epochs);
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores`;
  if (values.json) process.stdout.write(JSON.stringify({ bench: 'sweep', machine, trainings: 16, epochs, rows }) + '\n');
  else {
    process.stdout.write(`sweep of 16 trainings (breast-cancer, ${epochs} epochs) on ${machine}\n`);
    for (const r of rows) process.stdout.write(`${r.label.padEnd(28)} ${r.seconds.toFixed(2).padStart(8)} s ${r.modelsPerMinute.toFixed(1).padStart(9)} models/min  (${(rows[0].seconds / r.seconds).toFixed(2)}x of 1 worker)\n`);
    if (rows.length < 3) process.stdout.write('Redis row skipped: needs redis-server and npm install bullmq ioredis\n');
  }
}
