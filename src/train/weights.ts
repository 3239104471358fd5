/**
 * Class weights (a training setting) and sample weights (a data column, Rows.weights) combined
 * into one weight per row, w_i = sampleWeight_i * classWeight[y_i] in float32, which the loss
 * heads use as the weighted mean sum_i w_i l_i / sum_i w_i (nn/loss.ts). When every row weighs
 * exactly 1 there are no weights: the unweighted kernels run, as they always have.
 */
import type { DataSet, Rows } from '../data/dataset.js';
import { showValue } from '../show-value.js';
import { TrainSetupError } from './events.js';

/**
 * 'balanced' (scikit-learn's compute_class_weight: n_rows / (n_classes * count_c) over the
 * training rows, classes absent from them weighing 1) or weights by class name (unlisted classes
 * weigh 1). `{}`: none.
 */
export type ClassWeight = 'balanced' | Readonly<Record<string, number>>;

/** Throws a RangeError unless `v` is a ClassWeight with finite weights >= 0. */
export function checkClassWeight(v: unknown): asserts v is ClassWeight {
  if (v === 'balanced') return;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new RangeError(`Expected classWeight to be "balanced" or weights by class name ({ "a": 2, ... }) but received ${showValue(v)}`);
  }
  for (const [name, w] of Object.entries(v)) {
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0 || !Number.isFinite(Math.fround(w))) {
      throw new RangeError(`Expected the weight of class ${JSON.stringify(name)} to be a finite number >= 0 but received ${showValue(w)}`);
    }
  }
}

/** The names classes go by in classWeight: the data's class names, else the indices "0", "1", ... */
export function classNamesOf(data: DataSet): string[] {
  return data.classNames ?? Array.from({ length: data.classes }, (_, i) => String(i));
}

/** The weight of each class index, or undefined when every class weighs 1. TrainSetupError for a name the data has not. */
export function resolveClassWeights(spec: ClassWeight, data: DataSet): Float32Array | undefined {
  if (spec !== 'balanced' && Object.keys(spec).length === 0) return undefined;
  if (data.task !== 'classify') {
    throw new TrainSetupError(
      'Expected no class weights for a regression run (they weigh classes); weigh rows with a weight column (--weight-column) instead',
    );
  }
  const C = data.classes;
  const out = new Float32Array(C).fill(1);
  if (spec === 'balanced') {
    const labels = data.train.targets as Uint32Array;
    const counts = new Float64Array(C);
    for (let i = 0; i < data.train.count; i++) counts[labels[i]]++;
    const present = counts.filter((n) => n > 0).length;
    for (let c = 0; c < C; c++) if (counts[c] > 0) out[c] = data.train.count / (present * counts[c]);
  } else {
    const names = classNamesOf(data);
    for (const [name, w] of Object.entries(spec)) {
      const k = names.indexOf(name);
      if (k < 0) {
        throw new TrainSetupError(
          `classWeight (--class-weight) names class ${JSON.stringify(name)}, which the data does not have; its classes are ${names.map((n) => JSON.stringify(n)).join(', ')}`,
        );
      }
      out[k] = w;
    }
  }
  return out.every((w) => w === 1) ? undefined : out;
}

/** w_i = sampleWeight_i * classWeight[y_i] per row of `set` (float32), or undefined when every row weighs 1. */
export function rowWeights(set: Rows, classWeights: Float32Array | undefined): Float32Array | undefined {
  const sample = set.weights;
  if (!sample && !classWeights) return undefined;
  const labels = set.targets instanceof Uint32Array ? set.targets : undefined;
  const out = new Float32Array(set.count);
  for (let i = 0; i < set.count; i++)
    out[i] = Math.fround((sample ? sample[i] : 1) * (classWeights && labels ? classWeights[labels[i]] : 1));
  return out.every((w) => w === 1) ? undefined : out;
}

/** The sum of `weights` in float64 (the divisor of an epoch's weighted mean loss), or `count` without weights. */
export function totalWeight(weights: Float32Array | undefined, count: number): number {
  if (!weights) return count;
  let s = 0;
  for (let i = 0; i < weights.length; i++) s += weights[i];
  return s;
}

/** The training rows' weights, refusing weights that leave every row at 0. */
export function trainingWeights(data: DataSet, classWeights: Float32Array | undefined): Float32Array | undefined {
  const w = rowWeights(data.train, classWeights);
  if (w && totalWeight(w, 0) === 0) {
    throw new TrainSetupError(
      "Expected some training row to weigh more than 0 but every sample weight times class weight is 0; raise a class weight (--class-weight) or the rows' weights",
    );
  }
  return w;
}
