/**
 * Sweeps across machines: a real redis-server on a free port, two `native-mlp worker` processes,
 * `native-mlp sweep --redis`. The same grid gives the same metrics as a local sweep; a worker
 * killed with SIGKILL mid-job leaves its job to the other, which resumes from the shared
 * checkpoint and ends with the model a run never interrupted writes, bit for bit.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunLine } from '../src/sweep/results.js';
import { assertFreshDist } from './helpers/dist.js';
import { redisMissing, type RedisServer, startRedis } from './helpers/redis.js';
import { skipOrFailService } from './helpers/skip-or-fail.js';

const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const table = fileURLToPath(new URL('./fixtures/breast-cancer.csv', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nmlp-sweep-redis-'));
const DATA = ['--data', table, '--target', 'diagnosis'];
const GRID = ['--param', 'lr=0.01,0.1', '--param', 'hidden=4,8,16', '--param', 'optimizer=adam,sgd', '--param', 'epochs=2'];
/** Long enough per job (many small batches) to be killed in the middle. */
// Every epoch runs (a patience beyond the run): the kill lands mid-run and the epochs are compared.
const SLOW = ['--param', 'lr=0.01,0.02', '--param', 'epochs=30', '--param', 'batch=2', '--param', 'early-stopping=1000'];

const runs = (out: string): RunLine[] =>
  readFileSync(join(out, 'runs.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as RunLine);
const byRun = (lines: RunLine[]) => Object.fromEntries(lines.map((l) => [l.run, l.final]));

function sweep(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, 'sweep', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

interface Worker {
  child: ChildProcess;
  log: () => string;
}

function worker(url: string, queue: string, ...more: string[]): Worker {
  const child = spawn(process.execPath, [bin, 'worker', '--redis', url, '--queue', queue, '--lock-seconds', '1', ...more], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  return { child, log: () => log };
}

const waitFor = async (what: () => boolean, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
};

const missing = redisMissing();
if (missing) skipOrFailService('sweep --redis', missing);
else {
  describe('sweep --redis with two native-mlp workers', () => {
    let redis: RedisServer;
    const workers: Worker[] = [];
    beforeAll(async () => {
      assertFreshDist();
      redis = await startRedis();
    });
    afterAll(async () => {
      for (const w of workers) w.child.kill('SIGKILL');
      await redis?.stop();
    });

    it("gives the local sweep's metrics, run for run", async () => {
      workers.push(worker(redis.url, 'grid'), worker(redis.url, 'grid'));
      await waitFor(() => workers.every((w) => w.log().includes('waiting for jobs')));
      const local = join(dir, 'local');
      const viaQueue = join(dir, 'queue');
      const [a, b] = await Promise.all([
        sweep([...DATA, ...GRID, '--workers', '1', '--out', local]),
        sweep([...DATA, ...GRID, '--out', viaQueue, '--redis', redis.url, '--queue', 'grid']),
      ]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      expect(runs(viaQueue)).toHaveLength(12);
      expect(byRun(runs(viaQueue))).toEqual(byRun(runs(local)));
      expect(readFileSync(join(viaQueue, 'best.safetensors'))).toEqual(readFileSync(join(local, 'best.safetensors')));
      // Both workers took jobs.
      for (const w of workers) expect(w.log()).toMatch(/: done/);
    });

    it('a worker killed with SIGKILL mid-job: the job is resumed elsewhere and ends bit-identical', async () => {
      const pair = [worker(redis.url, 'kill'), worker(redis.url, 'kill')];
      workers.push(...pair);
      await waitFor(() => pair.every((w) => w.log().includes('waiting for jobs')));
      const out = join(dir, 'killed');
      const ended = sweep([...DATA, ...SLOW, '--out', out, '--redis', redis.url, '--queue', 'kill']);
      // Kill the first worker once its job has checkpointed a few epochs.
      let victim = -1;
      await waitFor(() => {
        const m = /run (\d+)\n/.exec(pair[0].log());
        if (!m) return false;
        victim = Number(m[1]);
        const f = join(out, 'checkpoints', `run-${victim}.ckpt.epochs.jsonl`);
        return existsSync(f) && readFileSync(f, 'utf8').split('\n').length > 4;
      });
      pair[0].child.kill('SIGKILL');
      const r = await ended;
      expect(r.code, r.stderr).toBe(0);
      expect(pair[1].log()).toMatch(new RegExp(`run ${victim} \\(resuming its checkpoint\\)`));
      const lines = runs(out);
      expect(lines.map((l) => l.run).sort()).toEqual([0, 1]);
      for (const l of lines) expect(l.epochs.map((e) => e.epoch)).toEqual([...Array(30).keys()].map((i) => i + 1));
      const ref = join(dir, 'uninterrupted');
      const u = await sweep([...DATA, ...SLOW, '--workers', '2', '--out', ref]);
      expect(u.code, u.stderr).toBe(0);
      expect(readFileSync(join(out, 'models', `run-${victim}.safetensors`))).toEqual(
        readFileSync(join(ref, 'models', `run-${victim}.safetensors`)),
      );
      expect(byRun(lines)).toEqual(byRun(runs(ref)));
    });

    it('a job whose workers keep dying fails cleanly: the run is reported failed, the sweep ends', async () => {
      const out = join(dir, 'dying');
      // Distinct epochs recorded: a resumed job repeats the epoch after its kept checkpoint.
      const epochsSeen = () => {
        const f = join(out, 'checkpoints', 'run-0.ckpt.epochs.jsonl');
        const epochs = new Set<number>();
        for (const l of existsSync(f) ? readFileSync(f, 'utf8').split('\n') : []) {
          try {
            epochs.add((JSON.parse(l) as { epoch: number }).epoch);
          } catch {
            // an empty or cut line
          }
        }
        return epochs.size;
      };
      let w = worker(redis.url, 'dying', '--max-stalled', '1');
      workers.push(w);
      await waitFor(() => w.log().includes('waiting for jobs'));
      const ended = sweep([
        ...DATA,
        '--param',
        'lr=0.01',
        '--param',
        'epochs=60',
        '--param',
        'batch=2',
        '--out',
        out,
        '--redis',
        redis.url,
        '--queue',
        'dying',
      ]);
      for (const atLeast of [3, 6]) {
        await waitFor(() => epochsSeen() >= atLeast);
        w.child.kill('SIGKILL');
        w = worker(redis.url, 'dying', '--max-stalled', '1');
        workers.push(w);
      }
      const r = await ended;
      expect(r.code).toBe(1); // no run has a metric
      expect(r.stdout).toMatch(/run 0 \(1\/1\).*failed: the job failed for good.*stalled/);
      const [line] = runs(out);
      expect(line.error).toMatch(/stalled/);
      expect(line.model).toBeUndefined();
      expect(line.epochs.length).toBeGreaterThanOrEqual(6); // what its workers trained before dying is kept
    });
  });
}
