/**
 * Initial weights, drawn from NumPy's default_rng stream layer by layer in order (W1, W2, ...),
 * each cast to float32, biases zero, so a NumPy script with the same seed draws the same bits:
 *
 * - notebook: rng.normal(0, 0.02, (in, out)) for every layer, the notebook's (IDX/MNIST default).
 * - he:       rng.normal(0, sqrt(2 / in), (in, out)) (He et al. 2015, normal): for relu, leaky_relu.
 * - glorot:   rng.uniform(-b, b, (in, out)), b = sqrt(6 / (in + out)) (Glorot & Bengio 2010,
 *             uniform; scikit-learn's MLP bound): for tanh, sigmoid, gelu, identity.
 * - auto:     he or glorot by the first hidden layer's activation, as above (the table default).
 */
import { UserError } from '../errors.js';
import type { Activation } from '../backend/activation.js';
import type { Generator } from '../rng/generator.js';
import { defaultRng } from '../rng/index.js';
import type { ActivationSpec } from './activation.js';
import { Mlp } from './mlp.js';

/** The notebook's standard deviation for every weight matrix. */
export const INIT_STD = 0.02;

export const INITS = ['notebook', 'he', 'glorot', 'auto'] as const;
export type InitScheme = (typeof INITS)[number];

/** Thrown for an unknown initialisation name (the CLI: exit 2). */
export class InitError extends UserError {
  override name = 'InitError';
}

export function checkInit(name: unknown): asserts name is InitScheme {
  if (typeof name !== 'string' || !(INITS as readonly string[]).includes(name)) {
    throw new InitError(`Unknown init ${JSON.stringify(name)}; expected one of ${INITS.join(', ')}`);
  }
}

/** The documented default for an activation: he for the ReLU family, glorot for the rest. */
export function defaultInit(activation: Activation): 'he' | 'glorot' {
  return activation === 'relu' || activation === 'leaky_relu' ? 'he' : 'glorot';
}

export function initMlp(
  sizes: readonly number[],
  rng: Generator,
  std = INIT_STD,
  activation: ActivationSpec = 'relu',
  scheme: InitScheme = 'notebook',
): Mlp {
  // An infinite or NaN std gives infinite or NaN weights that train to NaN; refuse it up front.
  if (typeof std !== 'number' || !Number.isFinite(std) || std < 0) {
    throw new RangeError(`Expected std to be a finite number >= 0 but received ${typeof std === 'number' ? std : typeof std}`);
  }
  checkInit(scheme);
  const net = new Mlp(sizes, undefined, undefined, activation);
  for (let l = 1; l <= net.layers; l++) {
    // A layer's scheme follows the activation it feeds (the output layer: the last hidden one's).
    const act = net.activations[Math.min(l, net.activations.length) - 1] ?? 'relu';
    const s = scheme === 'auto' ? defaultInit(act) : scheme;
    const [fanIn, fanOut] = [sizes[l - 1], sizes[l]];
    if (s === 'notebook') rng.fillNormalF32(net.W[l], 0, std);
    else if (s === 'he') rng.fillNormalF32(net.W[l], 0, Math.sqrt(2 / fanIn));
    else {
      const b = Math.sqrt(6 / (fanIn + fanOut));
      rng.fillUniformF32(net.W[l], -b, b);
    }
  }
  return net;
}

/** A new network with the notebook's initialisation (or `init`) from NumPy's default_rng(seed) stream. */
export function createModel(options: {
  sizes: readonly number[];
  seed?: number;
  std?: number;
  activation?: ActivationSpec;
  init?: InitScheme;
}): Mlp {
  return initMlp(options.sizes, defaultRng(options.seed ?? 0), options.std ?? INIT_STD, options.activation, options.init);
}
