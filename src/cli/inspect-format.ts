/** `native-mlp inspect` as text: one line per column, what it is and what becomes of it. */
import type { ColumnSummary } from '../data/inspect.js';
import { escapeText, fmt as fmtNonZero } from './print.js';

const fmt = (v: number) => (v === 0 ? '0' : fmtNonZero(v));

function values(c: ColumnSummary): string {
  if (c.classes) {
    const shown = c.classes
      .slice(0, 8)
      .map((k) => `${k.name} ${k.rows}`)
      .join(', ');
    return c.classes.length > 8 ? `${shown}, ... (${c.classes.length} classes)` : shown;
  }
  if (c.min !== undefined && c.max !== undefined)
    return typeof c.min === 'number' ? `${fmt(c.min)} .. ${fmt(c.max as number)}` : `${c.min} .. ${c.max}`;
  return '';
}

function becomes(c: ColumnSummary): string {
  if (c.type === 'target') return 'target';
  if (c.excluded) return `excluded: ${c.excluded}`;
  const names = c.expandsTo ?? [];
  const shown = names.slice(0, 4).join(', ') + (c.features > 4 ? ', ...' : '');
  return `${c.features} feature${c.features === 1 ? '' : 's'} (${shown})`;
}

/** The columns as a table, with a first line saying the file, rows and the network's inputs. */
export function formatInspect(file: string, rows: number, delimiter: string, columns: readonly ColumnSummary[]): string {
  const features = columns.reduce((n, c) => n + c.features, 0);
  const d = delimiter === '\t' ? 'tab' : delimiter;
  const head = ['column', 'type', 'missing', 'distinct', 'values', 'becomes'];
  // Names come from the file: escaped, so a name cannot split a line or send escape sequences.
  const body = columns.map((c) =>
    [c.column, c.type, String(c.missing), String(c.distinct), values(c), becomes(c)].map((v) => escapeText(v, false)),
  );
  const width = head.map((h, j) => Math.min(j === 4 ? 40 : 30, Math.max(h.length, ...body.map((r) => r[j].length))));
  const cut = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 3)}...` : s);
  const line = (r: string[]) => r.map((v, j) => (j === r.length - 1 ? v : cut(v, width[j]).padEnd(width[j]))).join('  ');
  return [
    `${escapeText(file, false)}: ${rows} rows, ${columns.length} columns (delimiter ${d}) -> ${features} input features`,
    line(head),
    ...body.map(line),
  ].join('\n');
}
