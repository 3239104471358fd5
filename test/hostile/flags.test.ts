/**
 * Hostile class: flags that contradict each other or do nothing. A repeated flag, a setting for
 * another optimizer or schedule, a warm-up as long as the run, --lr-min above --lr, a value beyond
 * float32: one line naming the flag and the reason, exit code 2, before any work. A batch larger
 * than the data trains on the whole data per step (documented) instead of failing on the memory
 * budget. Capped child processes.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/capped.js';

const dir = mkdtempSync(join(tmpdir(), 'native-mlp-flags-'));
const csv = join(dir, 'train.csv');
copyFileSync(new URL('../fixtures/diabetes.csv', import.meta.url), csv);
const table = ['train', '--data', csv, '--target', 'progression', '--task', 'regress', '--hidden', '4'];

function expectRefused(args: string[], pattern: RegExp) {
  const r = runCli(args, { timeoutMs: 15_000 });
  const what = args.join(' ');
  expect(r.status, `${what}: ${r.stderr}`).toBe(2);
  expect(r.stderr, what).toMatch(/^native-mlp: [^\n]*\n$/);
  expect(r.stderr, what).toMatch(pattern);
  expect(r.stdout, what).toBe('');
}

describe('contradictory, ineffective and repeated flags', () => {
  const cases: [string, string[], RegExp][] = [
    ['a repeated flag', ['--lr', '0.1', '--lr', '0.2'], /--lr is given 2 times; give it once/],
    ['a repeated flag, = form', ['--epochs=1', '--epochs', '3'], /--epochs is given 2 times/],
    [
      'momentum with adam',
      ['--optimizer', 'adam', '--momentum', '0.5'],
      /--momentum has no effect with --optimizer adam \(it is used by --optimizer momentum or nesterov\)/,
    ],
    ['momentum with the table default adam', ['--momentum', '0.5'], /--momentum has no effect with --optimizer adam/],
    ['betas with sgd', ['--optimizer', 'sgd', '--beta1', '0.8'], /--beta1 has no effect with --optimizer sgd/],
    ['eps with momentum', ['--optimizer', 'momentum', '--eps', '1e-6'], /--eps has no effect with --optimizer momentum/],
    [
      'step settings without the step schedule',
      ['--step-every', '3'],
      /--step-every has no effect with --schedule constant \(it is used by --schedule step\)/,
    ],
    ['step gamma with cosine', ['--schedule', 'cosine', '--step-gamma', '0.3'], /--step-gamma has no effect with --schedule cosine/],
    [
      'plateau settings with step',
      ['--schedule', 'step', '--plateau-patience', '4'],
      /--plateau-patience has no effect with --schedule step/,
    ],
    ['lr-min with constant', ['--lr-min', '0.01'], /--lr-min has no effect with --schedule constant/],
    ['warm-up longer than the run', ['--epochs', '3', '--warmup', '5'], /--warmup 5 is not shorter than the run \(--epochs 3\)/],
    ['warm-up as long as the run', ['--epochs', '3', '--warmup', '3'], /--warmup 3 is not shorter than the run/],
    ['lr-min above lr', ['--schedule', 'cosine', '--lr', '0.01', '--lr-min', '0.1'], /--lr-min 0\.1 is above --lr 0\.01/],
    ['weight decay beyond float32', ['--weight-decay', '1e39'], /--weight-decay must be at most 3\.4028234663852886e\+38 \(float32/],
    ['lr-min beyond float32', ['--schedule', 'cosine', '--lr-min', '4e38'], /--lr-min must be at most/],
  ];
  it.each(cases)('%s', (_name, flags, pattern) => expectRefused([...table, ...flags], pattern));

  // Judged against the data's preset: tables stop early by default, image folders (the notebook) do not.
  it('momentum with the notebook default sgd, and monitor without early stopping, on an image folder', () => {
    expectRefused(['train', '--momentum', '0.5'], /--momentum has no effect with --optimizer sgd/);
    expectRefused(['train', '--monitor', 'validationLoss'], /--monitor has no effect without --early-stopping/);
  });

  it('settings that fit the optimizer and schedule are accepted', () => {
    const r = runCli([
      ...table,
      '--epochs',
      '2',
      '--optimizer',
      'nesterov',
      '--momentum',
      '0.8',
      '--schedule',
      'cosine',
      '--lr-min',
      '0.001',
      '--warmup',
      '1',
    ]);
    expect(r.status, r.stderr).toBe(0);
  });

  it('a batch larger than the data trains on all of it per step, not refused by the memory budget', () => {
    // 1048576 rows x 512 hidden units would need gigabytes; the data's 442 rows need little.
    const r = runCli([
      'train',
      '--data',
      csv,
      '--target',
      'progression',
      '--task',
      'regress',
      '--hidden',
      '512',
      '--epochs',
      '1',
      '--batch',
      '1048576',
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const epochs = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.event === 'epoch');
    expect(epochs).toHaveLength(1);
    expect(Number.isFinite(epochs[0].loss)).toBe(true);
  });
});
