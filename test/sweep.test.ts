/**
 * sweep: search spaces and folds as functions; the CLI as a user meets it (the compiled bin in a
 * child process) on a small table: a 12-run grid into a folder (the same runs at 1 worker as at 2),
 * bad input as one line and exit 2, a second sweep on the same folder refused, SIGINT then
 * --resume ending with every run.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCsvDataSet } from '../src/data/from-csv.js';
import { foldDataSet } from '../src/sweep/data.js';
import { gridSettings, parseParam, randomSettings } from '../src/sweep/space.js';
import type { RunLine } from '../src/sweep/results.js';
import { assertFreshDist } from './helpers/dist.js';

const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const table = fileURLToPath(new URL('./fixtures/breast-cancer.csv', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nmlp-sweep-'));
const GRID = ['--param', 'lr=0.01,0.1', '--param', 'hidden=4,8,16', '--param', 'optimizer=adam,sgd', '--param', 'epochs=2'];

function cli(args: string[], timeout = 120_000) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout });
}
const runs = (out: string): RunLine[] =>
  readFileSync(join(out, 'runs.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as RunLine);

describe('search spaces', () => {
  it('expands a grid in the order given, the last param fastest', () => {
    const s = gridSettings(['lr=0.1,0.01', 'hidden=32,64-32', 'weight-decay=0'].map(parseParam));
    expect(s).toEqual([
      { lr: 0.1, hidden: [32], weightDecay: 0 },
      { lr: 0.1, hidden: [64, 32], weightDecay: 0 },
      { lr: 0.01, hidden: [32], weightDecay: 0 },
      { lr: 0.01, hidden: [64, 32], weightDecay: 0 },
    ]);
  });

  it('draws seeded random settings inside the ranges', () => {
    const params = ['lr=1e-4..1e-1:log', 'hidden=8..64', 'optimizer=adam,sgd'].map(parseParam);
    const a = randomSettings(params, 20, 7);
    expect(randomSettings(params, 20, 7)).toEqual(a);
    expect(randomSettings(params, 20, 8)).not.toEqual(a);
    for (const s of a) {
      expect(s.lr).toBeGreaterThanOrEqual(1e-4);
      expect(s.lr).toBeLessThanOrEqual(1e-1);
      expect(Number.isInteger((s.hidden as number[])[0])).toBe(true);
      expect(['adam', 'sgd']).toContain(s.optimizer);
    }
    expect(new Set(a.map((s) => s.optimizer)).size).toBe(2);
  });

  it('refuses unknown names (listing the known ones), empty ranges and values, grids over --max-runs', () => {
    expect(() => parseParam('learning=0.1')).toThrow(/unknown setting; known: .*weight-decay.*\blr\b/);
    expect(() => parseParam('lr=0.1..0.01')).toThrow(/empty range/);
    expect(() => parseParam('lr=')).toThrow(/no values/);
    expect(() => parseParam('lr=0..1:log')).toThrow(/above 0/);
    expect(() => parseParam('hidden=1.5')).toThrow(/whole number/);
    expect(() => gridSettings(['lr=1e-4..1e-1'].map(parseParam))).toThrow(/--trials/);
    expect(() => gridSettings(['lr=0.1,0.2', 'batch=1,2,3'].map(parseParam), 5)).toThrow(/6 runs, over --max-runs 5/);
  });
});

describe('folds', () => {
  it('deals every training row to exactly one fold, each class in its share', async () => {
    const data = await loadCsvDataSet(table, { target: 'diagnosis' });
    const share = (t: Uint32Array) => t.reduce((s, v) => s + v, 0) / t.length;
    let held = 0;
    for (let k = 0; k < 4; k++) {
      const f = foldDataSet(data, 4, k, 0);
      held += f.validation!.count;
      expect(f.train.count + f.validation!.count).toBe(data.train.count);
      expect(Math.abs(share(f.validation!.targets as Uint32Array) - share(data.train.targets as Uint32Array))).toBeLessThan(0.03);
    }
    expect(held).toBe(data.train.count);
  });
});

describe('native-mlp sweep', () => {
  beforeAll(() => assertFreshDist());

  it('a 12-run grid writes runs.jsonl, every model, the best one and the comparison report', async () => {
    const out = join(dir, 'grid');
    const r = cli([
      'sweep',
      '--data',
      table,
      '--target',
      'diagnosis',
      ...GRID,
      '--workers',
      '2',
      '--metric',
      'validationAccuracy',
      '--out',
      out,
    ]);
    expect(r.status, r.stderr).toBe(0);
    const lines = runs(out);
    expect(lines.map((l) => l.run).sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
    expect(r.stdout.match(/^run \d+ \(\d+\/12\)/gm)).toHaveLength(12);
    for (const l of lines) {
      expect(l.epochs.map((e) => e.epoch)).toEqual([1, 2]);
      expect(l.final.validationAccuracy).toBeGreaterThan(0);
      expect(l.final.validationAccuracy).toBe(l.epochs[1].validationAccuracy);
      expect(existsSync(join(out, l.model!))).toBe(true);
    }
    // runs.jsonl is in finishing order; ties go to the earlier run.
    const best = [...lines]
      .sort((a, b) => a.run - b.run)
      .reduce((b, l) => (l.final.validationAccuracy > b.final.validationAccuracy ? l : b));
    expect(readFileSync(join(out, 'best.safetensors'))).toEqual(readFileSync(join(out, best.model!)));
    expect(r.stdout).toContain(`best: run ${best.run}, validationAccuracy`);
    expect(r.stdout).toContain(`Wrote report to ${join(out, 'report.html')}`);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/<html[\s\S]*optimizer[\s\S]*<\/html>/i);
  });

  it('gives every run the same metrics and model at 1 worker as at 2', () => {
    const out = join(dir, 'grid-1');
    const r = cli([
      'sweep',
      '--data',
      table,
      '--target',
      'diagnosis',
      ...GRID,
      '--workers',
      '1',
      '--metric',
      'validationAccuracy',
      '--out',
      out,
    ]);
    expect(r.status, r.stderr).toBe(0);
    const timing = new Set(['seconds', 'rowsPerSecond', 'imagesPerSecond', 'evalSeconds']);
    const measured = (l: RunLine) => ({
      run: l.run,
      final: l.final,
      epochs: l.epochs.map((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !timing.has(k)))),
    });
    const byRun = (o: string) => runs(o).sort((a, b) => a.run - b.run);
    const two = byRun(join(dir, 'grid'));
    expect(two).toHaveLength(12);
    expect(byRun(out).map(measured)).toEqual(two.map(measured));
    for (const l of two) expect(readFileSync(join(out, l.model!))).toEqual(readFileSync(join(dir, 'grid', l.model!)));
  });

  it('scores by stratified K-fold: each run the mean of its folds', () => {
    const out = join(dir, 'folds');
    const r = cli([
      'sweep',
      '--data',
      table,
      '--target',
      'diagnosis',
      '--param',
      'lr=0.05,0.1',
      '--param',
      'epochs=2',
      '--folds',
      '3',
      '--workers',
      '2',
      '--out',
      out,
    ]);
    expect(r.status, r.stderr).toBe(0);
    const lines = runs(out);
    expect(lines).toHaveLength(2);
    expect(JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')).folds).toBe(3);
    for (const l of lines) expect(l.final.validationLoss).toBeGreaterThan(0);
  });

  it('bad input is one line and exit 2', () => {
    const bad = (args: string[], message: RegExp) => {
      const r = cli(['sweep', '--data', table, '--target', 'diagnosis', '--out', join(dir, 'bad'), ...args]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    };
    bad(['--param', 'nope=1,2'], /--param nope: unknown setting; known: .*, lr, hidden/);
    bad(['--param', 'lr=0.1..0.1:log', '--trials', '3'], /empty range/);
    bad(['--param', 'lr=0.1,0.2', '--param', 'batch=1,2,3', '--max-runs', '5'], /6 runs, over --max-runs 5/);
    bad(['--param', 'lr=0.1', '--metric', 'validationRmse'], /does not apply to classification/);
    bad(['--param', 'lr=-1'], /lr to be a finite number > 0/);
  });

  it('never writes its files over its data', () => {
    const folder = join(dir, 'over');
    mkdirSync(folder, { recursive: true });
    const data = join(folder, 'report.html'); // a CSV file where the sweep would write its report
    copyFileSync(table, data);
    const r = cli(['sweep', '--data', data, '--target', 'diagnosis', '--out', folder, '--param', 'lr=0.1']);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--out .*report\.html.* --data/);
    expect(readFileSync(data)).toEqual(readFileSync(table));
  });

  it('an unreachable Redis is one line naming the URL, exit 2, in bounded time', () => {
    const url = 'redis://127.0.0.1:1';
    const r = cli(
      ['sweep', '--data', table, '--target', 'diagnosis', '--param', 'lr=0.1', '--out', join(dir, 'noredis'), '--redis', url],
      30_000,
    );
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`cannot reach Redis at ${url}`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('trains each run as `native-mlp train` with the same flags: what is not swept takes the table defaults', () => {
    const out = join(dir, 'defaults');
    const r = cli(['sweep', '--data', table, '--target', 'diagnosis', '--param', 'lr=0.01', '--param', 'epochs=4', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const [run] = runs(out);
    const t = cli(['train', '--data', table, '--target', 'diagnosis', '--lr', '0.01', '--epochs', '4', '--validation', '0.2', '--json']);
    expect(t.status, t.stderr).toBe(0);
    const events = t.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const start = events.find((e) => e.event === 'start')!;
    expect([start.optimizer, start.batch, start.layers]).toEqual(['adam', 200, [30, 100, 2]]); // the table preset
    const epochs = events.filter((e) => e.event === 'epoch');
    expect(run.epochs.map((e) => [e.loss, e.validationLoss, e.validationAccuracy])).toEqual(
      epochs.map((e) => [e.loss, e.validationLoss, e.validationAccuracy]),
    );
    // A sweep folder of the earlier format (its runs filled these settings otherwise) is not continued.
    const plan = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { version: number };
    writeFileSync(join(out, 'sweep.json'), JSON.stringify({ ...plan, version: 1 }));
    const old = cli(['sweep', '--resume', out]);
    expect(old.status).toBe(2);
    expect(old.stderr).toMatch(/format version 1, written by another native-mlp.*start a new sweep/);
  });

  it('refuses a folder another sweep holds, and a folder that already holds a sweep', () => {
    const out = join(dir, 'locked');
    const r0 = cli(['sweep', '--data', table, '--target', 'diagnosis', '--param', 'lr=0.1', '--param', 'epochs=1', '--out', out]);
    expect(r0.status, r0.stderr).toBe(0);
    const again = cli(['sweep', '--data', table, '--target', 'diagnosis', '--param', 'lr=0.1', '--out', out]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/already holds a sweep.*--resume/);
    writeFileSync(join(out, 'sweep.lock'), JSON.stringify({ pid: process.pid, host: hostname() }));
    const held = cli(['sweep', '--resume', out]);
    expect(held.status).toBe(2);
    expect(held.stderr).toMatch(new RegExp(`in use by another sweep \\(pid ${process.pid}`));
    expect(runs(out)).toHaveLength(1); // nothing lost
  });

  it('a data file that changes during the sweep stops it (exit 2), finished runs kept', async () => {
    const data = join(dir, 'changing.csv');
    writeFileSync(data, readFileSync(table));
    const out = join(dir, 'changing');
    const child = spawn(
      process.execPath,
      [
        bin,
        'sweep',
        '--data',
        data,
        '--target',
        'diagnosis',
        '--param',
        'lr=0.01,0.02,0.03,0.04',
        '--param',
        'epochs=20',
        '--param',
        'batch=2',
        '--workers',
        '1',
        '--out',
        out,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (/^run 0 /m.test(stdout)) {
          clearInterval(t);
          resolve();
        }
      }, 25);
    });
    writeFileSync(data, readFileSync(table, 'utf8').replace(/\n[^\n]*\n$/, '\n')); // one row fewer
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(2);
    expect(stderr).toMatch(/changing\.csv: the data changed during the sweep/);
    expect(runs(out).map((l) => l.run)).toContain(0);
    const resumed = cli(['sweep', '--resume', out]);
    expect(resumed.status).toBe(2);
    expect(resumed.stderr).toMatch(/the data changed since the sweep started/);
  });

  it('SIGINT keeps finished runs and checkpoints running ones; --resume ends with every run', async () => {
    const out = join(dir, 'resume');
    const child: ChildProcess = spawn(
      process.execPath,
      [
        bin,
        'sweep',
        '--data',
        table,
        '--target',
        'diagnosis',
        '--param',
        'lr=0.01,0.02,0.03,0.04',
        '--param',
        'epochs=60',
        '--param',
        'batch=1',
        '--param',
        'early-stopping=1000',
        '--workers',
        '1',
        '--out',
        out,
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    // A local training checkpoints when stopped (not every epoch): interrupt once it has a few epochs.
    // Its epochs reach stdout in batches (every 100 ms), so a run must train far longer than that
    // and the stop's latency after the SIGINT, or it can end before the stop: 60 epochs of batch 1.
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if ((stdout.match(/"event":"epoch","run":0,/g) ?? []).length > 3) {
          clearInterval(t);
          resolve();
        }
      }, 50);
    });
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/SIGINT: finishing: running trainings are checkpointed/);
    expect(existsSync(join(out, 'checkpoints', 'run-0.ckpt'))).toBe(true);
    expect(existsSync(join(out, 'checkpoints', 'run-0.ckpt.epochs.jsonl'))).toBe(true);
    const r = cli(['sweep', '--resume', out, '--workers', '2']);
    expect(r.status, r.stderr).toBe(0);
    const lines = runs(out);
    expect(lines.map((l) => l.run).sort()).toEqual([0, 1, 2, 3]);
    for (const l of lines) expect(l.epochs.map((e) => e.epoch)).toEqual([...Array(60).keys()].map((i) => i + 1));
    // The interrupted run ends as a run never interrupted does.
    const ref = join(dir, 'resume-ref');
    const r2 = cli([
      'sweep',
      '--data',
      table,
      '--target',
      'diagnosis',
      '--param',
      'lr=0.01',
      '--param',
      'epochs=60',
      '--param',
      'batch=1',
      '--param',
      'early-stopping=1000',
      '--out',
      ref,
    ]);
    expect(r2.status, r2.stderr).toBe(0);
    expect(readFileSync(join(out, 'models', 'run-0.safetensors'))).toEqual(readFileSync(join(ref, 'models', 'run-0.safetensors')));
  });
});
