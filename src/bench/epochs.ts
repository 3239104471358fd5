/**
 * Whole training epochs for the bench: the notebook's schedule on MNIST (sparse inputs: 81 % of
 * pixels are zero) and on "dense MNIST" (every zero pixel replaced by 1, which trains the same
 * way but gives the first layer no zeros to skip), epoch 1 reported apart from the median of the
 * later ones, and the epoch's arithmetic rate against the machine's measured FMA limit.
 */
import type { Backend } from '../backend/contract.js';
import type { DataSet } from '../data/mnist.js';
import { cliEpochs } from './cli-epochs.js';

/** The notebook's printed accuracies after epochs 1 and 2 (checked before any time is reported). */
const NOTEBOOK_ACCURACY = [0.9092, 0.927];

export interface EpochTimes {
  /** Seconds of each epoch's training pass (the accuracy pass is not counted). */
  seconds: number[];
  /** Training accuracy after each epoch. */
  accuracy: number[];
  /** Seconds of epoch 1. */
  first: number;
  /** Median seconds of epochs 2 .. N. */
  median: number;
}

/** Dense-product flops of one epoch of a 784-128-10 net on 60,000 images: forward, both weight gradients, dh1. */
export function epochFlops(images: number, sizes: readonly number[] = [784, 128, 10]): number {
  let weights = 0;
  for (let l = 1; l < sizes.length; l++) weights += sizes[l - 1] * sizes[l];
  const back = sizes.slice(2).reduce((sum, _, i) => sum + sizes[i + 1] * sizes[i + 2], 0);
  return 2 * images * (2 * weights + back);
}

/** MNIST with every zero pixel replaced by 1 (train and test): same shapes and labels, no zeros. */
export function denseMnist(data: DataSet): DataSet {
  const fill = (images: Uint8Array) => {
    const out = Uint8Array.from(images);
    for (let i = 0; i < out.length; i++) if (out[i] === 0) out[i] = 1;
    return out;
  };
  return {
    ...data,
    train: { ...data.train, inputs: fill(data.train.inputs as Uint8Array) },
    test: { ...data.test, inputs: fill(data.test.inputs as Uint8Array) },
    source: `${data.source} (zeros replaced by 1)`,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Trains `epochs` epochs of the notebook's job on the IDX folder `dataDir` through the CLI
 * (`native-mlp train`, a fresh process: what users run) on `be`'s backend at `threads`, and times
 * each. On real MNIST the first two accuracies must be the notebook's (±0.001), or nothing is reported.
 */
export function timeEpochs(be: Backend, threads: number, dataDir: string, epochs: number, notebook: boolean): EpochTimes {
  const r = cliEpochs(['--backend', be.name, '--threads', String(threads), '--data', dataDir, '--epochs', String(epochs)]);
  const accuracy = r.accuracy;
  if (notebook) {
    NOTEBOOK_ACCURACY.slice(0, epochs).forEach((want, i) => {
      if (Math.abs(accuracy[i] - want) > 0.001) {
        throw new Error(`bench: ${be.name} epoch ${i + 1} accuracy ${accuracy[i]} is not the notebook's ${want} (±0.001); not timing it`);
      }
    });
  }
  const seconds = r.seconds;
  return { seconds, accuracy, first: seconds[0], median: median(seconds.slice(1)) };
}
