/**
 * CSV tables as raw columns: a header row, then one row per example. Parsing (quoting, BOM, CRLF,
 * empty lines) is csv-parse's job, streamed; this module sniffs the delimiter (, ; tab |), reads
 * gzip'd files (.csv.gz, or by their magic bytes), and keeps each column compactly: a float64 per
 * cell while the column holds only numbers and missing cells, its texts once it holds anything
 * else. What a column *means* (its type) is decided later, by the schema (schema.ts).
 */
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CsvError, parse } from 'csv-parse';
import { parse as parseWhole } from 'csv-parse/sync';
import { type Cell, type DecimalMark, fitsF32, isMissing, LOOKS_DECIMAL_COMMA, missingSet, parseDecimal, showCell } from './cells.js';
import { DataError } from './dataset.js';

export interface CsvReadOptions {
  /** The field delimiter; default: sniffed among , ; tab | from the first lines. */
  delimiter?: string;
  /** The decimal mark of numbers (default "."). */
  decimal?: DecimalMark;
  /** Spellings read as missing besides the defaults (see cells.ts). */
  na?: readonly string[];
  /** Refuse files larger than this (default: a quarter of physical memory, at most 4 GiB); gzip: the unpacked text. */
  maxBytes?: number;
}

/** One column as read. */
export interface RawColumn {
  name: string;
  /** Per row: the cell as a number, or NaN (missing, or not a number). */
  numbers: Float64Array;
  /** Per row: the cell's text (null when missing); kept only once the column holds a cell that is not a number. */
  texts?: (string | null)[];
  /** Missing cells, cells that are numbers, and the first row holding something else (for messages). */
  missing: number;
  numeric: number;
  firstText: number;
  /** Cells like "1,5" (a decimal comma) and the first such row: a hint for --decimal. */
  commaNumbers: number;
  firstComma: number;
}

export interface RawTable {
  file: string;
  header: string[];
  columns: RawColumn[];
  count: number;
  /** Line number in the file of each row (for messages). */
  lines: Uint32Array;
  delimiter: string;
  decimal: DecimalMark;
  /** The spellings read as missing. */
  missing: ReadonlySet<string>;
}

/** Longest single record accepted (a line of a few thousand numbers fits easily). */
const MAX_RECORD_BYTES = 1 << 20;
/** Bytes of the file's start that the delimiter is sniffed from. */
const SNIFF_BYTES = 1 << 16;
/**
 * Plain files up to this size are read and parsed in one call, which takes less time than the
 * same parse through a stream, and their records are few enough to hold at once; larger and
 * gzip'd files stream.
 */
const WHOLE_FILE_BYTES = 1 << 22;
export const DELIMITERS = [',', ';', '\t', '|'] as const;

/** The default byte bound: a quarter of physical memory, capped at 4 GiB. */
export function defaultMaxCsvBytes(): number {
  return Math.min(4 * 1024 ** 3, Math.floor(totalmem() / 4));
}

function mib(n: number): string {
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

/** Checks that `file` is a regular file within the byte bound; returns its size. */
export function checkCsvFile(file: string, maxBytes = defaultMaxCsvBytes()): number {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    throw new DataError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!st.isFile()) throw new DataError(`${file}: not a regular file; pass a CSV file`);
  if (st.size > maxBytes) {
    throw new DataError(
      `${file}: ${mib(st.size)} is larger than the limit of ${mib(maxBytes)} for a CSV file held in memory; use a smaller file or a sample of it`,
    );
  }
  return st.size;
}

/** gzip by name or by its magic bytes (1f 8b). */
function isGzip(file: string): boolean {
  if (/\.gz$/i.test(file)) return true;
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** Occurrences of `d` in `line` outside double quotes. */
function countOutsideQuotes(line: string, d: string): number {
  let n = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === d && !quoted) n++;
  }
  return n;
}

/**
 * The delimiter of a file's first lines: the candidate that splits the header at least once and
 * every following line into as many fields (the most fields wins); a single-column file is ",".
 */
export function sniffDelimiter(head: string, complete: boolean): string {
  let lines = head.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (!complete && lines.length > 1) lines.pop(); // a partial last line
  lines = lines.filter((l) => l.trim() !== '').slice(0, 50);
  let best = ',';
  let bestCount = 0;
  let bestConsistent = false;
  for (const d of DELIMITERS) {
    const counts = lines.map((l) => countOutsideQuotes(l, d));
    if (counts.length === 0 || counts[0] === 0) continue;
    const consistent = counts.every((c) => c === counts[0]);
    if ((consistent && !bestConsistent) || (consistent === bestConsistent && counts[0] > bestCount)) {
      best = d;
      bestCount = counts[0];
      bestConsistent = consistent;
    }
  }
  return best;
}

/**
 * The `size` bytes a file had when it was checked, or null when it holds more by now (it is being
 * written: the stream, which bounds what it reads, takes it instead). Never reads past size + 1.
 */
export function readWhole(file: string, size: number): Buffer | null {
  const buf = Buffer.allocUnsafe(size + 1);
  const fd = openSync(file, 'r');
  try {
    let n = 0;
    while (n < buf.length) {
      const r = readSync(fd, buf, n, buf.length - n, n);
      if (r === 0) break;
      n += r;
    }
    return n <= size ? buf.subarray(0, n) : null;
  } finally {
    closeSync(fd);
  }
}

/**
 * The unpacked bytes of `file`: the whole of a small plain file, or a stream with its first
 * SNIFF_BYTES gathered ahead (for sniffing) and handed on; `head` is their text.
 */
async function openText(
  file: string,
  size: number,
): Promise<{ head: string; complete: boolean } & ({ whole: Buffer; stream?: undefined } | { whole?: undefined; stream: Readable })> {
  const gzip = isGzip(file);
  const whole = !gzip && size <= WHOLE_FILE_BYTES ? readWhole(file, size) : null;
  if (whole) return { head: whole.subarray(0, SNIFF_BYTES).toString('utf8'), complete: whole.length <= SNIFF_BYTES, whole };
  const raw = createReadStream(file);
  const src: AsyncIterable<Buffer> = gzip ? raw.pipe(createGunzip()) : raw;
  const it = src[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let read = 0;
  let complete = false;
  while (read < SNIFF_BYTES) {
    const r = await it.next();
    if (r.done) {
      complete = true;
      break;
    }
    head.push(r.value);
    read += r.value.length;
  }
  async function* all() {
    yield* head;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return { head: Buffer.concat(head).toString('utf8'), complete, stream: Readable.from(all()) };
}

/** A growable float64 column (doubling). */
class F64Builder {
  data = new Float64Array(256);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/** A column while it is read: a RawColumn whose numbers still grow (its name comes from the header). */
type ColumnBuilder = Omit<RawColumn, 'name' | 'numbers'> & { numbers: F64Builder };

type Parsed = { record: string[]; info: { lines: number; bytes: number } };

/** Reads a CSV file into raw columns (a large file streaming); DataError naming file and line for anything wrong. */
export async function readCsv(file: string, opts: CsvReadOptions = {}): Promise<RawTable> {
  const maxBytes = opts.maxBytes ?? defaultMaxCsvBytes();
  const size = checkCsvFile(file, maxBytes);
  const decimal = opts.decimal ?? '.';
  const missing = missingSet(opts.na);
  let opened;
  try {
    opened = await openText(file, size);
  } catch (e) {
    throw new DataError(
      `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); is it a CSV file (or gzip'd CSV)?`,
    );
  }
  const delimiter = opts.delimiter ?? sniffDelimiter(opened.head, opened.complete);
  if (delimiter === decimal) throw new DataError(`${file}: the delimiter and the decimal mark are both "${delimiter}"; pass --delimiter`);
  const options = { bom: true, delimiter, skip_empty_lines: true, trim: true, info: true, max_record_size: MAX_RECORD_BYTES };
  let header: string[] | undefined;
  let cols: ColumnBuilder[] = [];
  const lines: number[] = [];
  const take = ({ record, info }: Parsed) => {
    if (info.bytes > maxBytes) throw new DataError(`${file}: grew past the limit of ${mib(maxBytes)} while being read`);
    if (!header) {
      header = checkHeader(file, record);
      cols = header.map(() => ({ numbers: new F64Builder(), missing: 0, numeric: 0, firstText: -1, commaNumbers: 0, firstComma: -1 }));
      return;
    }
    const row = lines.length;
    lines.push(info.lines);
    for (let c = 0; c < cols.length; c++) addCell(cols[c], record[c], row, decimal, missing, file, info.lines, header[c]);
  };
  const parser = opened.stream?.pipe(parse(options));
  try {
    if (opened.whole) for (const r of parseWhole(opened.whole, options) as unknown as Parsed[]) take(r);
    else for await (const r of parser as AsyncIterable<Parsed>) take(r);
  } catch (e) {
    parser?.destroy();
    if (e instanceof DataError) throw e;
    if (e instanceof CsvError) throw csvError(file, e, delimiter);
    throw new DataError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!header) throw new DataError(`${file}: empty file; a CSV file needs a header row and data rows`);
  if (lines.length === 0) throw new DataError(`${file}: a header row but no data rows`);
  const count = lines.length;
  const columns = cols.map((b, c): RawColumn => ({
    name: header![c],
    numbers: b.numbers.data.slice(0, count),
    texts: b.texts,
    missing: b.missing,
    numeric: b.numeric,
    firstText: b.firstText,
    commaNumbers: b.commaNumbers,
    firstComma: b.firstComma,
  }));
  return { file, header, columns, count, lines: Uint32Array.from(lines), delimiter, decimal, missing };
}

/** Adds `cell` (row `row`, on `line` of `file`, in column `name`: for messages) to its column. */
function addCell(
  b: ColumnBuilder,
  cell: string,
  row: number,
  decimal: DecimalMark,
  missing: ReadonlySet<string>,
  file: string,
  line: number,
  name: string,
): void {
  if (isMissing(cell, missing)) {
    b.missing++;
    b.numbers.push(NaN);
    b.texts?.push(null);
    return;
  }
  const v = parseDecimal(cell, decimal);
  if (Number.isNaN(v)) {
    // Bytes that are not UTF-8 decode to U+FFFD: different labels or categories would merge into one.
    if (cell.includes('\uFFFD'))
      throw new DataError(
        `${file}: line ${line}, column "${name}": ${showCell(cell)} is not valid UTF-8 text; save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)`,
      );
    if (b.firstText < 0) {
      b.firstText = row;
      // From now on the column keeps its texts; the numbers before are written back in decimal.
      b.texts = Array.from(b.numbers.data.subarray(0, row), (x) => (Number.isNaN(x) ? null : String(x)));
    }
    if (decimal === '.' && LOOKS_DECIMAL_COMMA.test(cell) && b.commaNumbers++ === 0) b.firstComma = row;
  } else {
    if (!fitsF32(v))
      throw new DataError(
        `${file}: line ${line}, column "${name}": ${showCell(cell)} is beyond the float32 range (about 3.4e38) the network computes in`,
      );
    b.numeric++;
  }
  b.numbers.push(v);
  b.texts?.push(cell);
}

/** Header names trimmed (csv-parse does it), non-empty and unique. */
function checkHeader(file: string, header: string[]): string[] {
  const seen = new Map<string, number>();
  for (let i = 0; i < header.length; i++) {
    if (header[i] === '') throw new DataError(`${file}: column ${i + 1} of the header has no name; every column needs one`);
    if (seen.has(header[i])) {
      throw new DataError(
        `${file}: column name "${header[i]}" appears twice in the header (columns ${seen.get(header[i])! + 1} and ${i + 1}); names must be unique`,
      );
    }
    seen.set(header[i], i);
  }
  return header;
}

function csvError(file: string, e: CsvError, delimiter: string): DataError {
  const d = delimiter === '\t' ? 'tab' : `"${delimiter}"`;
  const line = (e as CsvError & { lines?: number }).lines;
  if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
    return new DataError(
      `${file}: line ${line}: ${e.message.replace(/ on line \d+$/, '')} fields split by ${d}; check the row, its quoting, or pass --delimiter`,
    );
  }
  return new DataError(`${file}: ${e.message}`);
}

/** A column's cell of row i as the encoder reads it: null (missing), its number, or its text. */
export function columnCell(col: RawColumn, i: number): Cell {
  if (col.texts) return col.texts[i];
  const v = col.numbers[i];
  return Number.isNaN(v) ? null : v;
}

/** The column of `table` named `name`, or a DataError listing the header. */
export function columnOf(table: RawTable, name: string, what: string): RawColumn {
  const c = table.columns.find((col) => col.name === name);
  if (!c) throw new DataError(`${table.file}: no column named "${name}" ${what}; the header has ${listNames(table.header)}`);
  return c;
}

export function listNames(names: readonly string[]): string {
  const shown = names
    .slice(0, 30)
    .map((h) => JSON.stringify(h))
    .join(', ');
  return names.length > 30 ? `${shown} ... (${names.length} columns)` : shown;
}

/**
 * Column names from flags: each given value is a column name as it is, or else a comma-separated
 * list of them (so names holding commas are passed whole, or by repeating the flag).
 */
export function resolveNames(file: string, header: readonly string[], given: readonly string[], flag: string): string[] {
  const has = new Set(header);
  const out: string[] = [];
  for (const g of given) {
    const names = has.has(g) ? [g] : g.split(',').map((s) => s.trim());
    for (const n of names) {
      if (!has.has(n)) throw new DataError(`${file}: no column named "${n}" (${flag}); the header has ${listNames(header)}`);
      if (!out.includes(n)) out.push(n);
    }
  }
  return out;
}

/**
 * Class names in a stable order: numerically when every name is a number ("2" before "10"),
 * else by code unit (as scikit-learn's LabelEncoder sorts strings).
 */
export function sortClassNames(names: Iterable<string>): string[] {
  const unique = [...new Set(names)];
  if (unique.every((n) => n.trim() !== '' && Number.isFinite(Number(n)))) return unique.sort((a, b) => Number(a) - Number(b));
  return unique.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
