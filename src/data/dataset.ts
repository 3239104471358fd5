/**
 * The data set every source turns into (IDX folders, CSV files, caller arrays): rows x features
 * inputs and per-row targets, split into train / validation / test, with the names that travel
 * into the model file. Validation here names the split, row and column of the first bad value.
 */
import { DataError } from '../errors.js';
import type { ColumnSummary } from './inspect.js';
import type { Pipeline } from './pipeline.js';
import type { DataWarning } from './warnings.js';

export { DataError } from '../errors.js';

/** classify: softmax cross-entropy over class indices; regress: linear outputs, squared error. */
export type Task = 'classify' | 'regress';

export const TASKS: readonly Task[] = ['classify', 'regress'];

/** Classes of MNIST-format data sets (digits, Fashion-MNIST's garments). */
export const DEFAULT_CLASSES = 10;

/** The divisor bytes are gathered with: x / 255, NumPy's float32 rounding (MNIST's pixels). */
export const BYTE_SCALE = 255;

/** One split: `count` rows of `features` inputs and their targets. */
export interface Rows {
  count: number;
  features: number;
  /**
   * count x features, row-major: float32 values as they enter the network, or bytes that the
   * batch gather divides by BYTE_SCALE (MNIST's pixels; keeps the notebook's /255 bit-exact).
   */
  inputs: Float32Array | Uint8Array;
  /** classify: one class index per row (Uint32Array); regress: count x outputs values (Float32Array). */
  targets: Uint32Array | Float32Array;
  /** Sample weights, one per row (finite, >= 0): the loss is their weighted mean. Absent: every row 1. */
  weights?: Float32Array;
}

/**
 * Per-feature and per-target standardisation, fitted on the training split: the network sees
 * (x - featureMean) / featureStd and learns (y - targetMean) / targetStd.
 */
export interface Preprocessing {
  featureMean?: Float32Array;
  featureStd?: Float32Array;
  /** Regression only: predictions are de-standardised as y * targetStd + targetMean. */
  targetMean?: Float32Array;
  targetStd?: Float32Array;
}

export interface DataSet {
  task: Task;
  train: Rows;
  /** Held out from the training rows (--validation); measured after every epoch. */
  validation?: Rows;
  test: Rows;
  /** classify: the class count; regress: the number of outputs. The network's last layer. */
  classes: number;
  featureNames?: string[];
  /** classify: the name of each class index (CSV targets, or caller strings). */
  classNames?: string[];
  /** Where the data came from (a folder, a file, "arrays"). */
  source: string;
  /** Set by standardize(): what was applied to inputs and targets (stored in the model file). */
  preprocessing?: Preprocessing;
  /** Tables: the fitted pipeline that encoded the raw columns (stored in the model file). */
  pipeline?: Pipeline;
  /** Tables: each column as `inspect` describes it (the start event carries it). */
  schema?: ColumnSummary[];
  /** Tables: what the reader warns about (the fit emits each as a warning event). */
  warnings?: DataWarning[];
}

/** The number of regression outputs (targets per row) of a split. */
export function outputsOf(rows: Rows): number {
  return rows.count === 0 ? 0 : rows.targets.length / rows.count;
}

function columnName(col: number, names?: readonly string[]): string {
  return names?.[col] !== undefined ? `column ${col + 1} ("${names[col]}")` : `column ${col + 1}`;
}

/**
 * Checks one split: shapes, finite inputs and targets, class indices below `classes`. `name`
 * says which split in the message ("train", "test" ...). Throws DataError at the first problem.
 */
export function checkRows(rows: Rows, task: Task, classes: number, name: string, featureNames?: readonly string[]): void {
  const { count, features, inputs, targets } = rows;
  if (!Number.isInteger(count) || count < 0) throw new DataError(`${name}: expected a row count >= 0 but received ${count}`);
  if (!Number.isInteger(features) || features < 1) {
    throw new DataError(`${name}: expected features to be an integer >= 1 but received ${features}`);
  }
  if (!(inputs instanceof Float32Array) && !(inputs instanceof Uint8Array)) {
    throw new DataError(`${name}: expected inputs to be a Float32Array or Uint8Array but received ${typeName(inputs)}`);
  }
  if (inputs.length !== count * features) {
    throw new DataError(`${name}: inputs hold ${inputs.length} values but ${count} rows of ${features} features need ${count * features}`);
  }
  if (inputs instanceof Float32Array) {
    for (let i = 0; i < inputs.length; i++) {
      if (!Number.isFinite(inputs[i])) {
        const row = Math.floor(i / features);
        throw new DataError(
          `${name}: row ${row + 1}, ${columnName(i - row * features, featureNames)} is ${inputs[i]}; every feature must be a finite number`,
        );
      }
    }
  }
  if (rows.weights !== undefined) checkSampleWeights(rows.weights, count, name);
  if (task === 'classify') {
    if (!(targets instanceof Uint32Array)) {
      throw new DataError(`${name}: expected class indices as a Uint32Array but received ${typeName(targets)}`);
    }
    if (targets.length !== count) throw new DataError(`${name}: ${targets.length} labels for ${count} rows; they must agree`);
    for (let i = 0; i < count; i++) {
      if (targets[i] >= classes) {
        throw new DataError(`${name}: row ${i + 1} has label ${targets[i]}, which is not below the class count ${classes}`);
      }
    }
  } else {
    if (!(targets instanceof Float32Array)) {
      throw new DataError(`${name}: expected regression targets as a Float32Array but received ${typeName(targets)}`);
    }
    if (targets.length !== count * classes) {
      throw new DataError(`${name}: ${targets.length} target values for ${count} rows of ${classes} outputs (${count * classes} needed)`);
    }
    for (let i = 0; i < targets.length; i++) {
      if (!Number.isFinite(targets[i])) {
        throw new DataError(
          `${name}: row ${Math.floor(i / classes) + 1}, target ${(i % classes) + 1} is ${targets[i]}; targets must be finite numbers`,
        );
      }
    }
  }
}

/** Checks a whole data set: task, class count, every split, and that the splits agree. */
export function checkDataSet(data: DataSet): DataSet {
  if (!TASKS.includes(data.task))
    throw new DataError(`Expected task to be one of ${TASKS.join(', ')} but received ${JSON.stringify(data.task)}`);
  const min = data.task === 'classify' ? 2 : 1;
  if (!Number.isInteger(data.classes) || data.classes < min) {
    throw new DataError(
      `Expected ${data.task === 'classify' ? 'classes to be an integer >= 2' : 'outputs to be an integer >= 1'} but received ${data.classes}`,
    );
  }
  if (data.classNames && data.classNames.length !== data.classes) {
    throw new DataError(`${data.classNames.length} class names for ${data.classes} classes; they must agree`);
  }
  const features = data.train.features;
  if (data.featureNames && data.featureNames.length !== features) {
    throw new DataError(`${data.featureNames.length} feature names for ${features} features; they must agree`);
  }
  const splits: [string, Rows | undefined][] = [
    ['train', data.train],
    ['validation', data.validation],
    ['test', data.test],
  ];
  for (const [name, rows] of splits) {
    if (!rows) continue;
    checkRows(rows, data.task, data.classes, name, data.featureNames);
    if (rows.features !== features) throw new DataError(`${name} rows have ${rows.features} features but training rows have ${features}`);
  }
  if (data.train.count === 0) throw new DataError(`${data.source}: no training rows`);
  return data;
}

/** Weights: one per row, finite and >= 0, not all zero (a split of zero total weight has no loss). */
function checkSampleWeights(w: unknown, count: number, name: string): void {
  if (!(w instanceof Float32Array)) throw new DataError(`${name}: expected sample weights as a Float32Array but received ${typeName(w)}`);
  if (w.length !== count) throw new DataError(`${name}: ${w.length} sample weights for ${count} rows; they must agree`);
  let sum = 0;
  for (let i = 0; i < count; i++) {
    if (!(w[i] >= 0 && Number.isFinite(w[i])))
      throw new DataError(`${name}: row ${i + 1} has sample weight ${w[i]}; weights must be finite numbers >= 0`);
    sum += w[i];
  }
  if (count > 0 && sum === 0) throw new DataError(`${name}: every sample weight is 0; at least one row must weigh more than 0`);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (Array.isArray(v)) return 'Array';
  return typeof v;
}

/** Rows restricted to the given row indices (copies; images on a SharedArrayBuffer, as readIdx reads them). */
export function takeRows(rows: Rows, index: ArrayLike<number>): Rows {
  const f = rows.features;
  const n = index.length;
  const inputs = rows.inputs instanceof Uint8Array ? new Uint8Array(new SharedArrayBuffer(n * f)) : new Float32Array(n * f);
  const per = rows.count === 0 ? 0 : rows.targets.length / rows.count;
  const targets = rows.targets instanceof Uint32Array ? new Uint32Array(n * per) : new Float32Array(n * per);
  for (let i = 0; i < n; i++) {
    const r = index[i];
    inputs.set(rows.inputs.subarray(r * f, (r + 1) * f), i * f);
    targets.set(rows.targets.subarray(r * per, (r + 1) * per), i * per);
  }
  const w = rows.weights;
  return { count: n, features: f, inputs, targets, ...(w ? { weights: Float32Array.from(index, (r) => w[r]) } : {}) };
}
