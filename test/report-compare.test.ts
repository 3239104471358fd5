/**
 * The comparison report: runs ranked by the metric (higher or lower is better by its name), the
 * best one highlighted in the table, the curves and the settings-vs-metric view; from a
 * runs.jsonl or from several real train --json logs through `native-mlp report a b -o cmp.html`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { rankRuns } from '../src/report/compare.js';
import { compareReportHtml, type ComparedRun, parseRunLog, runFromLog } from '../src/report/index.js';

const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'native-mlp-report-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const run = (i: number, lr: number, optimizer: string, accuracy: number, extra: Partial<ComparedRun> = {}): ComparedRun => ({
  run: i,
  settings: { lr, optimizer, hidden: 32 },
  epochs: [1, 2, 3].map((epoch) => ({
    event: 'epoch',
    epoch,
    loss: 1 / epoch,
    validationLoss: 1 - accuracy / 2 + 1 / epoch,
    validationAccuracy: accuracy - 0.1 / epoch,
  })),
  final: { validationAccuracy: accuracy, validationLoss: 1 - accuracy / 2 + 1 / 3 },
  seconds: 2,
  model: `runs/${i}.safetensors`,
  ...extra,
});
const runs = [
  run(0, 0.001, 'sgd', 0.81),
  run(1, 0.01, 'adam', 0.93),
  run(2, 0.1, 'adam', 0.88),
  run(3, 0.1, 'sgd', 0, { error: 'diverged', final: {} }),
];

describe('comparison report', () => {
  it('ranks by the metric: accuracies high first, losses low first, failed runs last', () => {
    expect(rankRuns(runs, 'validationAccuracy').map((r) => r.run)).toEqual([1, 2, 0, 3]);
    expect(rankRuns(runs, 'validationLoss').map((r) => r.run)).toEqual([1, 2, 0, 3]);
    const reversed = runs.map((r) => ({ ...r, final: { ...r.final, validationRmse: r.final.validationAccuracy } }));
    expect(rankRuns(reversed, 'validationRmse').map((r) => r.run)).toEqual([0, 2, 1, 3]);
  });

  it('highlights the best run, draws curves and one panel per varying setting, and says what is shared', async () => {
    const page = await compareReportHtml(runs);
    for (const id of ['curves', 'parameters', 'runs']) expect(page).toContain(`<section id="${id}">`);
    expect(page).toMatch(/<tr class="best"><td>1<\/td><td>run 1<\/td><td>0\.01<\/td><td>adam<\/td>/);
    expect(page.match(/<tr class="best">/g)).toHaveLength(1);
    expect(page).toContain('Same in every run: hidden 32.');
    expect(page).toContain('lr</text>');
    expect(page).toContain('optimizer</text>');
    expect(page).toContain('<span class="error">diverged</span>');
    expect(page).toContain('best: run 1, validationAccuracy 0.9300');
    // The best run's line is drawn in red, the others in the quiet colour.
    expect(page).toMatch(/stroke="#e45756"/);
  });

  it('draws runs none of which has the metric (every run failed) and says so; refuses no runs', async () => {
    const page = await compareReportHtml([runs[3]], { metric: 'validationAccuracy' });
    expect(page).toContain('no run has a value of the metric');
    expect(page).not.toContain('<tr class="best">');
    await expect(compareReportHtml([])).rejects.toThrow(/at least one run/);
  });

  it('compares real train --json logs given to `native-mlp report a b -o cmp.html`, and a runs.jsonl', () => {
    const logs = [0.01, 0.1].map((lr) => {
      const r = cli([
        'train',
        '--data',
        fixture('breast-cancer.csv'),
        '--target',
        'diagnosis',
        '--hidden',
        '8',
        '--epochs',
        '3',
        '--batch',
        '32',
        '--lr',
        String(lr),
        '--validation',
        '0.2',
        '--json',
      ]);
      expect(r.code).toBe(0);
      const file = join(dir, `lr${lr}.jsonl`);
      writeFileSync(file, r.stdout);
      return file;
    });
    const out = join(dir, 'cmp.html');
    let r = cli(['report', ...logs, '-o', out, '--metric', 'validationLoss']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const page = readFileSync(out, 'utf8');
    expect(page).toContain('Runs by validationLoss (lower is better)');
    const finals = logs.map((f) => runFromLog(parseRunLog(readFileSync(f, 'utf8'), f), f).final.validationLoss);
    const bestLog = finals[0] <= finals[1] ? 'lr0.01.jsonl' : 'lr0.1.jsonl';
    expect(page).toMatch(new RegExp(`<tr class="best"><td>1</td><td>${bestLog.replace('.', '\\.')}</td>`));
    // The same runs as a sweep's runs.jsonl.
    const lines = logs.map((f, i) => {
      const { run: _, ...rest } = runFromLog(parseRunLog(readFileSync(f, 'utf8'), f), f);
      return JSON.stringify({ run: i, ...rest, model: `run-${i}.safetensors` });
    });
    const runsFile = join(dir, 'runs.jsonl');
    writeFileSync(runsFile, lines.join('\n') + '\n');
    r = cli(['report', runsFile, '-o', join(dir, 'sweep.html')]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'sweep.html'), 'utf8')).toContain('run-0.safetensors');
  }, 300_000);

  it('refuses to compare a bench report with runs, and no logs at all', () => {
    const bench = join(dir, 'bench.json');
    writeFileSync(
      bench,
      JSON.stringify({ machine: { cpu: 'x', cores: 1, node: 'v', platform: 'p' }, columns: [], eventLoop: {}, notes: [] }) + '\n',
    );
    const runsFile = join(dir, 'one.jsonl');
    writeFileSync(runsFile, JSON.stringify(run(0, 0.1, 'sgd', 0.5)) + '\n');
    let r = cli(['report', bench, runsFile, '-o', join(dir, 'x.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bench\.json: a bench report cannot be compared with training runs/);
    r = cli(['report', '-o', join(dir, 'x.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/report takes one or more log files/);
    r = cli(['report', runsFile, '-o', join(dir, 'x.html'), '--metric', 'testR2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--metric testR2: no run has it; the runs have validationAccuracy, validationLoss/);
  });
});
