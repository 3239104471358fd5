/**
 * Raw rows for a saved or trained model: `modelInputs` is THE function that turns raw rows (a CSV
 * table, objects by column name, or positional arrays) into the network's standardised float32
 * inputs, through the model's pipeline; predict, eval, predictRows and serve all call it. Extra
 * columns are ignored; a column the model needs and the rows lack is named.
 */
import type { Cell } from './cells.js';
import { type CsvReadOptions, type RawTable, readCsv, resolveNames } from './csv.js';
import { DataError, type Preprocessing, type Rows, type Task } from './dataset.js';
import { encodeRows, numericPipeline, type Pipeline, type RowSource, tableRows, unseenWarnings } from './pipeline.js';
import { applyColumns, prepareInputs } from './standardize.js';
import { labelsOf, rowsWithTarget, targetValues } from './targets.js';

/** What a model says about its data (see model/data-meta.ts), with its layer sizes. */
export interface ModelShape {
  inputs: number;
  outputs: number;
  task?: Task;
  featureNames?: readonly string[];
  classNames?: readonly string[];
  preprocessing?: Preprocessing;
  pipeline?: Pipeline;
}

/** Rows as callers pass them: a read table, objects by column name, or positional raw columns. */
export type RawRows = RawTable | readonly Readonly<Record<string, Cell>>[] | readonly (readonly number[])[] | Float32Array;

/** The pipeline a model encodes with: its own, or (a model from before pipelines) every feature numeric. */
export function pipelineOf(m: ModelShape): Pipeline {
  return m.pipeline ?? numericPipeline(m.featureNames ?? Array.from({ length: m.inputs }, (_, i) => `x${i}`), m.task ?? 'classify');
}

function isTable(x: RawRows): x is RawTable {
  return !Array.isArray(x) && !(x instanceof Float32Array) && typeof x === 'object' && 'columns' in x && 'header' in x;
}

/** Objects by column name: a column is there when any row has the key; null, undefined and NaN are missing. */
function objectRows(rows: readonly Readonly<Record<string, Cell>>[]): RowSource {
  return {
    count: rows.length,
    column: (name) => (rows.some((r) => r !== null && typeof r === 'object' && name in r) ? (i) => rows[i][name] : undefined),
    where: (i) => `row ${i + 1}`,
    source: 'rows',
    decimal: '.',
  };
}

/** Positional rows: raw columns in the pipeline's column order. */
function arrayRows(x: readonly (readonly number[])[] | Float32Array, p: Pipeline): RowSource {
  const w = p.columns.length;
  if (x instanceof Float32Array) {
    if (x.length % w !== 0)
      throw new DataError(
        `Expected rows of ${w} raw columns (${p.columns.map((c) => c.name).join(', ')}) but the Float32Array holds ${x.length} values`,
      );
  } else {
    x.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== w)
        throw new DataError(
          `row ${i + 1}: expected ${w} raw columns (${p.columns.map((c) => c.name).join(', ')}) but received ${Array.isArray(row) ? row.length : typeof row}`,
        );
    });
  }
  const count = x instanceof Float32Array ? x.length / w : x.length;
  const at =
    x instanceof Float32Array
      ? (i: number, j: number) => x[i * w + j]
      : (i: number, j: number) => (x as readonly (readonly number[])[])[i][j];
  return {
    count,
    column: (name) => {
      const j = p.columns.findIndex((c) => c.name === name);
      return j < 0 ? undefined : (i) => at(i, j);
    },
    where: (i) => `row ${i + 1}`,
    source: 'rows',
    decimal: '.',
  };
}

/**
 * Raw rows -> the network's inputs for model `m`: encoded by its pipeline, then standardised with its
 * feature_mean / feature_std. `warnings`: one line per column with categories unseen in training.
 */
export function modelInputs(m: ModelShape, rows: RawRows): { inputs: Float32Array; count: number; warnings: string[] } {
  const p = pipelineOf(m);
  const source = isTable(rows)
    ? tableRows(rows)
    : Array.isArray(rows) && rows.length > 0 && !Array.isArray(rows[0])
      ? objectRows(rows as Record<string, Cell>[])
      : arrayRows(rows as number[][] | Float32Array, p);
  const { inputs, report } = encodeRows(p, source);
  const features = source.count === 0 ? m.inputs : inputs.length / source.count;
  if (features !== m.inputs)
    throw new DataError(
      `the model's pipeline encodes ${features} features but its network takes ${m.inputs}; the model file is inconsistent`,
    );
  return { inputs: prepareInputs(inputs, source.count, features, m.preprocessing), count: source.count, warnings: unseenWarnings(report) };
}

/** How a file of rows for a model is read: its delimiter and decimal mark (the missing spellings are the model's). */
export type ModelReadOptions = Pick<CsvReadOptions, 'delimiter' | 'decimal' | 'maxBytes'>;

/** A CSV file read for model `m` (its missing spellings). */
export function readCsvForModel(file: string, m: ModelShape, o: ModelReadOptions = {}): Promise<RawTable> {
  return readCsv(file, { ...o, na: pipelineOf(m).missing });
}

/**
 * Rows of `file` ready to evaluate `m` on: standardised inputs, targets as the model was trained on.
 * `target` defaults to the model's target columns; rows with a missing target are left out (counted in `dropped`).
 */
export async function readCsvForEval(
  file: string,
  m: ModelShape,
  target?: readonly string[],
  o: ModelReadOptions = {},
): Promise<{ rows: Rows; dropped: number; warnings: string[] }> {
  const task = m.task ?? 'classify';
  const table = await readCsvForModel(file, m, o);
  const given = target ?? pipelineOf(m).target.columns;
  if (given.length === 0) throw new DataError(`${file}: the model does not name its target column; pass --target COLUMN`);
  const targets = resolveNames(file, table.header, given, '--target');
  const keep = rowsWithTarget(table, targets);
  const { inputs, count, warnings } = modelInputs(m, subsetTable(table, keep));
  let targetsOut: Uint32Array | Float32Array;
  if (task === 'classify') {
    targetsOut = labelsOf(table, targets[0], keep, m.classNames ?? Array.from({ length: m.outputs }, (_, i) => String(i)));
  } else {
    if (targets.length !== m.outputs)
      throw new DataError(
        `${file}: the model predicts ${m.outputs} outputs but ${targets.length} target column${targets.length === 1 ? ' was' : 's were'} given`,
      );
    const p = m.preprocessing;
    const raw = targetValues(table, targets, keep);
    targetsOut = p?.targetMean && p.targetStd ? applyColumns(raw, keep.length, m.outputs, p.targetMean, p.targetStd) : raw;
  }
  return { rows: { count, features: m.inputs, inputs, targets: targetsOut }, dropped: table.count - keep.length, warnings };
}

/** `table` restricted to rows `keep`, in that order (line numbers kept for messages). */
export function subsetTable(table: RawTable, keep: readonly number[]): RawTable {
  return {
    ...table,
    count: keep.length,
    lines: Uint32Array.from(keep, (r) => table.lines[r]),
    columns: table.columns.map((c) => pick(c, keep)),
  };
}

/** Column `c` restricted to rows `keep`. */
function pick(c: RawTable['columns'][number], keep: readonly number[]): RawTable['columns'][number] {
  return { ...c, numbers: Float64Array.from(keep, (r) => c.numbers[r]), texts: c.texts && keep.map((r) => c.texts![r]) };
}
