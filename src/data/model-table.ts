/**
 * New rows of a CSV file for a saved model (a warm start): read with the model's missing
 * spellings, split as a fresh run splits (a test file or a seeded, stratified test fraction, then
 * an optional validation fraction), and every split encoded by the model's own pipeline and
 * standardised with its own statistics: nothing is refitted, so columns, categories and scaling
 * stay the model's. Whatever differs from the model's schema is one DataError naming it.
 */
import { type RawTable, resolveNames } from './csv.js';
import { type DataSet, DataError, type Rows, checkDataSet } from './dataset.js';
import { DEFAULT_TEST_FRACTION } from './from-csv.js';
import { type ModelReadOptions, type ModelShape, modelInputs, pipelineOf, readCsvForModel, subsetTable } from './model-rows.js';
import { encodedNames } from './pipeline.js';
import { tableSplits } from './split.js';
import { applyColumns } from './standardize.js';
import { labelsOf, rowsWithTarget, targetValues } from './targets.js';
import type { DataWarning } from './warnings.js';
import { checkSplitWeights, sampleWeightsOf } from './sample-weights.js';

export interface ModelTableOptions extends ModelReadOptions {
  /** The target column(s); default the model's. Another target than the model's is refused. */
  target?: string | readonly string[];
  testFile?: string;
  testFraction?: number;
  validation?: number;
  seed?: number;
  /** A column of sample weights (table.weightColumn, --weight-column). */
  weightColumn?: string;
}

const asList = (v: string | readonly string[]) => (typeof v === 'string' ? [v] : [...v]);

export async function loadCsvForModel(file: string, m: ModelShape, o: ModelTableOptions = {}): Promise<DataSet> {
  const task = m.task ?? 'classify';
  const pipeline = pipelineOf(m);
  const read = (f: string) => readCsvForModel(f, m, { delimiter: o.delimiter, decimal: o.decimal, maxBytes: o.maxBytes });
  const [table, testTable] = await Promise.all([read(file), o.testFile !== undefined ? read(o.testFile) : undefined]);
  const modelTargets = pipeline.target.columns;
  if (o.target === undefined && modelTargets.length === 0)
    throw new DataError(`${file}: the model does not name its target column; pass target (--target COLUMN)`);
  const targets = resolveNames(file, table.header, o.target === undefined ? modelTargets : asList(o.target), '--target');
  if (modelTargets.length > 0 && targets.join(',') !== modelTargets.join(',')) {
    throw new DataError(
      `${file}: target ${targets.join(',')} differs from the model's target ${modelTargets.join(',')}; a warm start continues the model's own task (drop --target or pass ${modelTargets.join(',')})`,
    );
  }
  const classNames = m.classNames ?? (task === 'classify' ? Array.from({ length: m.outputs }, (_, i) => String(i)) : undefined);
  if (task === 'regress' && targets.length !== m.outputs) {
    throw new DataError(
      `${file}: ${targets.length} target column${targets.length === 1 ? '' : 's'} but the model predicts ${m.outputs} outputs`,
    );
  }
  const warnings: DataWarning[] = [];
  const rowsOf = (t: RawTable, keep: number[]): Rows => {
    const sub = subsetTable(t, keep);
    const { inputs, warnings: unseen } = modelInputs(m, sub);
    for (const message of unseen) warnings.push({ code: 'unseen-category', message: `${t.file}: ${message}` });
    let targetsOut: Uint32Array | Float32Array;
    if (task === 'classify') targetsOut = labelsOf(t, targets[0], keep, classNames!);
    else {
      const raw = targetValues(t, targets, keep);
      const p = m.preprocessing;
      targetsOut = p?.targetMean && p.targetStd ? applyColumns(raw, keep.length, m.outputs, p.targetMean, p.targetStd) : raw;
    }
    const rows: Rows = { count: keep.length, features: m.inputs, inputs, targets: targetsOut };
    if (o.weightColumn === undefined) return rows;
    const column = resolveNames(t.file, t.header, [o.weightColumn], '--weight-column')[0];
    return { ...rows, weights: sampleWeightsOf(t, column, keep) };
  };
  const keep = rowsWithTarget(table, targets);
  if (keep.length === 0) throw new DataError(`${file}: every row's target is missing; nothing to train on`);
  if (keep.length < table.count) {
    warnings.push({
      code: 'missing-target',
      message: `${table.count - keep.length} of ${table.count} rows have no value in the target column${targets.length > 1 ? 's' : ''} (${targets.join(', ')}) and are left out`,
    });
  }
  // Labels first: a class the model does not know is refused before any split.
  const labels = task === 'classify' ? labelsOf(table, targets[0], keep, classNames!) : undefined;
  const classes = task === 'classify' ? classNames!.length : m.outputs;
  const { trainPos, testPos, validPos } = tableSplits(
    keep.length,
    testTable ? undefined : (o.testFraction ?? DEFAULT_TEST_FRACTION),
    o.validation !== undefined && o.validation > 0 ? o.validation : undefined,
    o.seed ?? 0,
    labels,
    classes,
  );
  const at = (pos: number[]) => pos.map((k) => keep[k]);
  const train = rowsOf(table, at(trainPos));
  const test = testTable ? rowsOf(testTable, rowsWithTarget(testTable, targets)) : rowsOf(table, at(testPos));
  const validation = validPos && rowsOf(table, at(validPos));
  if (o.weightColumn !== undefined) checkSplitWeights(o.weightColumn, file, testTable?.file ?? file, { train, validation, test });
  const data: DataSet = {
    task,
    train,
    ...(validation ? { validation } : {}),
    test,
    classes,
    featureNames: encodedNames(pipeline),
    classNames: classNames && [...classNames],
    source: o.testFile !== undefined ? `${file} + ${o.testFile}` : file,
    pipeline,
    ...(m.preprocessing ? { preprocessing: m.preprocessing } : {}),
  };
  checkDataSet(data);
  return { ...data, warnings };
}
