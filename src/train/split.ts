/** The validation split of a training run: the data set's own, or the last rows of train. */
import type { DataSet, LabeledImages } from '../data/mnist.js';

/** Rows [from, to) of a set, as views (no copy). */
function rows(set: LabeledImages, from: number, to: number): LabeledImages {
  return {
    images: set.images.subarray(from * set.features, to * set.features),
    labels: set.labels.subarray(from, to),
    count: to - from,
    features: set.features,
  };
}

/**
 * train and validation as the run uses them. validationSplit > 0 holds out the last
 * floor(count * fraction) rows (Keras' validation_split, taken before any shuffling).
 */
export function splitValidation(data: DataSet, validationSplit: number): { train: LabeledImages; validation?: LabeledImages } {
  if (validationSplit <= 0) return { train: data.train, validation: data.validation };
  if (data.validation) {
    throw new RangeError('Expected either a data set with its own validation split or validationSplit > 0, not both');
  }
  const n = data.train.count;
  const held = Math.floor(n * validationSplit);
  if (held < 1 || held >= n) {
    throw new RangeError(`validationSplit ${validationSplit} of ${n} training rows leaves ${held} for validation and ${n - held} for training; both need at least 1`);
  }
  return { train: rows(data.train, 0, n - held), validation: rows(data.train, n - held, n) };
}
