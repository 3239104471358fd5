/**
 * The CLI on tabular data, as a user runs it: train on a CSV file (the committed UCI fixture),
 * save, predict from raw rows with class names in and out, eval; regression; every bad input is
 * one line and exit code 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'native-mlp-data-cli-'));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const jsonLines = (s: string) =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('native-mlp on CSV files', () => {
  it('train --data FILE.csv --target C --save m, then predict --input FILE.csv --json with class names, then eval', () => {
    const model = join(tmp, 'bc.safetensors');
    const t = cli([
      'train',
      '--json',
      '--data',
      fixture('breast-cancer.csv'),
      '--target',
      'diagnosis',
      '--hidden',
      '16',
      '--epochs',
      '20',
      '--batch',
      '32',
      '--lr',
      '0.01',
      '--validation',
      '0.2',
      '--save',
      model,
    ]);
    expect(t.stderr).toBe('');
    expect(t.code).toBe(0);
    const events = jsonLines(t.stdout);
    expect(events[0]).toMatchObject({ event: 'start', layers: [30, 16, 2], task: 'classify', validationImages: 91, testImages: 113 });
    const epoch = events[1];
    expect(Object.keys(epoch)).toEqual(expect.arrayContaining(['validationLoss', 'validationAccuracy']));
    expect(epoch).not.toHaveProperty('trainAccuracy'); // the notebook's measure is for the notebook's run
    const test = events.at(-1)!;
    expect(test).toMatchObject({ event: 'test' });
    expect(test.testAccuracy as number).toBeGreaterThan(0.9);

    const p = cli(['predict', '--json', '--model', model, '--input', fixture('breast-cancer.csv')]);
    expect(p.code).toBe(0);
    const rows = jsonLines(p.stdout);
    expect(rows).toHaveLength(569);
    expect(Object.keys(rows[0])).toEqual(['row', 'label', 'probability', 'probabilities']);
    expect(Object.keys(rows[0].probabilities as object)).toEqual(['benign', 'malignant']);
    expect(new Set(rows.map((r) => r.label))).toEqual(new Set(['malignant', 'benign']));

    const e = cli(['eval', '--model', model, '--data', fixture('breast-cancer.csv'), '--target', 'diagnosis']);
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/^Test Accuracy: 9\d\.\d\d%/);
    expect(e.stdout).toMatch(/\n +benign +malignant\n +benign +\d+ +\d+\n +malignant +\d+ +\d+/);
  }, 120_000);

  it('regression: --task regress reports RMSE, predict prints values in the target units, eval RMSE, MAE, R^2', () => {
    const model = join(tmp, 'db.safetensors');
    const t = cli([
      'train',
      '--json',
      '--data',
      fixture('diabetes.csv'),
      '--target',
      'progression',
      '--task',
      'regress',
      '--hidden',
      '16',
      '--epochs',
      '30',
      '--batch',
      '32',
      '--lr',
      '0.05',
      '--validation',
      '0.1',
      '--save',
      model,
    ]);
    expect(t.code).toBe(0);
    const events = jsonLines(t.stdout);
    expect(events[1]).toHaveProperty('validationRmse');
    const test = events.at(-1)!;
    expect(Object.keys(test)).toEqual(['event', 'testRmse', 'testLoss']);
    expect(test.testRmse as number).toBeLessThan(65); // predicting the mean gives ~77
    const input = join(tmp, 'rows.csv'); // columns reordered, target absent, an extra column
    writeFileSync(input, 'id,s6,s5,s4,s3,s2,s1,bp,bmi,sex,age\n1,87,4.8598,4,38,93.2,157,101,32.1,2,59\n');
    const p = cli(['predict', '--json', '--model', model, '--input', input]);
    expect(p.code).toBe(0);
    const [row] = jsonLines(p.stdout);
    expect(Object.keys(row)).toEqual(['row', 'value']);
    expect(row.value as number).toBeGreaterThan(25);
    expect(row.value as number).toBeLessThan(346);
    const e = cli(['eval', '--json', '--model', model, '--data', fixture('diabetes.csv'), '--target', 'progression']);
    expect(Object.keys(jsonLines(e.stdout)[0])).toEqual(expect.arrayContaining(['testRmse', 'testMae', 'testR2']));
  }, 120_000);

  const badCsv = join(tmp, 'bad.csv');
  writeFileSync(badCsv, 'a,b,y\n1,2,p\n3,x,q\n');
  const headerOnly = join(tmp, 'header.csv');
  writeFileSync(headerOnly, 'a,b,y\n');
  const bad: Array<[string[], RegExp]> = [
    [['train', '--data', badCsv, '--target', 'y'], /bad\.csv: line 3, column "b": "x" is not a decimal number/],
    [['train', '--data', badCsv, '--target', 'nope'], /no column named "nope" \(--target\)/],
    [['train', '--data', badCsv], /needs the target column's name/],
    [['train', '--data', headerOnly, '--target', 'y'], /a header row but no data rows/],
    [['train', '--data', badCsv, '--target', 'y', '--task', 'cluster'], /--task must be one of classify, regress/],
    [['train', '--data', badCsv, '--target', 'y', '--validation', '1.5'], /--validation must be a fraction between 0 and 1/],
    [['train', '--data', badCsv, '--target', 'y', '--features', 'a,,b'], /--features must be column names/],
    [['eval', '--model', '/nonexistent.safetensors', '--data', badCsv], /nonexistent\.safetensors/],
  ];
  for (const [args, message] of bad) {
    it(`rejects ${args.slice(1).join(' ').replace(tmp, '…')} with one line and exit code 2`, () => {
      const r = cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
});
