/**
 * One table cell's meaning: missing, a number (one strict decimal grammar), a boolean spelling,
 * an ISO 8601 date. Every reader of table cells (training, predict, eval, serve) uses these, so a
 * cell means the same thing wherever it is read.
 */

/** Cells read as missing besides the empty cell (`--na` adds more). */
export const DEFAULT_MISSING: readonly string[] = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'None', '?'];

/** The decimal separator of numbers in a file: "." (default) or "," (`--decimal ,`). */
export type DecimalMark = '.' | ',';

/** A raw cell as a caller passes it: CSV text, or a JS value by column name. */
export type Cell = number | string | boolean | null | undefined;

const NUMBER_DOT = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const NUMBER_COMMA = /^[+-]?(?:[0-9]+(?:,[0-9]*)?|,[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
/** A number written with a decimal comma ("1,5"): a hint for --decimal when it is not set. */
export const LOOKS_DECIMAL_COMMA = /^[+-]?[0-9]+,[0-9]+$/;

/**
 * The cell as a number when it is one in the strict decimal grammar (digits, one decimal mark, an
 * optional exponent; no hex, binary, octal, Infinity, separators or blank), else NaN. Finite in
 * float64; float32 overflow is the caller's to refuse (see checkF32).
 */
export function parseDecimal(cell: string, decimal: DecimalMark = '.'): number {
  if (decimal === ',') return NUMBER_COMMA.test(cell) ? Number(cell.replace(',', '.')) : NaN;
  return NUMBER_DOT.test(cell) ? Number(cell) : NaN;
}

/** Largest finite float32: values beyond it become Infinity in the network. */
export const MAX_F32 = 3.4028234663852886e38;

/** True when v survives the float32 rounding the network applies (finite after Math.fround). */
export function fitsF32(v: number): boolean {
  return Number.isFinite(Math.fround(v));
}

const TRUE_WORDS = new Set(['true', 'yes', 'y', 't', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'n', 'f', '0']);

/** 1 / 0 for a boolean spelling (case-insensitive, trimmed), NaN otherwise. */
export function parseBoolean(cell: Cell): number {
  if (typeof cell === 'boolean') return cell ? 1 : 0;
  if (typeof cell === 'number') return cell === 1 ? 1 : cell === 0 ? 0 : NaN;
  if (typeof cell !== 'string') return NaN;
  const w = cell.trim().toLowerCase();
  return TRUE_WORDS.has(w) ? 1 : FALSE_WORDS.has(w) ? 0 : NaN;
}

/** ISO 8601: a date, or a date-time with optional seconds, fraction and zone. */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Milliseconds since 1970 (UTC) of an ISO 8601 date or date-time, or NaN. Dates without a zone are UTC. */
export function parseDate(cell: string): number {
  const m = ISO_DATE.exec(cell.trim());
  if (!m) return NaN;
  const [, y, mo, d, h, mi] = m;
  if (+mo < 1 || +mo > 12 || +d < 1 || +d > 31 || (h !== undefined && (+h > 23 || +mi > 59))) return NaN;
  const zoned = m[7] !== undefined ? cell.trim() : h === undefined ? `${y}-${mo}-${d}T00:00:00Z` : `${cell.trim().replace(' ', 'T')}Z`;
  const t = Date.parse(zoned);
  // Date.parse rolls 2023-02-31 over to March: refuse days the month does not have.
  if (!Number.isFinite(t) || new Date(Date.UTC(+y, +mo - 1, +d)).getUTCDate() !== +d) return NaN;
  return t;
}

/** The set of spellings read as missing: the defaults plus the caller's. */
export function missingSet(extra: readonly string[] = []): Set<string> {
  return new Set([...DEFAULT_MISSING, ...extra]);
}

/** A cell is missing when it is null/undefined, a NaN number, or one of the missing spellings. */
export function isMissing(cell: Cell, missing: ReadonlySet<string>): boolean {
  if (cell === null || cell === undefined) return true;
  if (typeof cell === 'number') return Number.isNaN(cell);
  return typeof cell === 'string' && missing.has(cell.trim());
}

/**
 * A category's key: numbers by their shortest decimal form ("1.0", "1" and the number 1 are one
 * category), booleans as "true"/"false", text as it is (trimmed).
 */
export function categoryKey(cell: number | string | boolean, decimal: DecimalMark = '.'): string {
  if (typeof cell === 'number') return String(cell);
  if (typeof cell === 'boolean') return String(cell);
  const t = cell.trim();
  const v = parseDecimal(t, decimal);
  return Number.isNaN(v) ? t : String(v);
}

/** A cell shortened for a one-line message. */
export function showCell(cell: Cell): string {
  if (typeof cell !== 'string') return String(cell);
  return JSON.stringify(cell.length > 40 ? `${cell.slice(0, 40)}...` : cell);
}
