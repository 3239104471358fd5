/**
 * Reports of real table runs (an iris-like table of 4 features and 3 classes, the breast-cancer
 * table: binary, the diabetes table: regression): no image panel whatever the feature count,
 * "rows" for tables, ROC/PR for the binary task, RMSE/MAE/R² and residuals for regression, the
 * kept epoch marked, a training time in a readable unit; in headless Chromium no axis labels
 * overlap, at 90 epochs and with long class names too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartWarnings, classCurve, type LoggedEvent, parseRunLog, regressionMetrics, trainingReportHtml } from '../src/report/index.js';
import { browserIt, overlappingLabels, visit } from './helpers/report-browser.js';
import { irisLikeCsv } from './helpers/iris-like.js';

const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'native-mlp-report-tables-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function train(name: string, args: string[]) {
  const html = join(dir, `${name}.html`);
  const r = spawnSync(process.execPath, [bin, 'train', ...args, '--json', '--report', html], { encoding: 'utf8', timeout: 300_000 });
  expect(r.stderr).toBe(''); // no Vega warning, no other noise
  expect(r.status).toBe(0);
  return { html, page: readFileSync(html, 'utf8'), events: parseRunLog(r.stdout, name) };
}

const runs: Record<string, ReturnType<typeof train>> = {};

beforeAll(() => {
  const iris = join(dir, 'iris-like.csv');
  writeFileSync(iris, irisLikeCsv(150, 7));
  runs.iris = train('iris', [
    '--data',
    iris,
    '--target',
    'species',
    '--hidden',
    '16',
    '--epochs',
    '90',
    '--batch',
    '16',
    '--lr',
    '0.05',
    '--optimizer',
    'adam',
    '--validation',
    '0.2',
    '--early-stopping',
    '10',
  ]);
  runs.cancer = train('cancer', [
    '--data',
    fixture('breast-cancer.csv'),
    '--target',
    'diagnosis',
    '--hidden',
    '16',
    '--epochs',
    '12',
    '--batch',
    '32',
    '--lr',
    '0.05',
    '--optimizer',
    'sgd',
    '--validation',
    '0.2',
  ]);
  runs.diabetes = train('diabetes', [
    '--data',
    fixture('diabetes.csv'),
    '--target',
    'progression',
    '--task',
    'regress',
    '--hidden',
    '16',
    '--epochs',
    '40',
    '--batch',
    '32',
    '--lr',
    '0.01',
    '--optimizer',
    'sgd',
    '--validation',
    '0.2',
  ]);
}, 600_000);

describe('table reports', () => {
  it('iris-like (4 features, a square count): no image panel, rows not images, the kept epoch marked', () => {
    const { page, events } = runs.iris;
    const report = events.find((e) => e.event === 'report') as LoggedEvent & { inputKind?: string; imageSide?: number; curves?: unknown[] };
    expect(report.inputKind).toBe('rows');
    expect(report.imageSide).toBeUndefined();
    expect(report.curves).toHaveLength(3);
    expect(page).not.toContain('<section id="mistakes">');
    expect(page).not.toMatch(/<img /);
    expect(page).toContain('training rows');
    expect(page).not.toMatch(/training images|images\/s|images per second/);
    const stop = events.find((e) => e.event === 'stop');
    expect(typeof stop?.bestEpoch).toBe('number');
    expect(page).toContain(`kept: epoch ${stop!.bestEpoch}</text>`);
    expect(page).toContain('Iris-versicolor</text>');
  });

  it('breast cancer (binary): ROC and PR curves with their areas, computed from the test set', () => {
    const { page, events } = runs.cancer;
    const report = events.find((e) => e.event === 'report') as LoggedEvent & {
      curves: Array<{ class: number; auc: number; averagePrecision: number }>;
    };
    expect(report.curves.map((c) => c.class)).toEqual([0, 1]);
    // One class against the rest of two: both curves have the same area.
    expect(report.curves[0].auc).toBeCloseTo(report.curves[1].auc, 10);
    expect(report.curves[1].auc).toBeGreaterThan(0.8);
    expect(page).toContain('<section id="roc">');
    expect(page).toMatch(/malignant \(AUC 0\.\d{3}\)<\/text>/);
  });

  it('diabetes (regression): RMSE, MAE and R² tiles that agree with the points, and a residual plot', () => {
    const { page, events } = runs.diabetes;
    const report = events.find((e) => e.event === 'report') as LoggedEvent & {
      regression: { truth: number[]; predicted: number[] };
      regressionMetrics: { rmse: number; mae: number; r2: number };
    };
    const test = events.find((e) => e.event === 'test') as LoggedEvent & { testRmse: number };
    const m = report.regressionMetrics;
    expect(m.rmse).toBeCloseTo(test.testRmse, 2);
    const again = regressionMetrics(report.regression.truth, report.regression.predicted);
    expect(again.mae).toBeCloseTo(m.mae, 3);
    expect(m.r2).toBeLessThan(1);
    for (const tile of ['test RMSE', 'test MAE', 'test R²']) expect(page).toContain(`<span>${tile}</span>`);
    expect(page).toContain('Residuals (test set)</text>');
    expect(page).not.toContain('<section id="confusion">');
  });

  it('never shows a training time of "0.0 s"', () => {
    for (const { page } of Object.values(runs)) {
      const time = /<div class="tile"><b>([^<]+)<\/b><span>training time<\/span>/.exec(page)?.[1];
      expect(time).toMatch(/^(\d+(\.\d+)? (µs|ms|s|min|h))$/);
      expect(time).not.toMatch(/^0(\.0+)? /);
    }
  });

  it('computes ROC, AUC and average precision as scikit-learn defines them', () => {
    // Scores 0.9 (+), 0.8 (-), 0.7 (+), 0.1 (-): roc_auc_score = 0.75, average_precision_score = (1 + 2/3) / 2.
    const c = classCurve([true, false, true, false], [0.9, 0.8, 0.7, 0.1], 1)!;
    expect(c.auc).toBeCloseTo(0.75, 12);
    expect(c.averagePrecision).toBeCloseTo((1 + 2 / 3) / 2, 12);
    expect(c.roc[0]).toEqual([0, 0]);
    expect(c.roc.at(-1)).toEqual([1, 1]);
    // Tied scores make one threshold.
    expect(classCurve([true, false], [0.5, 0.5], 1)!.roc).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(classCurve([true, true], [0.5, 0.4], 1)).toBeUndefined();
  });

  browserIt(
    'no axis labels overlap in Chromium: the three tables, and 150 epochs with long class names',
    async () => {
      const long = [
        'a class name much longer than any axis could hold, number one',
        'a class name much longer than any axis could hold, number two',
        'short',
      ];
      const epochs = Array.from({ length: 150 }, (_, i) => ({
        event: 'epoch',
        epoch: i + 1,
        lr: 0.1,
        loss: 1 / (i + 1),
        validationLoss: 1.1 / (i + 1),
        seconds: 0.002,
        rowsPerSecond: 40000,
        evalSeconds: 0.0001,
      }));
      const synthetic = join(dir, 'long.html');
      writeFileSync(
        synthetic,
        await trainingReportHtml([
          { event: 'start', layers: [4, 8, 3], epochs: 150, trainRows: 90, testRows: 9 },
          ...epochs,
          { event: 'test', testAccuracy: 1 / 3, testLoss: 1 },
          {
            event: 'report',
            environment: {},
            count: 9,
            classes: 3,
            classNames: long,
            inputKind: 'rows',
            confusion: [1, 1, 1, 1, 1, 1, 1, 1, 1],
            perClass: [0, 1, 2].map(() => ({ precision: 1 / 3, recall: 1 / 3, f1: 1 / 3, support: 3 })),
          },
        ] as LoggedEvent[]),
      );
      const overlaps: Record<string, string[]> = {};
      const pages = [runs.iris.html, runs.cancer.html, runs.diabetes.html, synthetic];
      const seen = await visit(pages, { settleMs: 0, inspect: async (tab, file) => void (overlaps[file] = await overlappingLabels(tab)) });
      for (const [i, v] of seen.entries()) {
        expect(v.problems, pages[i]).toEqual([]);
        expect(overlaps[pages[i]], pages[i]).toEqual([]);
      }
      expect(seen[3].bodyText).toContain('a class name much longer than any axis could hold, number one'.slice(0, 23));
      expect(chartWarnings).toEqual([]);
    },
    120_000,
  );
});
