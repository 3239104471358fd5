/**
 * What would be trained on, per column: its type, missing cells, distinct values or range, and
 * what becomes of it (the features it expands to, or why it is left out); for the target its
 * classes with counts, or its range. `native-mlp inspect` prints it; `train --json` puts it in
 * the start event.
 */
import { categoryKey, type DecimalMark, parseDecimal } from './cells.js';
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

interface CellStats {
  missing: number;
  /** Distinct present values. */
  distinct: number;
  /** Each distinct present value (its categoryKey) and its rows (a column of numbers: only when asked). */
  keys?: Map<string, number>;
  /** The range of the values that read as numbers. */
  min: number;
  max: number;
}

/**
 * A column of numbers and missing cells: counted as numbers, sorted (a table's usual column; no
 * text per cell). The keys, one string per distinct value, only for a target's classes.
 */
function numberStats(numbers: Float64Array, index: readonly number[], withKeys: boolean): CellStats {
  const present = new Float64Array(index.length);
  let n = 0;
  for (const r of index) if (!Number.isNaN(numbers[r])) present[n++] = numbers[r];
  const sorted = present.subarray(0, n).sort();
  const keys = withKeys ? new Map<string, number>() : undefined;
  let distinct = 0;
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++; // -0 and 0 are one value, as String() names them alike
    keys?.set(categoryKey(sorted[i]), j - i);
    distinct++;
    i = j;
  }
  return { missing: index.length - n, distinct, keys, min: n ? sorted[0] : Infinity, max: n ? sorted[n - 1] : -Infinity };
}

function textStats(texts: readonly (string | null)[], index: readonly number[], decimal: DecimalMark): CellStats {
  const keys = new Map<string, number>();
  let missing = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const r of index) {
    const c = texts[r];
    if (c === null || c === undefined) {
      missing++;
      continue;
    }
    const k = categoryKey(c, decimal);
    keys.set(k, (keys.get(k) ?? 0) + 1);
    const v = parseDecimal(c, decimal);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { missing, distinct: keys.size, keys, min, max };
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
    const classes = s.type === 'target' && p.target.task === 'classify';
    const { missing, distinct, keys, min, max } = col.texts
      ? textStats(col.texts, index, table.decimal)
      : numberStats(col.numbers, index, classes);
    const out: ColumnSummary = { column: s.name, type: s.type, missing, distinct, features: 0 };
    const isNumber = s.type === 'numeric' || s.type === 'boolean' || (s.type === 'target' && p.target.task === 'regress');
    if (isNumber && s.type !== 'boolean' && missing < index.length) {
      out.min = min;
      out.max = max;
    }
    if (s.type === 'date' && missing < index.length) {
      const sorted = index
        .map((r) => columnCell(col, r))
        .filter((c) => c !== null && c !== undefined)
        .map(String)
        .sort();
      out.min = sorted[0];
      out.max = sorted[sorted.length - 1];
    }
    if (classes) {
      out.classes = [...keys!].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([name, n]) => ({ name, rows: n }));
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
