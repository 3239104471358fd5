/**
 * Initial weights drawn as the notebook draws them: W_l = rng.normal(0, std, size=(in, out))
 * cast to float32, layer by layer in order, biases zero. With NumPy's default_rng(seed) stream
 * this gives bit-identical weights.
 */
import type { Generator } from '../rng/generator.js';
import { defaultRng } from '../rng/index.js';
import { Mlp } from './mlp.js';

/** The notebook's standard deviation for every weight matrix. */
export const INIT_STD = 0.02;

export function initMlp(sizes: readonly number[], rng: Generator, std = INIT_STD): Mlp {
  // An infinite or NaN std gives infinite or NaN weights that train to NaN; refuse it up front.
  if (typeof std !== 'number' || !Number.isFinite(std) || std < 0) {
    throw new RangeError(`Expected std to be a finite number >= 0 but received ${typeof std === 'number' ? std : typeof std}`);
  }
  const net = new Mlp(sizes);
  for (let l = 1; l <= net.layers; l++) rng.fillNormalF32(net.W[l], 0, std);
  return net;
}

/** A new network with the notebook's initialisation from NumPy's default_rng(seed) stream. */
export function createModel(options: { sizes: readonly number[]; seed?: number; std?: number }): Mlp {
  return initMlp(options.sizes, defaultRng(options.seed ?? 0), options.std ?? INIT_STD);
}
