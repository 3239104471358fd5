/**
 * The bench report: GFLOP/s per sgemm shape and seconds per epoch for every backend and thread
 * count (NumPy included when it ran), as bar charts, with the full table of numbers below.
 * Columns and epoch fields are read from the report object, so new backends (wasm) or new epoch
 * measurements (any `...EpochSeconds` field) appear without changes here.
 */
import type { BenchReport, Column } from '../bench/run.js';
import { formatReport } from '../bench/format.js';
import { bars, groupedBars, renderSvg, type Row } from './charts.js';
import { esc, figure, keyValues, page, section } from './html.js';
import type { ReportLibs } from './libs.js';

/** Numeric fields of a column that time an epoch: epochSeconds, and e.g. denseEpochSeconds / sparseEpochSeconds. */
function epochFields(columns: Column[]): string[] {
  const keys = new Set<string>();
  for (const c of columns) for (const [k, v] of Object.entries(c)) if (/epochSeconds$/i.test(k) && typeof v === 'number') keys.add(k);
  return [...keys];
}

const epochName = (k: string) => (k === 'epochSeconds' ? 'epoch' : k.replace(/EpochSeconds$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() + ' epoch');

export async function renderBenchReport(libs: ReportLibs, r: BenchReport): Promise<string> {
  const gflops: Row[] = [];
  for (const c of r.columns) {
    for (const [trial, v] of Object.entries(c.sgemm ?? {})) {
      if (Number.isFinite(v)) gflops.push({ kernel: trial.replace(/\s+/g, ' '), column: c.label, 'GFLOP/s': v });
    }
  }
  const fields = epochFields(r.columns);
  const epochs: Row[] = r.columns.flatMap((c) =>
    fields.flatMap((k) => {
      const v = (c as unknown as Record<string, unknown>)[k];
      return typeof v === 'number' && Number.isFinite(v) ? [{ kind: epochName(k), column: c.label, seconds: v }] : [];
    }),
  );
  const steps: Row[] = r.columns.filter((c) => c.stepMs !== undefined).map((c) => ({ column: c.label, ms: c.stepMs! }));
  const m = r.machine;
  const sections = [
    section('machine', 'Machine and backends', keyValues([
      ['CPU', `${m.cpu} (${m.cores} cores)`], ['platform', m.platform], ['Node', m.node],
      ...r.columns.map((c): [string, unknown] => [c.label, `${c.backend}, ${c.isa}, ${c.threads} thread${c.threads === 1 ? '' : 's'}`]),
    ])),
    gflops.length
      ? section('sgemm', 'sgemm GFLOP/s per kernel shape', figure(await renderSvg(libs, groupedBars('', gflops, 'kernel', 'column', 'GFLOP/s', 'GFLOP/s (higher is better)'))),
        'Each kernel verified against a float64 reference before it was timed.')
      : '',
    epochs.length
      ? section('epoch', 'Seconds per epoch (60,000 MNIST images)', figure(await renderSvg(libs, groupedBars('', epochs, 'kind', 'column', 'seconds', 'seconds (lower is better)'))))
      : '',
    steps.length ? section('step', 'One training step (batch 128)', figure(await renderSvg(libs, bars('', steps, 'column', 'ms', 'ms (lower is better)')))) : '',
    section('numbers', 'All numbers and notes', `<pre>${esc(formatReport(r))}</pre>`),
  ];
  const subtitle = `${esc(m.cpu)}, ${m.cores} cores, ${esc(m.platform)}, Node ${esc(m.node)} &middot; ${r.columns.map((c) => esc(c.label)).join(', ')}`;
  return page('native-mlp benchmark report', subtitle, sections);
}
