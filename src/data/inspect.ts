/**
 * What would be trained on, per column: its type, missing cells, distinct values or range, and
 * what becomes of it (the features it expands to, or why it is left out); for the target its
 * classes with counts, or its range. `native-mlp inspect` prints it; `train --json` puts it in
 * the start event.
 */
import { type Cell, categoryKey, parseDecimal } from './cells.js';
import { columnCell, type RawTable } from './csv.js';
import { encodedNames, featureCount, type Pipeline } from './pipeline.js';
import type { ColumnType, SchemaColumn } from './schema.js';

export interface ColumnSummary {
  column: string;
  type: ColumnType;
  missing: number;
  /** Distinct present values. */
  distinct: number;
  /** numeric, boolean, date (as ISO text) and a regression target: the range. */
  min?: number | string;
  max?: number | string;
  /** Encoded features the column becomes (0 when excluded, or for the target). */
  features: number;
  /** Their names (at most the first 20). */
  expandsTo?: string[];
  /** Why the column is left out. */
  excluded?: string;
  /** A classification target: each class and its rows. */
  classes?: { name: string; rows: number }[];
}

/** The summary of every column of `table` over `rows` (default all), with the fitted pipeline's features. */
export function describeColumns(table: RawTable, schema: readonly SchemaColumn[], p: Pipeline, rows?: readonly number[]): ColumnSummary[] {
  const index = rows ?? Array.from({ length: table.count }, (_, i) => i);
  const names = encodedNames(p);
  let offset = 0;
  const start = new Map<string, [number, number]>();
  for (const c of p.columns) {
    start.set(c.name, [offset, featureCount(c)]);
    offset += featureCount(c);
  }
  return schema.map((s, ci) => {
    const col = table.columns[ci];
    const cells: Cell[] = index.map((r) => columnCell(col, r));
    const present = cells.filter((c) => c !== null && c !== undefined) as (string | number)[];
    const keys = new Map<string, number>();
    for (const c of present) {
      const k = categoryKey(c, table.decimal);
      keys.set(k, (keys.get(k) ?? 0) + 1);
    }
    const out: ColumnSummary = { column: s.name, type: s.type, missing: cells.length - present.length, distinct: keys.size, features: 0 };
    const isNumber = s.type === 'numeric' || s.type === 'boolean' || (s.type === 'target' && p.target.task === 'regress');
    if (isNumber && s.type !== 'boolean' && present.length) {
      const v = present.map((c) => (typeof c === 'number' ? c : parseDecimal(c, table.decimal))).filter((x) => !Number.isNaN(x));
      out.min = v.reduce((a, b) => Math.min(a, b), Infinity);
      out.max = v.reduce((a, b) => Math.max(a, b), -Infinity);
    }
    if (s.type === 'date' && present.length) {
      const sorted = present.map(String).sort();
      out.min = sorted[0];
      out.max = sorted[sorted.length - 1];
    }
    if (s.type === 'target' && p.target.task === 'classify') {
      out.classes = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([name, n]) => ({ name, rows: n }));
    }
    const at = start.get(s.name);
    if (s.excluded) out.excluded = s.excluded;
    else if (at) {
      out.features = at[1];
      out.expandsTo = names.slice(at[0], at[0] + Math.min(at[1], 20));
    }
    return out;
  });
}
