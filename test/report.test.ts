/**
 * The HTML report: a real MNIST run writes it, headless Chromium opens it offline (no console
 * errors, no requests), the JSON Lines log rebuilds it byte for byte; the parts driven by optional
 * event fields render when the fields are there; the progress line fits any terminal width.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../src/bench/run.js';
import { clock, progressLine, ProgressBar } from '../src/cli/print.js';
import {
  benchReportHtml,
  classScores,
  parseRunLog,
  regressionPoints,
  squareSide,
  trainingReportHtml,
  type LoggedEvent,
} from '../src/report/index.js';

const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'native-mlp-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], nodeFlags: string[] = []) {
  const r = spawnSync(process.execPath, [...nodeFlags, bin, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Anything in the page that would make a browser fetch from elsewhere. */
const EXTERNAL = /https?:|\/\/[a-z0-9]|\b(src|href)="(?!data:)|url\((?!#)|@import|<script|<link|<iframe/i;

/** The first external reference in a page (inline PNG data left out), or undefined. */
const externalIn = (html: string) =>
  html
    .replace(/data:image\/png;base64,[A-Za-z0-9+/=]+/g, 'data:')
    .replace(/<script type="application\/json" id="[\w-]+">[^<]*<\/script>/g, '')
    .match(EXTERNAL)?.[0];

const SECTIONS = ['settings', 'curves', 'test', 'confusion', 'per-class', 'roc', 'mistakes', 'throughput', 'epochs'];

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(file);
  expect(b.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('training report of a real MNIST run (1 epoch)', () => {
  const html = join(dir, 'run.html');
  const log = join(dir, 'run.jsonl');
  let page = '';

  beforeAll(() => {
    const r = cli(['train', '--epochs', '1', '--json', '--report', html]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    writeFileSync(log, r.stdout);
    page = readFileSync(html, 'utf8');
  }, 300_000);

  it('logs a report event after the test event, with the confusion matrix, per-class scores and mistakes', () => {
    const events = parseRunLog(readFileSync(log, 'utf8'), log);
    expect(events.map((e) => e.event)).toEqual(['start', 'epoch', 'test', 'report']);
    const [, , test, report] = events as Array<LoggedEvent & Record<string, never>>;
    expect(report.count).toBe(10000);
    const confusion = report.confusion as unknown as number[];
    expect(confusion).toHaveLength(100);
    expect(confusion.reduce((a, b) => a + b, 0)).toBe(10000);
    const correct = [...Array(10).keys()].reduce((a, c) => a + confusion[c * 10 + c], 0);
    expect(correct / 10000).toBeCloseTo(test.testAccuracy as unknown as number, 10);
    const mistakes = report.mistakes as unknown as Array<{ truth: number; predicted: number; confidence: number; pixels: string }>;
    expect(mistakes).toHaveLength(24);
    for (let i = 0; i < mistakes.length; i++) {
      expect(mistakes[i].truth).not.toBe(mistakes[i].predicted);
      expect(Buffer.from(mistakes[i].pixels, 'base64')).toHaveLength(784);
      if (i) expect(mistakes[i].confidence).toBeLessThanOrEqual(mistakes[i - 1].confidence);
    }
  });

  it('has every section, 24 inline PNG images and no external URL', () => {
    for (const id of SECTIONS) expect(page).toContain(`<section id="${id}">`);
    expect(page.match(/<img src="data:image\/png;base64,/g)).toHaveLength(24);
    expect(page.match(/<svg /g)!.length).toBeGreaterThanOrEqual(5);
    expect(externalIn(page)).toBeUndefined();
    expect(page).toMatch(
      /Content-Security-Policy" content="default-src &#39;none&#39;; img-src data:; style-src &#39;sha256-[A-Za-z0-9+\/=]+&#39;; form-action &#39;none&#39;; base-uri &#39;none&#39;"/,
    );
  });

  it('is rebuilt byte for byte from the --json log by `native-mlp report`', () => {
    const rebuilt = join(dir, 'rebuilt.html');
    const r = cli(['report', log, '-o', rebuilt]);
    expect(r.code).toBe(0);
    expect(readFileSync(rebuilt, 'utf8')).toBe(page);
  });

  // Without the browser this is skipped visibly on a developer's machine; under CI (CI=true) it fails instead.
  const browserTest = existsSync(CHROMIUM) || process.env.CI ? it : it.skip;
  browserTest(
    'opens in headless Chromium with no console errors and no network requests; the screenshot has the page',
    async () => {
      expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run must install it)`).toBe(true);
      const { chromium } = await import('playwright-core');
      const userDataDir = mkdtempSync(join(tmpdir(), 'native-mlp-chromium-'));
      const context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        viewport: { width: 1200, height: 900 },
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      try {
        const tab = await context.newPage();
        const problems: string[] = [];
        const requests: string[] = [];
        tab.on('console', (m) => {
          if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
        });
        tab.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
        tab.on('request', (r) => requests.push(r.url()));
        const url = pathToFileURL(html).href;
        await tab.goto(url, { waitUntil: 'load' });
        expect(problems).toEqual([]);
        expect(requests.filter((u) => u !== url && !u.startsWith('data:'))).toEqual([]);
        // The images decoded (a blocked or broken source has naturalWidth 0).
        const widths = await tab.$$eval('#mistakes img', (imgs) =>
          imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth),
        );
        expect(widths).toEqual(Array(24).fill(28));
        const shot = join(dir, 'run.png');
        await tab.screenshot({ path: shot, fullPage: true });
        const size = pngSize(shot);
        expect(size.width).toBe(1200);
        expect(size.height).toBeGreaterThan(1800); // every section below the fold is in the full-page picture
        expect(statSync(shot).size).toBeGreaterThan(50_000);
      } finally {
        await context.close();
        rmSync(userDataDir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});

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

describe('report command and missing packages', () => {
  it('says in one line how to install the report packages, before training starts', () => {
    // A resolve hook that hides the three packages, as on a light install without them.
    const hooks = join(dir, 'hide-report-packages.mjs');
    writeFileSync(
      hooks,
      `export async function resolve(s, c, next) {
      if (['vega', 'vega-lite', 'fast-png'].includes(s)) throw Object.assign(new Error('Cannot find package ' + s), { code: 'ERR_MODULE_NOT_FOUND' });
      return next(s, c);
    }`,
    );
    const register = join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hooks).href)});`);
    const r = cli(['train', '--json', '--report', join(dir, 'never.html')], ['--import', pathToFileURL(register).href]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(''); // not one epoch trained
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/missing: vega, vega-lite, fast-png\); install them with: npm install vega vega-lite fast-png/);
    expect(existsSync(join(dir, 'never.html'))).toBe(false);
  });

  it('refuses a report path in a missing folder before training', () => {
    const r = cli(['train', '--json', '--report', '/nonexistent-folder/r.html']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--report \/nonexistent-folder\/r.html: folder \/nonexistent-folder does not exist/);
  });

  it('keeps the report packages out of the production install (optional peers, present for development)', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    for (const name of ['vega', 'vega-lite', 'fast-png']) {
      expect(pkg.dependencies?.[name], name).toBeUndefined();
      expect(pkg.optionalDependencies?.[name], name).toBeUndefined();
      expect(pkg.peerDependenciesMeta?.[name]?.optional, name).toBe(true);
      expect(pkg.devDependencies?.[name], name).toBeDefined();
    }
  });

  it('names a bad log line, a log without a start event and a damaged report event', () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"event":"start"}\nEpoch 01 - Training accuracy\n');
    let r = cli(['report', bad, '-o', join(dir, 'x.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.jsonl line 2: expected a JSON object/);
    writeFileSync(bad, '{"event":"epoch","epoch":1}\n');
    r = cli(['report', bad, '-o', join(dir, 'x.html')]);
    expect(r.stderr).toMatch(/no "start" event/);
    r = cli(['report', bad]);
    expect(r.stderr).toMatch(/--output is required/);
    const start = '{"event":"start","layers":[4,2]}\n';
    const damaged: Array<[object, RegExp]> = [
      [{ classes: 2, confusion: [1, 2, 3] }, /confusion of the report event to be classes x classes counts/],
      [
        { classes: 2, imageSide: 2, mistakes: [{ index: 0, truth: 0, predicted: 1, confidence: 1, pixels: 'AAA=' }] },
        /base64 pixels of 2 x 2 bytes/,
      ],
      [{ imageSide: 1e9 }, /imageSide of the report event to be an integer from 1 to 1024/],
      [{ regression: { truth: [1, 2], predicted: [1] } }, /two number lists of one length/],
    ];
    for (const [fields, message] of damaged) {
      writeFileSync(bad, start + JSON.stringify({ event: 'report', environment: {}, count: 1, ...fields }) + '\n');
      r = cli(['report', bad, '-o', join(dir, 'x.html')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/bad\.jsonl line 2: field "\w+": expected /);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('parts driven by optional event fields', () => {
  const start = {
    event: 'start',
    backend: 'js',
    isa: 'scalar',
    threads: 1,
    layers: [4, 8, 3],
    epochs: 3,
    batch: 16,
    lr: 0.1,
    seed: 0,
    trainImages: 90,
    testImages: 30,
    validationImages: 10,
    optimizer: 'adam',
    data: 'iris.csv',
  };
  const epochs = [1, 2, 3].map((epoch) => ({
    event: 'epoch',
    epoch,
    trainAccuracy: 0.6 + epoch / 10,
    loss: 1 / epoch,
    validationLoss: 1.1 / epoch,
    validationAccuracy: 0.55 + epoch / 10,
    lr: 0.1 / epoch,
    seconds: 0.01,
    imagesPerSecond: 9000,
    evalSeconds: 0.001,
  }));
  const environment = { version: '0.0.0', node: 'v20', platform: 'linux-x64', cpu: 'test', cores: 1 };

  it('draws validation curves, the lr schedule, the stop reason and every start field', async () => {
    const page = await trainingReportHtml([
      start,
      ...epochs,
      { event: 'stop', reason: 'early stopping', epoch: 3 },
      { event: 'test', testAccuracy: 0.9, testLoss: 0.3 },
    ] as LoggedEvent[]);
    expect(page).toMatch(/validation<\/text>/);
    expect(page).toContain('Learning rate');
    expect(page).toContain('Stopped: reason early stopping');
    expect(page).toContain('validation rows');
    expect(page).toContain('adam');
    expect(page).toContain('has no <code>report</code> event');
    expect(externalIn(page)).toBeUndefined();
  });

  it('draws predicted against true for regression and no mistakes grid for non-square features', async () => {
    const report = { event: 'report', environment, count: 4, regression: { truth: [1, 2, 3, 4], predicted: [1.1, 1.8, 3.3, 3.9] } };
    const page = await trainingReportHtml([start, ...epochs, { event: 'test', testRmse: 0.2 }, report] as LoggedEvent[]);
    expect(page).toContain('<section id="regression">');
    expect(page).toContain('test RMSE');
    expect(page).not.toContain('<section id="mistakes">');
    expect(page).not.toContain('<section id="confusion">');
  });

  it('bench: GFLOP/s per kernel and seconds per epoch (MNIST and dense, median and first) for every column', async () => {
    const col = (label: string, backend: string, threads: number, scale: number) => ({
      label,
      backend,
      threads,
      isa: 'x',
      sgemm: { 'u1 = X W1': 10 * scale, square: 50 * scale },
      stepMs: 1 / scale,
      mnistFirst: 3 / scale,
      mnistMedian: 2 / scale,
      denseFirst: 4 / scale,
      denseMedian: 3.5 / scale,
      epochsTimed: 4,
      denseGflops: 30 * scale,
      epochSeconds: 2 / scale,
      imagesPerSecond: 20000 * scale,
      ...(backend === 'native' ? { peakGflops: 100 } : {}),
    });
    const report: BenchReport = {
      machine: { cpu: 'Test CPU', cores: 2, node: 'v20', platform: 'linux-x64' },
      columns: [
        col('native 1T', 'native', 1, 2),
        col('wasm 1T', 'wasm', 1, 1),
        col('js 1T', 'js', 1, 0.5),
        col('numpy 2.0', 'numpy', 2, 1.5),
      ],
      eventLoop: { backend: 'native', p50Ms: 1, p99Ms: 2, maxMs: 3, epochSeconds: 1 },
      notes: ['a note'],
    };
    const page = await benchReportHtml(report);
    for (const id of ['machine', 'sgemm', 'epoch', 'peak', 'step', 'numbers']) expect(page).toContain(`<section id="${id}">`);
    for (const label of ['native 1T', 'wasm 1T', 'js 1T', 'numpy 2.0']) expect(page).toContain(`${label}</text>`);
    for (const kind of [
      'MNIST, median epoch',
      'dense MNIST, median epoch',
      'MNIST, first epoch',
      'dense MNIST, first epoch',
      'FMA peak (measured)',
    ]) {
      expect(page).toContain(`${kind}</text>`);
    }
    expect(page).toContain('note: a note');
    expect(externalIn(page)).toBeUndefined();
    // `report` takes bench --json output too.
    const json = join(dir, 'bench.json');
    writeFileSync(json, JSON.stringify(report) + '\n');
    const r = cli(['report', json, '-o', join(dir, 'bench.html')]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'bench.html'), 'utf8')).toBe(page);
  });
});

describe('report arithmetic', () => {
  it('precision, recall and F1 from a confusion matrix (rows true, columns predicted)', () => {
    // class 0: 3 right, 1 called 1; class 1: 2 right, 2 called 0; class 2: never predicted, 1 example.
    const s = classScores([3, 1, 0, 2, 2, 0, 1, 0, 0], 3);
    expect(s[0]).toEqual({ precision: 3 / 6, recall: 3 / 4, f1: (2 * 0.5 * 0.75) / 1.25, support: 4 });
    expect(s[1]).toEqual({ precision: 2 / 3, recall: 2 / 4, f1: (2 * (2 / 3) * 0.5) / (2 / 3 + 0.5), support: 4 });
    expect(s[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
  });

  it('keeps an even sample of at most 2000 regression points', () => {
    const truth = Float32Array.from({ length: 5000 }, (_, i) => i);
    const r = regressionPoints(
      truth,
      truth.map((v) => v + 0.5),
    );
    expect(r.truth).toHaveLength(1667);
    expect(r.truth.slice(0, 3)).toEqual([0, 3, 6]);
    expect(r.predicted[1]).toBe(3.5);
    expect(regressionPoints([1, 2], [1, 2])).toEqual({ truth: [1, 2], predicted: [1, 2] });
    expect(() => regressionPoints([1, 2], [1])).toThrow(/as many predictions as targets/);
  });

  it('finds square images', () => {
    expect([784, 64, 100, 4, 1, 3, 785].map(squareSide)).toEqual([28, 8, 10, 2, undefined, undefined, undefined]);
  });
});

describe('progress bar', () => {
  const p = { epoch: 3, batch: 200, batches: 469, rows: 25600, images: 25600 };

  it('never reaches the last column of any terminal width, and keeps elapsed time and ETA from 30 columns', () => {
    for (let columns = 2; columns <= 200; columns++) {
      const line = progressLine(p, 8, 75, 310, columns);
      expect(line.length, `${columns} columns: "${line}"`).toBeLessThan(columns);
      if (columns >= 30) expect(line).toContain('1:15 eta 5:10');
      if (columns >= 40) expect(line).toMatch(/\[#+\.+\]/);
    }
  });

  it('redraws in place on a 40-column terminal, clearing the line each time', () => {
    const writes: string[] = [];
    const bar = new ProgressBar({ write: (s: string) => writes.push(s), columns: 40 }, 2);
    for (let b = 1; b <= 10; b++) bar.update({ epoch: 1, batch: b, batches: 10, rows: b, images: b });
    for (const w of writes) {
      expect(w.startsWith('\r\x1b[2K')).toBe(true);
      expect(w.length - 5).toBeLessThan(40);
      expect(w).not.toContain('\n');
    }
    expect(writes[writes.length - 1]).toMatch(/100% \d+:\d\d eta \d+:\d\d$/);
  });

  it('formats clock times', () => {
    expect([0, 59.4, 61, 3600 + 62].map(clock)).toEqual(['0:00', '0:59', '1:01', '1:01:02']);
  });
});
