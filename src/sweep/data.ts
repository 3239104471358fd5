/**
 * The sweep's data: read once, its arrays moved onto SharedArrayBuffer so every training worker
 * reads the same memory (no parse or copy per run); K-fold splits (stratified for classes, as
 * scikit-learn's StratifiedKFold); the file's SHA-256, which workers and resumes check.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type DataSet, type Rows, takeRows } from '../data/dataset.js';
import { defaultRng } from '../rng/index.js';
import { SweepError } from './errors.js';

function sharedCopy<T extends Float32Array | Uint8Array | Uint32Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as new (b: SharedArrayBuffer) => T;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

function sharedRows(r: Rows): Rows {
  return { ...r, inputs: sharedCopy(r.inputs), targets: sharedCopy(r.targets), ...(r.weights ? { weights: sharedCopy(r.weights) } : {}) };
}

/** The data set with every split's arrays on shared memory (posting it to a worker copies nothing). */
export function shareDataSet(d: DataSet): DataSet {
  return { ...d, train: sharedRows(d.train), validation: d.validation && sharedRows(d.validation), test: sharedRows(d.test) };
}

/** A sweep's data as its trainings take it: the whole set, or fold k of `folds`; each made once, on shared memory. */
export class UnitData {
  private whole: DataSet | undefined;
  private readonly byFold = new Map<number, DataSet>();

  constructor(
    private readonly data: DataSet,
    private readonly folds?: number,
  ) {}

  get(fold?: number): DataSet {
    if (fold === undefined || this.folds === undefined) return (this.whole ??= shareDataSet(this.data));
    let d = this.byFold.get(fold);
    if (!d) this.byFold.set(fold, (d = shareDataSet(foldDataSet(this.data, this.folds, fold, 0))));
    return d;
  }
}

/**
 * Fold k of K over the training rows: validation = the rows of fold k, training = the rest, in
 * their original order. Rows are dealt to folds from a seeded permutation, per class for
 * classification, so every fold keeps each class's share.
 */
export function foldDataSet(d: DataSet, folds: number, k: number, seed: number): DataSet {
  const rows = d.train;
  if (!Number.isInteger(folds) || folds < 2) throw new SweepError(`--folds must be an integer >= 2, got ${folds}`);
  if (rows.count < folds) throw new SweepError(`--folds ${folds}: only ${rows.count} training rows`);
  if (d.validation) throw new SweepError('--folds and a validation split exclude each other; pass one');
  const fold = new Uint32Array(rows.count);
  const rng = defaultRng(seed);
  const groups: number[][] = [];
  if (d.task === 'classify') {
    for (let c = 0; c < d.classes; c++) groups.push([]);
    for (let i = 0; i < rows.count; i++) groups[rows.targets[i]].push(i);
  } else groups.push(Array.from({ length: rows.count }, (_, i) => i));
  let next = 0; // continues across classes so small classes do not all land in fold 0
  for (const members of groups) {
    const order = rng.permutation(members.length);
    for (let j = 0; j < members.length; j++) fold[members[order[j]]] = next++ % folds;
  }
  const kept: number[] = [];
  const held: number[] = [];
  for (let i = 0; i < rows.count; i++) (fold[i] === k ? held : kept).push(i);
  return { ...d, train: takeRows(rows, kept), validation: takeRows(rows, held) };
}

/** SHA-256 (hex) of a file, streamed. */
export function fileSha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (b) => h.update(b))
      .on('error', (e) => reject(new SweepError(`${file}: cannot read the data to hash it: ${e.message}`)))
      .on('end', () => resolve(h.digest('hex')));
  });
}

/** SHA-256 (hex) of bytes. */
export function bytesSha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}
