/**
 * Column types of a table, inferred from its cells and overridable by flags: numeric, categorical,
 * boolean, date, id (unique per row: excluded), constant (excluded), target. Types describe the
 * table, so they are read from every row; what a column is fitted to (fill values, categories)
 * comes from the training rows only (pipeline.ts).
 */
import { categoryKey, parseBoolean, parseDate, showCell } from './cells.js';
import { columnCell, type RawColumn, type RawTable, resolveNames } from './csv.js';
import { DataError } from './dataset.js';

export type ColumnType = 'numeric' | 'categorical' | 'boolean' | 'date' | 'id' | 'constant' | 'target';

/** How the columns of a table are chosen and typed (the CLI's --features, --ignore, --categorical ...). */
export interface SchemaOptions {
  /** Target columns (several for multi-output regression). */
  target?: readonly string[];
  /** Feature columns (default: every column but the target). */
  features?: readonly string[];
  ignore?: readonly string[];
  categorical?: readonly string[];
  numeric?: readonly string[];
  date?: readonly string[];
  /** The column of per-row sample weights: read as weights, never a feature (as the target). */
  weightColumn?: string;
}

export interface SchemaColumn {
  name: string;
  type: ColumnType;
  /** Why an id, constant, ignored or unselected column is left out. */
  excluded?: string;
}

/** Why the weight column is not a feature (inspect shows it; no warning is raised for it). */
export const WEIGHT_COLUMN = 'sample weights (--weight-column)';

/** Text columns with more distinct values than this share of their rows are ids (free text, names, keys). */
const ID_TEXT_SHARE = 0.5;
/** Rows a column needs before it can be judged an id (tiny tables are all distinct by chance). */
const ID_MIN_ROWS = 20;
const ID_NAME = /(^|[^a-z])(id|index|idx|key|row|rownum|row_number)$/i;

/** The type of every column of `table`, in header order; DataError for a flag naming no column or a cell that breaks a forced type. */
export function inferSchema(table: RawTable, o: SchemaOptions = {}): SchemaColumn[] {
  const names = (given: readonly string[] | undefined, flag: string) =>
    new Set(given ? resolveNames(table.file, table.header, given, flag) : []);
  const target = names(o.target, '--target');
  const features = o.features ? names(o.features, '--features') : undefined;
  const ignore = names(o.ignore, '--ignore');
  const forced = new Map<string, ColumnType>();
  for (const [flag, list, type] of [
    ['--categorical', o.categorical, 'categorical'],
    ['--numeric', o.numeric, 'numeric'],
    ['--date', o.date, 'date'],
  ] as const) {
    for (const n of names(list, flag)) {
      if (forced.has(n))
        throw new DataError(`${table.file}: column "${n}" is given two types (${forced.get(n)} and ${type}); pass it to one flag`);
      forced.set(n, type);
    }
  }
  for (const n of [...(features ?? []), ...ignore, ...forced.keys()]) {
    if (target.has(n)) throw new DataError(`${table.file}: "${n}" is the target column; it cannot also be a feature`);
  }
  const weight = o.weightColumn === undefined ? undefined : resolveNames(table.file, table.header, [o.weightColumn], '--weight-column')[0];
  if (weight !== undefined && (target.has(weight) || features?.has(weight) || forced.has(weight))) {
    throw new DataError(`${table.file}: "${weight}" is the weight column (--weight-column); it cannot also be the target or a feature`);
  }
  const schema = table.columns.map((col): SchemaColumn => {
    if (target.has(col.name)) return { name: col.name, type: 'target' };
    // Not typed from its cells: sample-weights.ts reads it and names any bad cell.
    if (col.name === weight) return { name: col.name, type: 'numeric', excluded: WEIGHT_COLUMN };
    const type = forced.get(col.name) ?? inferType(table, col, features?.has(col.name) ?? false);
    if (forced.has(col.name)) checkForced(table, col, type);
    const s: SchemaColumn = { name: col.name, type };
    if (ignore.has(col.name)) s.excluded = '--ignore';
    else if (features && !features.has(col.name)) s.excluded = 'not in --features';
    else if (type === 'id') s.excluded = col.texts ? 'text unique or nearly unique per row' : 'integers unique per row';
    else if (type === 'constant') s.excluded = col.missing === table.count ? 'every cell is missing' : 'one value in every row';
    return s;
  });
  if (o.target && target.size > 0 && !schema.some((s) => s.type !== 'target' && !s.excluded)) {
    throw new DataError(
      `${table.file}: no feature columns left (${
        schema
          .filter((s) => s.excluded)
          .map((s) => `"${s.name}": ${s.excluded}`)
          .join('; ') || 'the target is the only column'
      }); a table needs feature columns too`,
    );
  }
  return schema;
}

/** Distinct keys among a column's present cells (stops counting at `cap`). */
function distinctKeys(table: RawTable, col: RawColumn, cap = Infinity): Set<string | number> {
  const keys = new Set<string | number>();
  if (!col.texts) {
    // Only numbers: counted as numbers (a category's key of a number is its shortest decimal form, one per value).
    for (let i = 0; i < table.count && keys.size < cap; i++) if (!Number.isNaN(col.numbers[i])) keys.add(col.numbers[i]);
    return keys;
  }
  for (let i = 0; i < table.count && keys.size < cap; i++) {
    const c = columnCell(col, i);
    if (c !== null && c !== undefined) keys.add(categoryKey(c, table.decimal));
  }
  return keys;
}

function inferType(table: RawTable, col: RawColumn, chosen: boolean): ColumnType {
  const present = table.count - col.missing;
  if (present === 0) return 'constant';
  if (!col.texts) {
    const v = col.numbers;
    // A column of numbers stays numeric even when it holds only 0 and 1 (pixels, counts): read as
    // a boolean, a 2 at predict time would be refused. Booleans are the text spellings below.
    let integers = true,
      min = Infinity,
      max = -Infinity;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (Number.isNaN(x)) continue;
      if (!Number.isInteger(x)) integers = false;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    if (min === max) return 'constant';
    // Row numbers or keys: integers, one per row, named like an id or counting through the rows
    // (the distinct count last: a set of every value is the costly part on a large table).
    const idLike = !chosen && integers && present >= ID_MIN_ROWS && (ID_NAME.test(col.name) || max - min + 1 === present);
    return idLike && distinctKeys(table, col).size === present ? 'id' : 'numeric';
  }
  const distinct = distinctKeys(table, col).size;
  if (distinct === 1) return 'constant';
  const where = (row: number) => `${table.file}: line ${table.lines[row]}, column "${col.name}"`;
  const texts = col.texts;
  if (table.decimal === '.' && col.commaNumbers > 0 && col.commaNumbers + col.numeric >= present / 2) {
    throw new DataError(
      `${where(col.firstComma)}: ${showCell(texts[col.firstComma])} is not a number with "." decimals; if the file writes decimals with a comma, pass --decimal ,`,
    );
  }
  if (col.numeric >= present / 2) {
    throw new DataError(
      `${where(col.firstText)}: ${showCell(texts[col.firstText])} is not a decimal number, though most of the column is; fix the cell, add it to --na if it means missing, or pass --categorical "${col.name}"`,
    );
  }
  if (texts.every((t) => t === null || !Number.isNaN(parseBoolean(t)))) return 'boolean';
  if (texts.every((t) => t === null || !Number.isNaN(parseDate(t)))) return 'date';
  if (!chosen && present >= ID_MIN_ROWS && distinct > present * ID_TEXT_SHARE) return 'id';
  return 'categorical';
}

/** A forced numeric or date column must hold only such cells (and missing ones). */
function checkForced(table: RawTable, col: RawColumn, type: ColumnType): void {
  const where = (row: number) => `${table.file}: line ${table.lines[row]}, column "${col.name}"`;
  if (type === 'numeric' && col.texts) {
    throw new DataError(
      `${where(col.firstText)}: ${showCell(col.texts[col.firstText])} is not a decimal number (--numeric "${col.name}"); fix the cell or add it to --na`,
    );
  }
  if (type === 'date') {
    for (let i = 0; i < table.count; i++) {
      const c = columnCell(col, i);
      if (c !== null && c !== undefined && Number.isNaN(parseDate(String(c)))) {
        throw new DataError(
          `${where(i)}: ${showCell(c)} is not an ISO 8601 date (--date "${col.name}"; e.g. 2024-03-01 or 2024-03-01T12:30:00Z)`,
        );
      }
    }
  }
}
