/**
 * A DataSet from CSV files: columns typed (schema.ts), rows with a missing target dropped, the test
 * rows from --test FILE or a seeded, stratified 20 % of the file, the pipeline fitted on the
 * training rows only and every split encoded through it; the target becomes class indices (sorted
 * class names) or regression values (one column or several).
 */
import type { DecimalMark } from './cells.js';
import { columnCell, columnOf, type RawTable, readCsv, resolveNames, sortClassNames } from './csv.js';
import { type DataSet, DataError, type Rows, type Task, checkDataSet } from './dataset.js';
import { type ColumnSummary, describeColumns } from './inspect.js';
import { encodeRows, encodedNames, fitPipeline, type Impute, tableRows, unseenWarnings } from './pipeline.js';
import { inferSchema, type SchemaOptions } from './schema.js';
import { checkSplitWeights, sampleWeightsOf } from './sample-weights.js';
import { tableSplits } from './split.js';
import { className, labelsOf, rowsWithTarget, targetValues } from './targets.js';
import { type DataWarning, tableWarnings } from './warnings.js';

/** How a table is read, typed and encoded (the CLI's table flags). */
export interface TableOptions extends Omit<SchemaOptions, 'target' | 'features'> {
  delimiter?: string;
  decimal?: DecimalMark;
  /** More spellings read as missing. */
  na?: readonly string[];
  impute?: Impute;
  maxCategories?: number;
}

export interface CsvDataOptions extends TableOptions {
  /** The target column, or several (multi-output regression); a name holding commas is matched whole first. */
  target: string | readonly string[];
  /** Feature columns (default: all but the target, ids and constants). */
  features?: readonly string[];
  task?: Task;
  /** A separate test file with the same columns. */
  testFile?: string;
  /** Fraction held out as test when there is no test file (default 0.2). */
  testFraction?: number;
  /** Fraction of the training rows held out for validation (default none). */
  validation?: number;
  /** Seed of the splits (default 0). */
  seed?: number;
  /** Byte bound per file (see readCsv). */
  maxBytes?: number;
}

/** The fraction of a CSV file held out as test when no test file is given. */
export const DEFAULT_TEST_FRACTION = 0.2;

const asList = (v: string | readonly string[]) => (typeof v === 'string' ? [v] : [...v]);

export async function loadCsvDataSet(file: string, o: CsvDataOptions): Promise<DataSet> {
  const task = o.task ?? 'classify';
  const read = (f: string) => readCsv(f, { delimiter: o.delimiter, decimal: o.decimal, na: o.na, maxBytes: o.maxBytes });
  const [table, testTable] = await Promise.all([read(file), o.testFile ? read(o.testFile) : undefined]);
  const targets = resolveNames(file, table.header, asList(o.target), '--target');
  if (task === 'classify' && targets.length !== 1)
    throw new DataError(`${file}: classification takes one target column, got ${targets.length}; several targets are for --task regress`);
  const warnings: DataWarning[] = [];
  const keep = rowsWithTarget(table, targets);
  if (keep.length < table.count) {
    warnings.push({
      code: 'missing-target',
      message: `${table.count - keep.length} of ${table.count} rows have no value in the target column${targets.length > 1 ? 's' : ''} (${targets.join(', ')}) and are left out`,
    });
  }
  if (keep.length === 0) throw new DataError(`${file}: every row's target is missing; nothing to train on`);
  const schema = inferSchema(table, { ...o, target: targets });
  let classNames: string[] | undefined;
  let labels: Uint32Array | undefined;
  let values: Float32Array | undefined;
  if (task === 'classify') {
    const col = columnOf(table, targets[0], 'for the target');
    classNames = sortClassNames(keep.map((r) => className(columnCell(col, r))));
    if (classNames.length < 2) {
      throw new DataError(
        `${file}: the target column "${targets[0]}" holds one class (${JSON.stringify(classNames[0])}); classification needs at least two (for numbers, pass --task regress)`,
      );
    }
    labels = labelsOf(table, targets[0], keep, classNames);
  } else values = targetValues(table, targets, keep);
  const classes = classNames ? classNames.length : targets.length;
  // Which kept rows train, test and validate (positions in `keep`). Validation rows are drawn
  // here, before fitting, so fills and categories come from the training rows alone; the draw is
  // withValidation's (same seed, same stratification, same order).
  const { trainPos, testPos, validPos } = tableSplits(
    keep.length,
    testTable ? undefined : (o.testFraction ?? DEFAULT_TEST_FRACTION),
    o.validation,
    o.seed ?? 0,
    labels,
    classes,
  );
  const trainRows = trainPos.map((k) => keep[k]);
  const pipeline = fitPipeline(tableRows(table, trainRows), schema, task, [...table.missing], o);
  const width = encodedNames(pipeline).length;
  const rowsOf = (t: RawTable, index: number[], targetsOf: (pos: number[]) => Uint32Array | Float32Array, pos: number[]): Rows => {
    const { inputs, report } = encodeRows(pipeline, tableRows(t, index));
    for (const message of unseenWarnings(report)) warnings.push({ code: 'unseen-category', message: `${t.file} (test rows): ${message}` });
    const rows: Rows = { count: index.length, features: width, inputs, targets: targetsOf(pos) };
    return o.weightColumn === undefined ? rows : { ...rows, weights: sampleWeightsOf(t, o.weightColumn, index) };
  };
  const pick = (pos: number[]) => (labels ? Uint32Array.from(pos, (k) => labels![k]) : takeValues(values!, pos, classes));
  const train = rowsOf(table, trainRows, pick, trainPos);
  let test: Rows;
  if (testTable) {
    const testKeep = rowsWithTarget(testTable, targets);
    const tt = (pos: number[]) => (classNames ? labelsOf(testTable, targets[0], pos, classNames) : targetValues(testTable, targets, pos));
    test = rowsOf(testTable, testKeep, tt, testKeep);
  } else
    test = rowsOf(
      table,
      testPos.map((k) => keep[k]),
      pick,
      testPos,
    );
  const featureNames = encodedNames(pipeline);
  const trainValues = values && Float64Array.from(trainPos, (k) => values![k * classes]);
  warnings.unshift(
    ...tableWarnings({
      table,
      schema,
      task,
      trainRows,
      labels: train.targets instanceof Uint32Array ? train.targets : undefined,
      classNames,
      values: trainValues,
      features: featureNames.length,
    }),
  );
  const validation =
    validPos &&
    rowsOf(
      table,
      validPos.map((k) => keep[k]),
      pick,
      validPos,
    );
  if (o.weightColumn !== undefined) checkSplitWeights(o.weightColumn, file, testTable?.file ?? file, { train, validation, test });
  const data: DataSet = {
    task,
    train,
    ...(validation ? { validation } : {}),
    test,
    classes,
    featureNames,
    classNames,
    source: o.testFile ? `${file} + ${o.testFile}` : file,
  };
  checkDataSet(data);
  return { ...data, pipeline, schema: describeColumns(table, schema, pipeline, keep), warnings };
}

function takeValues(values: Float32Array, pos: number[], k: number): Float32Array {
  const out = new Float32Array(pos.length * k);
  pos.forEach((p, i) => out.set(values.subarray(p * k, (p + 1) * k), i * k));
  return out;
}

/**
 * What training on `file` would see (`native-mlp inspect`): every column described over the rows
 * that have a target (all rows without one), the pipeline fitted on those rows, and the warnings.
 */
export async function inspectCsv(
  file: string,
  o: TableOptions & { target?: string | readonly string[]; features?: readonly string[]; task?: Task; maxBytes?: number },
): Promise<{ table: RawTable; columns: ColumnSummary[]; rows: number; warnings: DataWarning[] }> {
  const table = await readCsv(file, { delimiter: o.delimiter, decimal: o.decimal, na: o.na, maxBytes: o.maxBytes });
  const task = o.task ?? 'classify';
  const targets = o.target === undefined ? [] : resolveNames(file, table.header, asList(o.target), '--target');
  const keep = targets.length ? rowsWithTarget(table, targets) : Array.from({ length: table.count }, (_, i) => i);
  const schema = inferSchema(table, { ...o, target: targets });
  const pipeline = fitPipeline(tableRows(table, keep), schema, task, [...table.missing], o);
  const warnings: DataWarning[] = [];
  if (keep.length < table.count)
    warnings.push({
      code: 'missing-target',
      message: `${table.count - keep.length} of ${table.count} rows have no target value and would be left out`,
    });
  let labels: Uint32Array | undefined;
  let classNames: string[] | undefined;
  let values: Float64Array | undefined;
  if (targets.length && task === 'classify') {
    const col = columnOf(table, targets[0], 'for the target');
    classNames = sortClassNames(keep.map((r) => className(columnCell(col, r))));
    labels = labelsOf(table, targets[0], keep, classNames);
  } else if (targets.length) values = Float64Array.from(targetValues(table, targets.slice(0, 1), keep));
  const features = encodedNames(pipeline).length;
  if (targets.length) warnings.push(...tableWarnings({ table, schema, task, trainRows: keep, labels, classNames, values, features }));
  return { table, columns: describeColumns(table, schema, pipeline, keep), rows: keep.length, warnings };
}
