/**
 * Holding rows out of a split: a seeded random fraction, stratified by class for classification
 * (each class keeps its share, as scikit-learn's train_test_split(stratify=y)). The draw comes
 * from its own default_rng(seed) stream, so the training stream (weights, epoch order) is the
 * same with or without a split.
 */
import { defaultRng } from '../rng/index.js';
import { type DataSet, DataError, type Rows, takeRows } from './dataset.js';

export interface Split {
  kept: Rows;
  held: Rows;
}

/** Checks a hold-out fraction: a number strictly between 0 and 1. */
export function checkFraction(name: string, fraction: number): void {
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) {
    throw new DataError(`Expected ${name} to be a fraction between 0 and 1 (e.g. 0.2) but received ${fraction}`);
  }
}

/**
 * Holds out round(fraction * n) rows (per class when `classes` is given, at least one row of every
 * class with two or more rows). Both parts keep the rows' original order.
 */
export function splitRows(rows: Rows, fraction: number, seed: number, classes?: number, name = 'fraction'): Split {
  const labels = classes !== undefined && rows.targets instanceof Uint32Array ? rows.targets : undefined;
  const { kept, held } = splitIndices(rows.count, fraction, seed, labels && classes, labels, name);
  return { kept: takeRows(rows, kept), held: takeRows(rows, held) };
}

/** The row indices splitRows keeps and holds out (labels given: stratified by class). */
export function splitIndices(
  count: number,
  fraction: number,
  seed: number,
  classes?: number,
  labels?: Uint32Array,
  name = 'fraction',
): { kept: number[]; held: number[] } {
  checkFraction(name, fraction);
  const rng = defaultRng(seed);
  const held = new Uint8Array(count);
  if (classes !== undefined && labels) {
    const byClass: number[][] = Array.from({ length: classes }, () => []);
    for (let i = 0; i < count; i++) byClass[labels[i]].push(i);
    for (const members of byClass) {
      if (members.length < 2) continue;
      const take = Math.min(members.length - 1, Math.max(1, Math.round(members.length * fraction)));
      const order = rng.permutation(members.length);
      for (let k = 0; k < take; k++) held[members[order[k]]] = 1;
    }
  } else {
    const take = Math.round(count * fraction);
    const order = rng.permutation(count);
    for (let k = 0; k < take; k++) held[order[k]] = 1;
  }
  const keptIdx: number[] = [];
  const heldIdx: number[] = [];
  for (let i = 0; i < count; i++) (held[i] ? heldIdx : keptIdx).push(i);
  if (keptIdx.length === 0 || heldIdx.length === 0) {
    throw new DataError(
      `${name} ${fraction} of ${count} rows leaves ${keptIdx.length === 0 ? 'no rows to train on' : 'no rows to hold out'}; use more rows or another fraction`,
    );
  }
  return { kept: keptIdx, held: heldIdx };
}

/** The data set with `fraction` of its training rows moved to a validation split. */
export function withValidation(data: DataSet, fraction: number, seed: number): DataSet {
  const { kept, held } = splitRows(data.train, fraction, seed, data.task === 'classify' ? data.classes : undefined, 'validation');
  return { ...data, train: kept, validation: held };
}

/** Positions 0 .. count - 1 of a table's kept rows, split for training (tableSplits). */
export interface TableSplits {
  trainPos: number[];
  testPos: number[];
  validPos?: number[];
}

/**
 * A table's kept rows split by position: first the test rows (testFraction of them; none when a
 * test file gives them: undefined), then the validation rows out of the rest (none when
 * `validation` is undefined), both seeded by `seed` and stratified by `labels` when given.
 */
export function tableSplits(
  count: number,
  testFraction: number | undefined,
  validation: number | undefined,
  seed: number,
  labels?: Uint32Array,
  classes?: number,
): TableSplits {
  let trainPos = Array.from({ length: count }, (_, k) => k);
  let testPos: number[] = [];
  if (testFraction !== undefined) {
    const s = splitIndices(count, testFraction, seed, labels && classes, labels, 'test fraction');
    trainPos = s.kept;
    testPos = s.held;
  }
  if (validation === undefined) return { trainPos, testPos };
  const trainLabels = labels && Uint32Array.from(trainPos, (k) => labels[k]);
  const v = splitIndices(trainPos.length, validation, seed, trainLabels && classes, trainLabels, 'validation');
  return { trainPos: v.kept.map((i) => trainPos[i]), testPos, validPos: v.held.map((i) => trainPos[i]) };
}
