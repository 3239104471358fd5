/**
 * The bench report: GFLOP/s per sgemm shape and seconds per epoch for every backend and thread
 * count (NumPy included when it ran), as bar charts, with the full table of numbers below.
 * Columns are read from the report object, so every backend the bench ran (wasm included) appears.
 */
import type { BenchReport, Column } from '../bench/run.js';
import { formatReport } from '../bench/format.js';
import { bars, groupedBars, renderSvg, type Row } from './charts.js';
import { figure, keyValues, page, section } from './html.js';
import type { ReportLibs } from './libs.js';
import { html } from './markup.js';

/** The epoch timings the bench reports, in the order drawn: medians first (the steady state), then first epochs. */
const EPOCH_SERIES: Array<[keyof Column, string]> = [
  ['mnistMedian', 'MNIST, median epoch'],
  ['denseMedian', 'dense MNIST, median epoch'],
  ['mnistFirst', 'MNIST, first epoch'],
  ['denseFirst', 'dense MNIST, first epoch'],
];

/** Rows { kind, column, seconds } of every epoch timing present; epochSeconds stands in for a report without medians. */
function epochRows(columns: Column[]): Row[] {
  const hasMedians = columns.some((c) => c.mnistMedian !== undefined);
  const series: Array<[keyof Column, string]> = hasMedians ? EPOCH_SERIES : [['epochSeconds', 'MNIST epoch']];
  return series.flatMap(([field, kind]) =>
    columns.flatMap((c) => {
      const v = c[field];
      return typeof v === 'number' && Number.isFinite(v) ? [{ kind, column: c.label, seconds: v }] : [];
    }),
  );
}

/** Dense products' rate against the measured FMA peak, per column, when the bench measured them. */
function gflopRows(columns: Column[]): Row[] {
  const out: Row[] = [];
  for (const c of columns) {
    if (c.denseGflops !== undefined) out.push({ kind: 'dense epoch', column: c.label, 'GFLOP/s': c.denseGflops });
    if (c.peakGflops !== undefined) out.push({ kind: 'FMA peak (measured)', column: c.label, 'GFLOP/s': c.peakGflops });
  }
  return out;
}

export async function renderBenchReport(libs: ReportLibs, r: BenchReport): Promise<string> {
  const gflops: Row[] = [];
  for (const c of r.columns) {
    for (const [trial, v] of Object.entries(c.sgemm ?? {})) {
      if (Number.isFinite(v)) gflops.push({ kernel: trial.replace(/\s+/g, ' '), column: c.label, 'GFLOP/s': v });
    }
  }
  const epochs = epochRows(r.columns);
  const rates = gflopRows(r.columns);
  const steps: Row[] = r.columns.filter((c) => c.stepMs !== undefined).map((c) => ({ column: c.label, ms: c.stepMs! }));
  const m = r.machine;
  const sections = [
    section(
      'machine',
      'Machine and backends',
      keyValues([
        ['CPU', `${m.cpu} (${m.cores} cores)`],
        ['platform', m.platform],
        ['Node', m.node],
        ...r.columns.map((c): [string, unknown] => [c.label, `${c.backend}, ${c.isa}, ${c.threads} thread${c.threads === 1 ? '' : 's'}`]),
      ]),
    ),
    gflops.length
      ? section(
          'sgemm',
          'sgemm GFLOP/s per kernel shape',
          figure(await renderSvg(libs, groupedBars('', gflops, 'kernel', 'column', 'GFLOP/s', 'GFLOP/s (higher is better)'))),
          'Each kernel verified against a float64 reference before it was timed.',
        )
      : '',
    epochs.length
      ? section(
          'epoch',
          'Seconds per epoch (60,000 MNIST images)',
          figure(await renderSvg(libs, groupedBars('', epochs, 'kind', 'column', 'seconds', 'seconds (lower is better)'))),
          'MNIST as it is (mostly zero pixels: backends with a sparse-input path use it) and dense MNIST (zeros replaced by 1).',
        )
      : '',
    rates.length
      ? section(
          'peak',
          'Dense epoch GFLOP/s against the FMA peak',
          figure(await renderSvg(libs, groupedBars('', rates, 'kind', 'column', 'GFLOP/s', 'GFLOP/s (higher is better)'))),
        )
      : '',
    steps.length
      ? section(
          'step',
          'One training step (batch 128)',
          figure(await renderSvg(libs, bars('', steps, 'column', 'ms', 'ms (lower is better)'))),
        )
      : '',
    section('numbers', 'All numbers and notes', html`<pre>${formatReport(r)}</pre>`),
  ];
  const subtitle = `${m.cpu}, ${m.cores} cores, ${m.platform}, Node ${m.node} · ${r.columns.map((c) => c.label).join(', ')}`;
  return page('native-mlp benchmark report', subtitle, sections).toString();
}
