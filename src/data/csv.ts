/**
 * CSV tables: a header row, then one row per example. Parsing (quoting, BOM, CRLF, empty lines)
 * is csv-parse's job, streamed, so memory grows with the numbers kept (4 bytes a value), never
 * with the text; a file over the byte bound, or not a regular file, is refused before reading.
 */
import { createReadStream, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { CsvError, parse } from 'csv-parse';
import { decimalProblem } from '../decimal.js';
import { DataError } from './dataset.js';

export interface CsvReadOptions {
  /** The target column's name; absent: every selected column is a feature (predict input). */
  target?: string;
  /** Feature columns by name (default: every column but the target). */
  features?: readonly string[];
  /** Targets kept as numbers (regress) or as class-name strings (classify, the default). */
  task?: 'classify' | 'regress';
  /** Refuse files larger than this (default: a quarter of physical memory, at most 4 GiB). */
  maxBytes?: number;
  /** Keep the target when present but do not require it (predict input that may hold it). */
  targetOptional?: boolean;
}

export interface CsvTable {
  file: string;
  featureNames: string[];
  count: number;
  features: number;
  /** count x features float32 values, row-major. */
  inputs: Float32Array;
  /** The target column as read: class names (classify) or numbers (regress); absent without a target. */
  labels?: string[];
  values?: Float32Array;
  /** Line number in the file of each row (for messages). */
  lines: Uint32Array;
}

/** Longest single record accepted (a line of a few thousand numbers fits easily). */
const MAX_RECORD_BYTES = 1 << 20;

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
    throw new DataError(`${file}: ${mib(st.size)} is larger than the limit of ${mib(maxBytes)} for a CSV file held in memory; use a smaller file or a sample of it`);
  }
  return st.size;
}

/** A growable float32 column store (doubling), so no per-row arrays are kept. */
class F32Builder {
  data = new Float32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  take(): Float32Array {
    return this.data.slice(0, this.length);
  }
}

/** A cell as a finite number, or a DataError naming file, line, column and value. */
function numberAt(file: string, line: number, column: string, cell: string): number {
  if (cell === '') throw new DataError(`${file}: line ${line}, column "${column}": missing value; every feature needs a number`);
  // The one number grammar (src/decimal.ts): Number() would read 0x10, 0b101 and 0o17.
  const why = decimalProblem(cell);
  if (why) {
    throw new DataError(`${file}: line ${line}, column "${column}": ${JSON.stringify(cell.length > 40 ? cell.slice(0, 40) + '...' : cell)} ${why === 'is not a plain decimal number' ? 'is not a finite number in plain decimal' : why}`);
  }
  return Number(cell);
}

/** Reads a CSV file into float features (and the target column as it is), streaming. */
export async function readCsv(file: string, opts: CsvReadOptions = {}): Promise<CsvTable> {
  const maxBytes = opts.maxBytes ?? defaultMaxCsvBytes();
  checkCsvFile(file, maxBytes);
  const parser = createReadStream(file).pipe(
    parse({ bom: true, skip_empty_lines: true, trim: true, info: true, max_record_size: MAX_RECORD_BYTES }),
  );
  let header: string[] | undefined;
  let featureCols: number[] = [];
  let targetCol = -1;
  const inputs = new F32Builder();
  const values = new F32Builder();
  const labels: string[] = [];
  const lines: number[] = [];
  let bytes = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number; bytes: number } }>) {
      bytes = info.bytes;
      if (bytes > maxBytes) throw new DataError(`${file}: grew past the limit of ${mib(maxBytes)} while being read`);
      if (!header) {
        header = record;
        ({ featureCols, targetCol } = selectColumns(file, header, opts));
        continue;
      }
      const line = info.lines;
      for (const c of featureCols) inputs.push(numberAt(file, line, header[c], record[c]));
      if (targetCol >= 0) {
        const cell = record[targetCol];
        if (opts.task === 'regress') values.push(numberAt(file, line, header[targetCol], cell));
        else {
          if (cell === '') throw new DataError(`${file}: line ${line}, column "${header[targetCol]}": missing target value`);
          // Bytes that are not UTF-8 decode to U+FFFD, and different labels would merge into one class.
          if (cell.includes('\uFFFD')) throw new DataError(`${file}: line ${line}, column "${header[targetCol]}": the label is not valid UTF-8 text; save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)`);
          labels.push(cell);
        }
      }
      lines.push(line);
    }
  } catch (e) {
    parser.destroy();
    if (e instanceof DataError) throw e;
    if (e instanceof CsvError) throw new DataError(`${file}: ${e.message}`);
    throw new DataError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!header) throw new DataError(`${file}: empty file; a CSV file needs a header row and data rows`);
  if (lines.length === 0) throw new DataError(`${file}: a header row but no data rows`);
  const table: CsvTable = {
    file,
    featureNames: featureCols.map((c) => header![c]),
    count: lines.length,
    features: featureCols.length,
    inputs: inputs.take(),
    lines: Uint32Array.from(lines),
  };
  if (targetCol >= 0) {
    if (opts.task === 'regress') table.values = values.take();
    else table.labels = labels;
  }
  return table;
}

/** Which columns are features and which is the target, by name; DataError naming what is wrong. */
function selectColumns(file: string, header: string[], opts: CsvReadOptions): { featureCols: number[]; targetCol: number } {
  const seen = new Map<string, number>();
  for (let i = 0; i < header.length; i++) {
    if (header[i] === '') throw new DataError(`${file}: column ${i + 1} of the header has no name; every column needs one`);
    if (seen.has(header[i])) {
      throw new DataError(`${file}: column name "${header[i]}" appears twice in the header (columns ${seen.get(header[i])! + 1} and ${i + 1}); names must be unique`);
    }
    seen.set(header[i], i);
  }
  const list = () => header.map((h) => JSON.stringify(h)).join(', ');
  let targetCol = -1;
  if (opts.target !== undefined) {
    targetCol = seen.get(opts.target) ?? -1;
    if (targetCol < 0 && !opts.targetOptional) {
      throw new DataError(`${file}: no column named "${opts.target}" for the target; the header has ${list()}`);
    }
  }
  let featureCols: number[];
  if (opts.features) {
    featureCols = opts.features.map((name) => {
      const c = seen.get(name);
      if (c === undefined) throw new DataError(`${file}: no column named "${name}" among the features; the header has ${list()}`);
      if (c === targetCol) throw new DataError(`${file}: "${name}" is the target column; it cannot also be a feature`);
      return c;
    });
    if (featureCols.length === 0) throw new DataError(`${file}: no feature columns selected`);
  } else {
    featureCols = header.map((_, i) => i).filter((i) => i !== targetCol);
    if (featureCols.length === 0) throw new DataError(`${file}: the target is the only column; a CSV file needs feature columns too`);
  }
  return { featureCols, targetCol };
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

/** Labels as indices into classNames; DataError naming the first unknown one. */
export function labelIndices(table: CsvTable, classNames: readonly string[], targetName: string): Uint32Array {
  const index = new Map(classNames.map((n, i) => [n, i]));
  const labels = table.labels ?? [];
  const out = new Uint32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const k = index.get(labels[i]);
    if (k === undefined) {
      throw new DataError(`${table.file}: line ${table.lines[i]}, column "${targetName}": class ${JSON.stringify(labels[i])} is not one of the model's classes (${classNames.map((n) => JSON.stringify(n)).join(', ')})`);
    }
    out[i] = k;
  }
  return out;
}
