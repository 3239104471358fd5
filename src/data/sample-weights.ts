/**
 * A table's sample-weight column (--weight-column): one finite number >= 0 per row, read from the
 * rows a split keeps. It is not a feature (schema.ts excludes it, as it excludes the target).
 * Every bad cell is one DataError naming file, line, column and value.
 */
import { fitsF32, parseDecimal, showCell } from './cells.js';
import { columnCell, columnOf, type RawTable } from './csv.js';
import { DataError } from './dataset.js';

/** The weights of `rows` (row indices of `table`) from the column named `column`. */
export function sampleWeightsOf(table: RawTable, column: string, rows: readonly number[]): Float32Array {
  const col = columnOf(table, column, '(--weight-column)');
  const out = new Float32Array(rows.length);
  rows.forEach((r, k) => {
    const c = columnCell(col, r);
    const where = `${table.file}: line ${table.lines[r]}, column "${column}" (--weight-column)`;
    if (c === null || c === undefined)
      throw new DataError(`${where}: the weight is missing; give every row a weight >= 0 (0 leaves the row out of the loss)`);
    const v = typeof c === 'number' ? c : parseDecimal(String(c).trim(), table.decimal);
    if (!Number.isFinite(v) || v < 0 || !fitsF32(v)) {
      throw new DataError(`${where}: ${showCell(c)} is not a weight; weights are finite numbers >= 0 (up to 3.4e38)`);
    }
    out[k] = v;
  });
  return out;
}

/** DataError unless some row of a split weighs more than 0 (all-zero weights leave nothing to learn or measure). */
export function checkSomeWeight(weights: Float32Array, file: string, column: string, split: string): void {
  if (weights.length > 0 && weights.every((w) => w === 0)) {
    throw new DataError(
      `${file}: every ${split} row has weight 0 in column "${column}" (--weight-column); at least one row must weigh more than 0`,
    );
  }
}

/** checkSomeWeight for each split that has weights: training and validation from `file`, test from `testFile`. */
export function checkSplitWeights(
  column: string,
  file: string,
  testFile: string,
  splits: { train: { weights?: Float32Array }; validation?: { weights?: Float32Array }; test?: { weights?: Float32Array } },
): void {
  for (const [split, rows, f] of [
    ['training', splits.train, file],
    ['validation', splits.validation, file],
    ['test', splits.test, testFile],
  ] as const) {
    if (rows?.weights) checkSomeWeight(rows.weights, f, column, split);
  }
}
