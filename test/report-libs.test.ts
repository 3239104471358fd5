/**
 * The report's packages: vega and vega-lite load from their single-file builds (report/libs.ts),
 * and those draw the charts exactly as the packages' module entries do.
 */
import { describe, expect, it } from 'vitest';
import { confusionHeatmap, epochLines, predictedVsTrue, renderSvg } from '../src/report/charts.js';
import { loadReportLibs, type ReportLibs } from '../src/report/libs.js';

describe('report packages', () => {
  it('draws the same SVG from the single-file builds as from the module entries', async () => {
    const bundled = await loadReportLibs();
    const modules: ReportLibs = { vega: await import('vega'), vegaLite: await import('vega-lite'), fastPng: bundled.fastPng };
    // The builds were taken (a module namespace is what import() gives), and they are the same release.
    expect(Object.prototype.toString.call(bundled.vega)).not.toBe('[object Module]');
    expect(Object.prototype.toString.call(bundled.vegaLite)).not.toBe('[object Module]');
    expect([bundled.vega.version, bundled.vegaLite.version]).toEqual([modules.vega.version, modules.vegaLite.version]);
    const epochs = [1, 2, 3, 4].flatMap((epoch) => [
      { epoch, series: 'training', value: 1 / epoch },
      { epoch, series: 'validation', value: 1.2 / epoch },
    ]);
    const names = ['setosa', 'versicolor', 'virginica'];
    const cells = names.flatMap((t, i) =>
      names.map((p, j) => ({ true: t, predicted: p, count: i === j ? 9 : 1, share: i === j ? 0.8 : 0.1 })),
    );
    const points = [0.5, 1.5, 2.5].map((v, i) => ({ true: v, predicted: v + 0.1 * i }));
    for (const spec of [
      epochLines('loss', epochs, 'loss', { log: true, mark: { epoch: 3, label: 'kept' } }),
      confusionHeatmap(cells, names),
      predictedVsTrue(points, 0, 3),
    ]) {
      const a = (await renderSvg(bundled, spec)).toString();
      expect(a).toMatch(/^<svg/);
      expect(a).toBe((await renderSvg(modules, spec)).toString());
    }
  });
});
