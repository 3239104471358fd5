/**
 * Per-feature standardisation fitted on the training split only (scikit-learn's StandardScaler:
 * population std, a zero std replaced by 1), applied to every split; for regression the targets
 * too. The fitted values travel in the model file, so a saved model predicts from raw rows.
 */
import { type DataSet, type Preprocessing, type Rows } from './dataset.js';

/** Mean and population standard deviation of each column of a count x cols block (float64 sums). */
export function fitColumns(x: ArrayLike<number>, count: number, cols: number): { mean: Float32Array; std: Float32Array } {
  const sum = new Float64Array(cols);
  for (let i = 0; i < count; i++) for (let j = 0; j < cols; j++) sum[j] += x[i * cols + j];
  const mean = new Float64Array(cols);
  for (let j = 0; j < cols; j++) mean[j] = count ? sum[j] / count : 0;
  const sq = new Float64Array(cols);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < cols; j++) {
      const d = x[i * cols + j] - mean[j];
      sq[j] += d * d;
    }
  }
  const std = new Float32Array(cols);
  for (let j = 0; j < cols; j++) {
    const s = count ? Math.sqrt(sq[j] / count) : 0;
    std[j] = s > 0 && Number.isFinite(s) ? s : 1; // a constant column passes through centred
  }
  return { mean: Float32Array.from(mean), std };
}

/** out = (x - mean) / std per column, in float32 (one rounding of the float64 result). */
export function applyColumns(x: ArrayLike<number>, count: number, cols: number, mean: Float32Array, std: Float32Array): Float32Array {
  const out = new Float32Array(count * cols);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < cols; j++) out[i * cols + j] = (x[i * cols + j] - mean[j]) / std[j];
  }
  return out;
}

/** x * std + mean per column, in place: predictions back in the targets' units. */
export function invertColumns(x: Float32Array, count: number, cols: number, mean: Float32Array, std: Float32Array): void {
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < cols; j++) x[i * cols + j] = x[i * cols + j] * std[j] + mean[j];
  }
}

function applyRows(rows: Rows, p: Preprocessing, outputs: number): Rows {
  let { inputs, targets } = rows;
  if (p.featureMean && p.featureStd) inputs = applyColumns(inputs, rows.count, rows.features, p.featureMean, p.featureStd);
  if (p.targetMean && p.targetStd) targets = applyColumns(targets, rows.count, outputs, p.targetMean, p.targetStd);
  return { ...rows, inputs, targets };
}

/**
 * Fits on data.train and returns the data set with every split transformed (new arrays) and
 * `preprocessing` set. Features are standardised when `features` is true (bytes become floats);
 * regression targets always are.
 */
export function standardize(data: DataSet, features = true): DataSet {
  const p: Preprocessing = {};
  const t = data.train;
  if (features) {
    const { mean, std } = fitColumns(t.inputs, t.count, t.features);
    p.featureMean = mean;
    p.featureStd = std;
  }
  if (data.task === 'regress') {
    const { mean, std } = fitColumns(t.targets, t.count, data.classes);
    p.targetMean = mean;
    p.targetStd = std;
  }
  return standardizeWith(data, p);
}

/** Every split transformed with statistics fitted before (a saved model's): nothing is refitted. */
export function standardizeWith(data: DataSet, p: Preprocessing | undefined): DataSet {
  if (!p?.featureMean && !p?.targetMean) return data;
  return {
    ...data,
    train: applyRows(data.train, p, data.classes),
    validation: data.validation && applyRows(data.validation, p, data.classes),
    test: applyRows(data.test, p, data.classes),
    preprocessing: p,
  };
}

/** Raw float rows as the network wants them: the model's feature standardisation applied. */
export function prepareInputs(x: Float32Array, count: number, features: number, p?: Preprocessing): Float32Array {
  return p?.featureMean && p.featureStd ? applyColumns(x, count, features, p.featureMean, p.featureStd) : x;
}
