/**
 * The bench's tabular rows: the synthetic table of scripts/gen-table.mjs (48,000 training rows x
 * 50 float features, two classes), `--hidden 256,128 --batch 32`, per epoch, for each optimizer:
 * native-mlp through its CLI (a fresh `native-mlp train` process, what users run), and, when
 * importable, PyTorch's eager loop and scikit-learn's MLPClassifier (src/bench/table_peers.py,
 * one partial_fit per epoch). The table is written to a temporary folder once per bench run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliEpochs } from './cli-epochs.js';

export interface TableRow {
  /** "native-mlp native 2T", "torch 2.13.0+cpu", "scikit-learn 1.2.1". */
  runner: string;
  /** sgd, adam, adamw or "adam + L2". */
  optimizer: string;
  /** Seconds of each epoch. */
  epochs: number[];
}

/** The optimizers timed, with their flags: plain SGD at the notebook's lr, Adam at PyTorch's default lr. */
export const TABLE_OPTIMIZERS: ReadonlyArray<{ name: string; flags: string[]; peers: boolean }> = [
  { name: 'sgd', flags: ['--optimizer', 'sgd', '--lr', '0.1'], peers: true },
  { name: 'adam', flags: ['--optimizer', 'adam', '--lr', '0.001'], peers: true },
  { name: 'adamw', flags: ['--optimizer', 'adamw', '--lr', '0.001', '--weight-decay', '1e-4'], peers: false },
  { name: 'adam + L2', flags: ['--optimizer', 'adam', '--lr', '0.001', '--weight-decay', '1e-4'], peers: false },
];

const root = (rel: string) => fileURLToPath(new URL(`../../${rel}`, import.meta.url));

/** Python interpreters to try for a peer, in order (the first that can import it runs it). */
const PYTHONS = ['python3', '/usr/bin/python3'];

function peerRun(peer: 'torch' | 'sklearn', csv: string, optimizer: string, epochs: number, threads: number): TableRow | string {
  for (const py of PYTHONS) {
    const r = spawnSync(
      py,
      [root('src/bench/table_peers.py'), peer, csv, '--optimizer', optimizer, '--epochs', String(epochs), '--threads', String(threads)],
      { encoding: 'utf8', timeout: 1_800_000 },
    );
    if (r.error || r.status === 3) continue; // no such interpreter, or the peer is not importable there
    if (r.status !== 0) return `${peer} on the table failed: ${r.stderr.trim().split('\n').pop()}`;
    const out = JSON.parse(r.stdout) as { peer: string; epochs: number[] };
    return { runner: out.peer, optimizer, epochs: out.epochs };
  }
  return `${peer} is not importable by ${PYTHONS.join(' or ')}; its table rows are left out`;
}

/** Every tabular row, native-mlp first; notes say which peers could not run. */
export function tableBench(
  backend: string,
  threads: number,
  epochs: number,
  peers: boolean,
  say: (line: string) => void,
): { rows: TableRow[]; notes: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'native-mlp-table-'));
  const rows: TableRow[] = [];
  const notes: string[] = [];
  try {
    const gen = spawnSync(process.execPath, [root('scripts/gen-table.mjs'), dir], { encoding: 'utf8' });
    if (gen.status !== 0) return { rows, notes: [`table generator failed: ${gen.stderr.trim().split('\n').pop()}`] };
    const train = join(dir, 'table-train.csv');
    const base = [
      '--data',
      train,
      '--target',
      'y',
      '--test',
      join(dir, 'table-test.csv'),
      '--hidden',
      '256,128',
      '--batch',
      '32',
      '--epochs',
      String(epochs),
      '--backend',
      backend,
      '--threads',
      String(threads),
    ];
    for (const o of TABLE_OPTIMIZERS) {
      const r = cliEpochs([...base, ...o.flags]);
      rows.push({ runner: `native-mlp ${backend} ${threads}T`, optimizer: o.name, epochs: r.seconds });
      say(`table, native-mlp ${o.name}: ${r.seconds.map((s) => s.toFixed(3)).join(' ')} s`);
    }
    if (peers) {
      for (const peer of ['torch', 'sklearn'] as const) {
        for (const o of TABLE_OPTIMIZERS.filter((x) => x.peers)) {
          const r = peerRun(peer, train, o.name, epochs, threads);
          if (typeof r === 'string') {
            notes.push(r);
            break;
          }
          rows.push(r);
          say(`table, ${r.runner} ${o.name}: ${r.epochs.map((s) => s.toFixed(3)).join(' ')} s`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows, notes };
}

/** The rows as text: epoch 1, the median of the later epochs, and each against native-mlp's SGD. */
export function formatTable(rows: readonly TableRow[]): string[] {
  if (rows.length === 0) return [];
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const later = (r: TableRow) => median(r.epochs.length > 1 ? r.epochs.slice(1) : r.epochs);
  const sgd = rows.find((r) => r.runner.startsWith('native-mlp') && r.optimizer === 'sgd');
  const lines = [['runner', 'optimizer', 'epoch 1, s', 'median 2..N, s', 'slowest 2..N / fastest', 'vs native-mlp sgd']];
  for (const r of rows) {
    const rest = r.epochs.slice(1);
    lines.push([
      r.runner,
      r.optimizer,
      r.epochs[0]?.toFixed(3) ?? '-',
      later(r).toFixed(3),
      rest.length ? (Math.max(...rest) / Math.min(...r.epochs)).toFixed(2) : '-',
      sgd ? `${(later(r) / later(sgd)).toFixed(2)}x` : '-',
    ]);
  }
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  return [
    'table: 48,000 rows x 50 features, --hidden 256,128 --batch 32 (scripts/gen-table.mjs); sklearn: one partial_fit per epoch',
    ...lines.map((l) => l.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')),
  ];
}
