/**
 * Start-up of a run: the data is read on libuv's thread pool while this thread draws the initial
 * weights (the notebook's stream: weights first, then the epoch order). When the guessed shape
 * turns out wrong (the labels name more classes), the weights are drawn again from a fresh
 * default_rng(seed), exactly what train() would have drawn.
 */
import type { DataSet } from '../data/dataset.js';
import type { ActivationSpec } from '../nn/activation.js';
import { initMlp, type InitScheme } from '../nn/init.js';
import type { Mlp } from '../nn/mlp.js';
import { defaultRng, type Generator } from '../rng/index.js';

export interface Started {
  data: DataSet;
  net: Mlp;
  /** The stream that drew net, to continue with the epoch order. */
  rng: Generator;
}

/**
 * Awaits `pending` while drawing a net of `[features, ...hidden, outputs]` (when `features` is
 * known early); returns the data with a net of the right shape and the stream after it.
 */
export async function loadWhileDrawing(
  pending: Promise<DataSet>,
  guess: { features: number | null; outputs: number },
  hidden: readonly number[],
  seed: number,
  activation: ActivationSpec = 'relu',
  init: InitScheme = 'notebook',
): Promise<Started> {
  pending.catch(() => {}); // awaited below; this only stops an early rejection being "unhandled"
  let rng = defaultRng(seed);
  let net = guess.features === null ? undefined : initMlp([guess.features, ...hidden, guess.outputs], rng, undefined, activation, init);
  const data = await pending;
  if (!net || net.inputs !== data.train.features || net.classes !== data.classes) {
    rng = defaultRng(seed);
    net = initMlp([data.train.features, ...hidden, data.classes], rng, undefined, activation, init);
  }
  return { data, net, rng };
}
