/**
 * The fitted preprocessing of a table (docs/formats.md, metadata key `pipeline`): per raw column
 * its type and what was fitted on the training rows (fill values, missing indicators, category
 * lists, date parts), and `encodeRows`, the one transform from raw cells to the network's encoded
 * features. Standardisation of the encoded features is applied after it (standardize.ts), with the
 * model's feature_mean / feature_std. Training, predict, eval, predictRows and serve all encode
 * through here.
 */
import { type Cell, categoryKey, type DecimalMark, fitsF32, isMissing, parseBoolean, parseDate, parseDecimal, showCell } from './cells.js';
import { columnCell, type RawTable } from './csv.js';
import { DataError, type Task } from './dataset.js';
import type { SchemaColumn } from './schema.js';

export type Impute = 'median' | 'mean' | 'zero';
export const IMPUTE_CHOICES: readonly Impute[] = ['median', 'mean', 'zero'];
/** The default cap on categories per column (rarer values share an "other" slot). */
export const DEFAULT_MAX_CATEGORIES = 50;

export type DatePart = 'month' | 'dayofweek' | 'dayofyear' | 'hour';

export interface NumericColumn {
  name: string;
  type: 'numeric' | 'boolean';
  /** The value a missing cell becomes (null: a model read before pipelines existed, where a missing cell is an error). */
  fill: number | null;
  indicator: boolean;
}
export interface CategoricalColumn {
  name: string;
  type: 'categorical';
  categories: string[];
  other: boolean;
  missing: boolean;
}
export interface DateColumn {
  name: string;
  type: 'date';
  /** The cyclic parts, each encoded as a sin/cos pair after the year. */
  parts: DatePart[];
  /** One fill per encoded feature (year, then sin/cos pairs). */
  fill: number[];
  indicator: boolean;
}
export type PipelineColumn = NumericColumn | CategoricalColumn | DateColumn;

export interface Pipeline {
  version: 1;
  /** Spellings read as missing (the defaults plus --na). */
  missing: string[];
  columns: PipelineColumn[];
  excluded: { name: string; type: string; reason: string }[];
  target: { columns: string[]; task: Task };
}

export interface PipelineOptions {
  impute?: Impute;
  maxCategories?: number;
}

/** Which rows of a table (indices), read as cells of the encoder. */
export interface RowSource {
  count: number;
  /** A reader of one column's cells by row, or undefined when the rows have no such column. */
  column(name: string): ((row: number) => Cell) | undefined;
  /** "FILE: line N" or "row N", for messages. */
  where(row: number): string;
  /** The file or "rows", for messages about the whole source. */
  source: string;
  decimal: DecimalMark;
}

/** Rows `index` (default all) of a raw table as a RowSource. */
export function tableRows(table: RawTable, index?: ArrayLike<number>): RowSource {
  const at = (k: number) => (index ? index[k] : k);
  return {
    count: index ? index.length : table.count,
    column(name) {
      const col = table.columns.find((c) => c.name === name);
      return col && ((k) => columnCell(col, at(k)));
    },
    where: (k) => `${table.file}: line ${table.lines[at(k)]}`,
    source: table.file,
    decimal: table.decimal,
  };
}

const TWO_PI = 2 * Math.PI;
/** Each cyclic part as a fraction of its period, from a UTC date. */
const CYCLES: Record<DatePart, (d: Date) => number> = {
  month: (d) => d.getUTCMonth() / 12,
  dayofweek: (d) => d.getUTCDay() / 7,
  dayofyear: (d) => (Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000 / 366,
  hour: (d) => (d.getUTCHours() + d.getUTCMinutes() / 60) / 24,
};

/** The encoded date features of a time (ms since 1970 UTC): year, then sin/cos of each part. */
export function dateFeatures(ms: number, parts: readonly DatePart[]): number[] {
  const d = new Date(ms);
  const out = [d.getUTCFullYear()];
  for (const p of parts) {
    const a = TWO_PI * CYCLES[p](d);
    out.push(Math.sin(a), Math.cos(a));
  }
  return out;
}

/** How many encoded features a column expands to. */
export function featureCount(c: PipelineColumn): number {
  if (c.type === 'categorical') return c.categories.length + (c.other ? 1 : 0) + (c.missing ? 1 : 0);
  if (c.type === 'date') return 1 + 2 * c.parts.length + (c.indicator ? 1 : 0);
  return 1 + (c.indicator ? 1 : 0);
}

/** The encoded features' names, one per network input, in input order. */
export function encodedNames(p: Pipeline): string[] {
  const out: string[] = [];
  for (const c of p.columns) {
    if (c.type === 'categorical') {
      for (const k of c.categories) out.push(`${c.name}=${k}`);
      if (c.other) out.push(`${c.name} (other)`);
      if (c.missing) out.push(`${c.name} (missing)`);
      continue;
    }
    if (c.type === 'date') {
      out.push(`${c.name} year`);
      for (const p2 of c.parts) out.push(`${c.name} ${p2} sin`, `${c.name} ${p2} cos`);
    } else out.push(c.name);
    if (c.indicator) out.push(`${c.name} (missing)`);
  }
  return out;
}

/** The fill of a column's present values (`values` is reordered). */
function impute(values: Float64Array, how: Impute): number {
  if (how === 'zero' || values.length === 0) return 0;
  if (how === 'mean') {
    let sum = 0;
    for (const v of values) sum += v;
    return sum / values.length;
  }
  const h = values.length >> 1;
  let median = select(values, h);
  if (values.length % 2 === 0) {
    let lower = -Infinity; // the largest before position h (select leaves none there above values[h])
    for (let i = 0; i < h; i++) if (values[i] > lower) lower = values[i];
    median = (lower + median) / 2;
  }
  // -0 and 0 are one value to the selection: a zero median is 0 (a model file writes both as 0).
  return median === 0 ? 0 : median;
}

/**
 * The k-th smallest of `v` (0-based), as sorting would place it, reordering `v` so that no value
 * before k is larger and none after it smaller (Hoare's selection: linear time, where sorting
 * every column of a large table is not).
 */
function select(v: Float64Array, k: number): number {
  let lo = 0;
  let hi = v.length - 1;
  for (let round = 0; lo < hi; round++) {
    // Rows ordered against the middle pivot would take quadratic time: past this, sort what is left.
    if (round === 64) {
      v.subarray(lo, hi + 1).sort();
      break;
    }
    const pivot = v[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        const t = v[i];
        v[i++] = v[j];
        v[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return v[k];
}

/** Fits the pipeline of `schema`'s feature columns on `rows` (the training split). */
export function fitPipeline(
  rows: RowSource,
  schema: readonly SchemaColumn[],
  task: Task,
  missing: readonly string[],
  o: PipelineOptions = {},
): Pipeline {
  const how = o.impute ?? 'median';
  const cap = o.maxCategories ?? DEFAULT_MAX_CATEGORIES;
  const spellings = new Set(missing);
  const columns: PipelineColumn[] = [];
  const excluded: Pipeline['excluded'] = [];
  for (const s of schema) {
    if (s.type === 'target') continue;
    if (s.excluded) {
      excluded.push({ name: s.name, type: s.type, reason: s.excluded });
      continue;
    }
    const read = rows.column(s.name)!;
    if (s.type === 'numeric' || s.type === 'boolean') {
      // Read straight into numbers: a table's usual column, where a list of cells would cost most.
      const values = new Float64Array(rows.count);
      let n = 0;
      for (let i = 0; i < rows.count; i++) {
        const c = read(i);
        if (isMissing(c, spellings)) continue;
        values[n++] = s.type === 'boolean' ? parseBoolean(c) : typeof c === 'number' ? c : parseDecimal(String(c), rows.decimal);
      }
      columns.push({ name: s.name, type: s.type, fill: impute(values.subarray(0, n), how), indicator: n < rows.count });
      continue;
    }
    const present: Cell[] = [];
    let absent = 0;
    for (let i = 0; i < rows.count; i++) {
      const c = read(i);
      if (isMissing(c, spellings)) absent++;
      else present.push(c);
    }
    if (s.type === 'categorical') {
      const counts = new Map<string, number>();
      for (const c of present) {
        const k = categoryKey(c as string | number | boolean, rows.decimal);
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      // The most frequent `cap` values (ties by name) keep a slot; the rest share "other".
      const byCount = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const kept = byCount
        .slice(0, cap)
        .map(([k]) => k)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      columns.push({ name: s.name, type: 'categorical', categories: kept, other: counts.size > cap, missing: absent > 0 });
    } else if (s.type === 'date') {
      const ms = present.map((c) => parseDate(String(c)));
      // The cyclic parts that vary in training (yearly dates on 1 January carry only the year and weekday).
      const parts = (['month', 'dayofweek', 'dayofyear', 'hour'] as const).filter(
        (p) => new Set(ms.map((t) => dateFeatures(t, [p])[1])).size > 1,
      );
      const feats = ms.map((t) => dateFeatures(t, parts));
      const fill = Array.from({ length: 1 + 2 * parts.length }, (_, j) =>
        impute(
          Float64Array.from(feats, (f) => f[j]),
          how,
        ),
      );
      columns.push({ name: s.name, type: 'date', parts, fill, indicator: absent > 0 });
    }
  }
  const target = schema.filter((s) => s.type === 'target').map((s) => s.name);
  return { version: 1, missing: [...missing], columns, excluded, target: { columns: target, task } };
}

/** What encoding met that training had not: categories per column encoded as all zero. */
export interface EncodeReport {
  unseen: Map<string, { rows: number; examples: string[] }>;
}

/**
 * The encoded features of `rows` (count x features float32, row-major, before standardisation).
 * Missing cells are filled as fitted; a category not seen in training goes to "other" or encodes
 * as all zero (counted in the report); anything else that cannot be read is a DataError naming
 * the row, column and value.
 */
export function encodeRows(p: Pipeline, rows: RowSource): { inputs: Float32Array; report: EncodeReport } {
  const width = p.columns.reduce((n, c) => n + featureCount(c), 0);
  const out = new Float32Array(rows.count * width);
  const spellings = new Set(p.missing);
  const report: EncodeReport = { unseen: new Map() };
  let offset = 0;
  for (const c of p.columns) {
    const read = rows.column(c.name);
    if (!read)
      throw new DataError(
        `${rows.source}: no column "${c.name}", which the model needs (it was trained on ${p.columns.map((x) => JSON.stringify(x.name)).join(', ')})`,
      );
    const bad = (i: number, cell: Cell, what: string): never => {
      throw new DataError(`${rows.where(i)}, column "${c.name}": ${showCell(cell)} is not ${what}`);
    };
    for (let i = 0; i < rows.count; i++) {
      const cell = read(i);
      const at = i * width + offset;
      const absent = isMissing(cell, spellings);
      if (c.type === 'categorical') {
        if (absent) {
          if (c.missing) out[at + c.categories.length + (c.other ? 1 : 0)] = 1;
          continue;
        }
        if (typeof cell === 'object') bad(i, cell, 'a category');
        const k = c.categories.indexOf(categoryKey(cell as string | number | boolean, rows.decimal));
        if (k >= 0) out[at + k] = 1;
        else if (c.other) out[at + c.categories.length] = 1;
        else {
          const u = report.unseen.get(c.name) ?? { rows: 0, examples: [] };
          u.rows++;
          const key = categoryKey(cell as string | number | boolean, rows.decimal);
          if (u.examples.length < 3 && !u.examples.includes(key)) u.examples.push(key);
          report.unseen.set(c.name, u);
        }
        continue;
      }
      let values: number[];
      if (absent) {
        if (c.fill === null)
          throw new DataError(
            `${rows.where(i)}, column "${c.name}": missing value; this model was trained without missing values, so every feature needs a number`,
          );
        values = typeof c.fill === 'number' ? [c.fill] : c.fill;
      } else if (c.type === 'date') {
        const ms =
          (cell as unknown) instanceof Date ? (cell as unknown as Date).getTime() : typeof cell === 'string' ? parseDate(cell) : NaN;
        if (Number.isNaN(ms)) bad(i, cell, 'an ISO 8601 date (e.g. 2024-03-01 or 2024-03-01T12:30:00Z)');
        values = dateFeatures(ms, c.parts);
      } else if (c.type === 'boolean') {
        const v = parseBoolean(cell);
        if (Number.isNaN(v)) bad(i, cell, 'a boolean (true/false, yes/no, 1/0)');
        values = [v];
      } else {
        const v = typeof cell === 'number' ? cell : typeof cell === 'string' ? parseDecimal(cell.trim(), rows.decimal) : NaN;
        if (!Number.isFinite(v))
          bad(
            i,
            cell,
            `a decimal number${typeof cell === 'string' && rows.decimal === '.' && /^[+-]?\d+,\d+$/.test(cell) ? ' (for decimal commas pass --decimal ,)' : ''}`,
          );
        if (!fitsF32(v)) bad(i, cell, 'within the float32 range (about 3.4e38)');
        values = [v];
      }
      for (let j = 0; j < values.length; j++) out[at + j] = values[j];
      if (c.indicator) out[at + values.length] = absent ? 1 : 0;
    }
    offset += featureCount(c);
  }
  return { inputs: out, report };
}

/** One line per column with unseen categories, for a warning. */
export function unseenWarnings(report: EncodeReport): string[] {
  return [...report.unseen].map(
    ([name, u]) =>
      `column "${name}": ${u.rows} row${u.rows === 1 ? '' : 's'} had a category not seen in training (${u.examples.map((e) => JSON.stringify(e)).join(', ')}${u.rows > u.examples.length ? ', ...' : ''}), encoded as all zero`,
  );
}

/** The pipeline of a model trained before pipelines existed: every feature a numeric column, no missing values. */
export function numericPipeline(featureNames: readonly string[], task: Task): Pipeline {
  return {
    version: 1,
    missing: [],
    excluded: [],
    target: { columns: [], task },
    columns: featureNames.map((name) => ({ name, type: 'numeric', fill: null, indicator: false })),
  };
}
