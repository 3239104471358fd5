/** Training reports of real CSV runs: class names for classification, predicted against true for regression. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseRunLog, type LoggedEvent } from '../src/report/index.js';
import { cli, externalIn, scratchDir } from './helpers/report.js';

const dir = scratchDir('report-csv');

describe('training reports of small CSV runs (UCI breast cancer, diabetes)', () => {
  const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

  it('classification: class names in the confusion matrix and per-class table, no image grid', () => {
    const html = join(dir, 'cancer.html');
    const r = cli([
      'train',
      '--data',
      fixture('breast-cancer.csv'),
      '--target',
      'diagnosis',
      '--hidden',
      '16',
      '--epochs',
      '5',
      '--batch',
      '32',
      '--lr',
      '0.05',
      '--validation',
      '0.2',
      '--json',
      '--report',
      html,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const events = parseRunLog(r.stdout, 'stdout');
    const report = events.at(-1) as LoggedEvent & { classNames?: string[]; confusion?: number[]; count?: number };
    expect(report.event).toBe('report');
    expect(report.classNames).toEqual(['benign', 'malignant']);
    expect(report.confusion!.reduce((a, b) => a + b, 0)).toBe(report.count);
    const page = readFileSync(html, 'utf8');
    for (const id of ['settings', 'curves', 'test', 'confusion', 'per-class']) expect(page).toContain(`<section id="${id}">`);
    expect(page).not.toContain('<section id="mistakes">');
    expect(page).toContain('malignant');
    expect(externalIn(page)).toBeUndefined();
  });

  it('regression: predicted against true in target units, every test row', () => {
    const html = join(dir, 'diabetes.html');
    const r = cli([
      'train',
      '--data',
      fixture('diabetes.csv'),
      '--target',
      'progression',
      '--task',
      'regress',
      '--hidden',
      '16',
      '--epochs',
      '5',
      '--batch',
      '32',
      '--lr',
      '0.01',
      '--json',
      '--report',
      html,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const events = parseRunLog(r.stdout, 'stdout');
    const test = events.find((e) => e.event === 'test') as LoggedEvent & { testRmse?: number };
    const report = events.at(-1) as LoggedEvent & { regression?: { truth: number[]; predicted: number[] }; count?: number };
    expect(report.regression!.truth).toHaveLength(report.count!);
    // The points are in the target's units: their RMSE is the test event's.
    const { truth, predicted } = report.regression!;
    const rmse = Math.sqrt(truth.reduce((a, t, i) => a + (t - predicted[i]) ** 2, 0) / truth.length);
    expect(rmse).toBeCloseTo(test.testRmse!, 2);
    expect(Math.max(...truth)).toBeGreaterThan(100); // diabetes progression runs from 25 to 346
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<section id="regression">');
    expect(externalIn(page)).toBeUndefined();
  });
});
