/**
 * Caller data as Rows: inputs as number[][], as a flat Float32Array (or any numeric array) with a
 * feature count, or as bytes (Uint8Array, gathered as x / 255); targets as class indices, class
 * names (strings), or numbers / number[][] for regression. Everything is validated with the row
 * and column of the first bad value.
 */
import { sortClassNames } from './csv.js';
import { BYTE_SCALE, DataError, DEFAULT_CLASSES, type Rows, type Task, checkDataSet, type DataSet } from './dataset.js';

/** Inputs a caller may pass. */
export type InputArray = readonly (readonly number[])[] | Float32Array | Float64Array | Uint8Array | readonly number[];
/** Targets a caller may pass. */
export type TargetArray = ArrayLike<number> | readonly string[] | readonly (readonly number[])[];

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  return Array.isArray(v) ? 'Array' : typeof v;
}

/** Inputs as float32 (or bytes kept as they are) plus their shape; DataError at the first bad value. */
export function inputRows(
  x: InputArray,
  features: number | undefined,
  name: string,
): { inputs: Float32Array | Uint8Array; count: number; features: number } {
  if (Array.isArray(x) && (x.length === 0 || Array.isArray(x[0]))) {
    const rows = x as readonly (readonly number[])[];
    const f = features ?? (rows.length ? rows[0].length : 0);
    if (!Number.isInteger(f) || f < 1) throw new DataError(`${name}: expected rows of at least one feature but received ${f}`);
    const out = new Float32Array(rows.length * f);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (!Array.isArray(r)) throw new DataError(`${name}: row ${i + 1} is ${typeName(r)}, expected an array of ${f} numbers`);
      if (r.length !== f)
        throw new DataError(
          `${name}: row ${i + 1} has ${r.length} values but rows need ${f} features${features === undefined ? ' (as row 1)' : ''}`,
        );
      for (let j = 0; j < f; j++) {
        const v = r[j];
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new DataError(
            `${name}: row ${i + 1}, column ${j + 1} is ${typeof v === 'number' ? v : (JSON.stringify(v) ?? typeName(v))}; every feature must be a finite number`,
          );
        }
        out[i * f + j] = v;
      }
    }
    return { inputs: out, count: rows.length, features: f };
  }
  const flat = x as ArrayLike<number>;
  if (!(ArrayBuffer.isView(flat) || Array.isArray(flat))) {
    throw new DataError(`${name}: expected number[][], a Float32Array or a Uint8Array but received ${typeName(x)}`);
  }
  if (!Number.isInteger(features) || features! < 1) {
    throw new DataError(`${name}: a flat ${typeName(x)} needs the feature count (features: N) but received ${features}`);
  }
  const f = features!;
  if (flat.length % f !== 0) throw new DataError(`${name}: ${flat.length} values is not a whole number of ${f}-feature rows`);
  if (flat instanceof Uint8Array) return { inputs: flat, count: flat.length / f, features: f };
  const out = flat instanceof Float32Array ? flat : Float32Array.from(flat as ArrayLike<number>);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]) || (!(flat instanceof Float32Array) && typeof flat[i] !== 'number')) {
      throw new DataError(
        `${name}: row ${Math.floor(i / f) + 1}, column ${(i % f) + 1} is ${flat[i]}; every feature must be a finite number`,
      );
    }
  }
  return { inputs: out, count: out.length / f, features: f };
}

/** Class targets as indices; names sorted as CSV class names are when the caller passes strings. */
export function classTargets(
  y: TargetArray,
  count: number,
  name: string,
  classNames?: readonly string[],
  classes?: number,
): { targets: Uint32Array; classNames?: string[]; classes: number } {
  if (y.length !== count) throw new DataError(`${name}: ${y.length} targets for ${count} rows; they must agree`);
  if (count > 0 && typeof y[0] === 'string') {
    const names = classNames ? [...classNames] : sortClassNames(y as readonly string[]);
    const index = new Map(names.map((n, i) => [n, i]));
    const out = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      const k = index.get(y[i] as string);
      if (k === undefined)
        throw new DataError(
          `${name}: row ${i + 1} has class ${JSON.stringify(y[i])}, which is not one of ${names.map((n) => JSON.stringify(n)).join(', ')}`,
        );
      out[i] = k;
    }
    return { targets: out, classNames: names, classes: names.length };
  }
  const out = new Uint32Array(count);
  let max = 0;
  for (let i = 0; i < count; i++) {
    const v = y[i] as unknown;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new DataError(
        `${name}: row ${i + 1} has label ${JSON.stringify(v) ?? typeName(v)}; class labels are integers >= 0 (or strings)`,
      );
    }
    out[i] = v;
    if (v > max) max = v;
  }
  const n = classes ?? classNames?.length ?? Math.max(2, max + 1);
  return { targets: out, classNames: classNames && [...classNames], classes: n };
}

/** Regression targets as count x outputs float32. */
export function valueTargets(y: TargetArray, count: number, name: string): { targets: Float32Array; outputs: number } {
  if (y.length !== count) throw new DataError(`${name}: ${y.length} targets for ${count} rows; they must agree`);
  const nested = count > 0 && Array.isArray(y[0]);
  const outputs = nested ? (y[0] as readonly number[]).length : 1;
  if (outputs < 1) throw new DataError(`${name}: row 1 has no target values`);
  const out = new Float32Array(count * outputs);
  for (let i = 0; i < count; i++) {
    const row = nested ? (y[i] as readonly number[]) : [y[i] as number];
    if (!Array.isArray(row) || row.length !== outputs) throw new DataError(`${name}: row ${i + 1} needs ${outputs} target values`);
    for (let j = 0; j < outputs; j++) {
      const v = row[j];
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new DataError(
          `${name}: row ${i + 1}, target ${j + 1} is ${JSON.stringify(v) ?? typeName(v)}; targets must be finite numbers`,
        );
      out[i * outputs + j] = v;
    }
  }
  return { targets: out, outputs };
}

/** One split of caller data. */
export interface ArraySplit {
  x: InputArray;
  y: TargetArray;
}

export interface ArrayDataOptions {
  task?: Task;
  /** Features per row, needed for flat typed arrays. */
  features?: number;
  featureNames?: readonly string[];
  classNames?: readonly string[];
  /** The class count (default: from the labels, or the class names). */
  classes?: number;
  /** One weight per training row (finite, >= 0): the loss becomes their weighted mean. */
  sampleWeight?: ArrayLike<number>;
}

/** A checked DataSet from caller arrays: train, optional validation and test (test defaults to none). */
export function dataSetFromSplits(train: ArraySplit, o: ArrayDataOptions & { validation?: ArraySplit; test?: ArraySplit } = {}): DataSet {
  const task = o.task ?? 'classify';
  if (task !== 'classify' && task !== 'regress')
    throw new DataError(`Expected task to be "classify" or "regress" but received ${JSON.stringify(task)}`);
  const tr = inputRows(train.x, o.features, 'train');
  let classNames = o.classNames && [...o.classNames];
  let classes: number;
  let trainTargets: Uint32Array | Float32Array;
  if (task === 'classify') {
    const c = classTargets(train.y, tr.count, 'train', classNames, o.classes);
    ({ classes } = c);
    classNames = c.classNames;
    trainTargets = c.targets;
  } else {
    const v = valueTargets(train.y, tr.count, 'train');
    classes = v.outputs;
    trainTargets = v.targets;
  }
  const split = (s: ArraySplit | undefined, name: string): Rows | undefined => {
    if (!s) return undefined;
    const r = inputRows(s.x, tr.features, name);
    const targets =
      task === 'classify' ? classTargets(s.y, r.count, name, classNames, classes).targets : valueTargets(s.y, r.count, name).targets;
    return { ...r, targets };
  };
  const weights = o.sampleWeight === undefined ? undefined : sampleWeights(o.sampleWeight, tr.count);
  const test = split(o.test, 'test') ?? {
    count: 0,
    features: tr.features,
    inputs: new Float32Array(0),
    targets: task === 'classify' ? new Uint32Array(0) : new Float32Array(0),
  };
  return checkDataSet({
    task,
    classes,
    classNames,
    featureNames: o.featureNames && [...o.featureNames],
    source: 'arrays',
    train: { ...tr, targets: trainTargets, ...(weights ? { weights } : {}) },
    validation: split(o.validation, 'validation'),
    test,
  });
}

/** sampleWeight as float32, one finite number >= 0 per row; DataError naming the first bad one. */
function sampleWeights(w: ArrayLike<number>, count: number): Float32Array {
  if (!(ArrayBuffer.isView(w) || Array.isArray(w)))
    throw new DataError(`sampleWeight: expected an array of numbers but received ${typeName(w)}`);
  if (w.length !== count) throw new DataError(`sampleWeight: ${w.length} weights for ${count} training rows; give one per row`);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const v = w[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || !Number.isFinite(Math.fround(v))) {
      throw new DataError(`sampleWeight: row ${i + 1} has weight ${JSON.stringify(v) ?? typeName(v)}; weights must be finite numbers >= 0`);
    }
    out[i] = v;
  }
  return out;
}

/** Caller-supplied images (the original array entry): count x features bytes, labels per image. */
export interface ArrayDataSet {
  trainImages: Uint8Array;
  trainLabels: Uint8Array | Uint32Array;
  testImages: Uint8Array;
  testLabels: Uint8Array | Uint32Array;
  /** Pixels per image, e.g. 784. */
  features: number;
  /** Class count (default 10). */
  classes?: number;
}

/** Wraps and checks caller-supplied bytes (gathered as x / BYTE_SCALE) as a DataSet. */
export function dataSetFromArrays(a: ArrayDataSet): DataSet {
  for (const k of ['trainImages', 'testImages'] as const) {
    if (!(a[k] instanceof Uint8Array))
      throw new DataError(`Expected ${k} to be a Uint8Array (bytes, gathered as x / ${BYTE_SCALE}) but received ${typeName(a[k])}`);
  }
  for (const [k, name] of [
    ['trainLabels', 'train'],
    ['testLabels', 'test'],
  ] as const) {
    if (a[k]?.length === 0) throw new DataError(`${k} is empty; the ${name} set needs at least one example`);
  }
  return dataSetFromSplits(
    { x: a.trainImages, y: a.trainLabels },
    { features: a.features, classes: a.classes ?? DEFAULT_CLASSES, test: { x: a.testImages, y: a.testLabels } },
  );
}
