/**
 * CSV rows for a saved model: its feature columns picked by name (extra columns ignored, the
 * target column allowed), and for evaluation the target mapped onto the model's classes or
 * scaled as the model's targets were.
 */
import { type CsvTable, labelIndices, readCsv } from './csv.js';
import { DataError, type Preprocessing, type Rows, type Task } from './dataset.js';
import { applyColumns, prepareInputs } from './standardize.js';

/** What a model file says about its data (see model/data-meta.ts), with its layer sizes. */
export interface ModelShape {
  inputs: number;
  outputs: number;
  task?: Task;
  featureNames?: readonly string[];
  classNames?: readonly string[];
  preprocessing?: Preprocessing;
}

function featuresOf(file: string, m: ModelShape): readonly string[] {
  if (!m.featureNames) {
    throw new DataError(`${file}: the model has no feature names (it was not trained on named columns), so CSV rows cannot be matched to its ${m.inputs} inputs`);
  }
  return m.featureNames;
}

/** The model's feature columns of `file` as raw floats (for prediction); a target column may be present. */
export function readCsvInputs(file: string, m: ModelShape): Promise<CsvTable> {
  return readCsv(file, { features: featuresOf(file, m) });
}

/** Rows of `file` ready to evaluate `m` on: standardised inputs, targets as the model was trained on. */
export async function readCsvForEval(file: string, m: ModelShape, target: string): Promise<Rows> {
  const task = m.task ?? 'classify';
  const table = await readCsv(file, { features: featuresOf(file, m), target, task });
  const inputs = prepareInputs(table.inputs, table.count, table.features, m.preprocessing);
  let targets: Uint32Array | Float32Array;
  if (task === 'classify') {
    const names = m.classNames ?? Array.from({ length: m.outputs }, (_, i) => String(i));
    targets = labelIndices(table, names, target);
  } else {
    if (m.outputs !== 1) throw new DataError(`${file}: the model predicts ${m.outputs} outputs; a CSV target column holds one`);
    const p = m.preprocessing;
    targets = p?.targetMean && p.targetStd ? applyColumns(table.values!, table.count, 1, p.targetMean, p.targetStd) : table.values!;
  }
  return { count: table.count, features: table.features, inputs, targets };
}
