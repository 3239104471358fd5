/** The bench report as a text table: one column per backend, then speed-ups of the best native. */
import type { BenchReport, Column } from './run.js';
import { formatTable } from './table.js';
import { SGEMM_TRIALS } from './trials.js';

interface Row {
  name: string;
  get: (c: Column) => number | undefined;
  digits: number;
  /** true when a larger value is better (rates), false for times and memory. */
  higherIsBetter: boolean;
}

const ROWS: Row[] = [
  ...SGEMM_TRIALS.map((t): Row => ({ name: `sgemm GFLOP/s ${t.name}`, get: (c) => c.sgemm[t.name], digits: 1, higherIsBetter: true })),
  { name: 'training step (batch 128), ms', get: (c) => c.stepMs, digits: 3, higherIsBetter: false },
  { name: 'MNIST epoch 1, s', get: (c) => c.mnistFirst, digits: 3, higherIsBetter: false },
  { name: 'MNIST epoch, median of 2..N, s', get: (c) => c.mnistMedian, digits: 3, higherIsBetter: false },
  { name: 'MNIST epoch 1 / median', get: (c) => ratioOf(c.mnistFirst, c.mnistMedian), digits: 2, higherIsBetter: false },
  { name: 'dense MNIST epoch 1, s', get: (c) => c.denseFirst, digits: 3, higherIsBetter: false },
  { name: 'dense MNIST epoch, median of 2..N, s', get: (c) => c.denseMedian, digits: 3, higherIsBetter: false },
  { name: 'dense MNIST epoch 1 / median', get: (c) => ratioOf(c.denseFirst, c.denseMedian), digits: 2, higherIsBetter: false },
  { name: 'dense epoch GFLOP/s', get: (c) => c.denseGflops, digits: 1, higherIsBetter: true },
  { name: 'FMA peak GFLOP/s (measured)', get: (c) => c.peakGflops, digits: 1, higherIsBetter: true },
  { name: 'dense epoch, % of FMA peak', get: (c) => c.densePercentOfPeak, digits: 1, higherIsBetter: true },
  { name: 'MNIST images/s (median epoch)', get: (c) => c.imagesPerSecond, digits: 0, higherIsBetter: true },
  { name: 'peak RSS of train, MB', get: (c) => c.peakRssMB, digits: 0, higherIsBetter: false },
  { name: 'command start to first batch, s', get: (c) => c.firstBatchSeconds, digits: 3, higherIsBetter: false },
];

const ratioOf = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a / b);

const fmt = (v: number | undefined, digits: number) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));

/** Speed-up of a over b (> 1 means a is better). */
function ratio(row: Row, a: Column | undefined, b: Column | undefined): string {
  const x = a && row.get(a);
  const y = b && row.get(b);
  if (!x || !y) return '-';
  return `${(row.higherIsBetter ? x / y : y / x).toFixed(2)}x`;
}

export function formatReport(r: BenchReport): string {
  const natives = r.columns.filter((c) => c.backend === 'native');
  const best = natives[natives.length - 1];
  const js = r.columns.find((c) => c.backend === 'js'); // the 1-thread column
  const numpy = r.columns.find((c) => c.backend === 'numpy');
  const header = ['', ...r.columns.map((c) => c.label), 'native/js', 'native/numpy'];
  const lines = ROWS.map((row) => [
    row.name,
    ...r.columns.map((c) => fmt(row.get(c), row.digits)),
    ratio(row, best, js),
    ratio(row, best, numpy),
  ]);
  const table = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...table.map((l) => l[i].length)));
  const text = table.map((l) => l.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  const m = r.machine;
  const isas = [...new Set(r.columns.map((c) => `${c.label}: ${c.isa}`))].join(', ');
  return [
    `machine: ${m.cpu}, ${m.cores} cores, ${m.platform}, Node ${m.node}`,
    `kernels: ${isas}`,
    `ratios compare the last native column (${best?.label ?? 'none'}); times and memory as speed-ups (higher is better)`,
    '',
    ...text,
    '',
    `event loop of the calling thread while one epoch trains in a worker (${r.eventLoop.backend}, ` +
      `${r.eventLoop.epochSeconds.toFixed(2)} s): p50 ${r.eventLoop.p50Ms.toFixed(1)} ms, ` +
      `p99 ${r.eventLoop.p99Ms.toFixed(1)} ms, max ${r.eventLoop.maxMs.toFixed(1)} ms`,
    `epochs: N = ${[...new Set(r.columns.map((c) => `${c.epochsTimed ?? '-'} (${c.label})`))].join(', ')}; ` +
      'dense MNIST replaces every zero pixel by 1, so the first layer has no zeros to skip',
    ...(r.table?.length ? ['', ...formatTable(r.table)] : []),
    ...r.notes.map((n) => `note: ${n}`),
  ].join('\n');
}
