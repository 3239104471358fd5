/** Report parts driven by optional event fields render when the fields are there; bench reports too. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchReport } from '../src/bench/run.js';
import { benchReportHtml, trainingReportHtml, type LoggedEvent } from '../src/report/index.js';
import { cli, externalIn, scratchDir } from './helpers/report.js';

const dir = scratchDir('report-fields');

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
