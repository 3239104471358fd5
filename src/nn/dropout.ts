/**
 * Inverted dropout on the hidden layers' activations during training: forward keeps each
 * activation with probability 1 - p and scales the kept ones by 1 / (1 - p), backward multiplies
 * the activation's gradient by the same mask and scale; inference, evaluation and validation run
 * without it (forward and backward take a DropoutStep only from the training loop).
 *
 * The mask of hidden layer l at training step t (counted from the run's first step, epochs
 * included) is a pure function of (seed, t, l, element): the key below, then the backend's
 * counter-based hash per element (backend/js/dropout.ts). No generator is drawn from, so runs
 * without dropout consume the same random streams as before, every backend and thread count drops
 * the same elements, and a checkpoint needs no more state than its position to resume exactly.
 */
import { fmix32 } from '../backend/js/dropout.js';

/** What the training loop passes forward and backward for one step with dropout on. */
export interface DropoutStep {
  /** The probability of dropping an activation, in (0, 1). */
  p: number;
  seed: number;
  /** The step's index in the run: (epoch - 1) * batches per epoch + batch. */
  step: number;
}

/** The words of a non-negative safe integer: low 32 bits, high bits. */
const words = (v: number): [number, number] => [v >>> 0, Math.floor(v / 4294967296) >>> 0];

/**
 * The kernel's key for hidden layer `layer` (1-based) at `d.step`: two uint32 words, each a
 * MurmurHash3-style chain over the words of (seed, step, layer) from its own starting value.
 */
export function dropoutKey(d: DropoutStep, layer: number): [number, number] {
  const input = [...words(d.seed), ...words(d.step), layer >>> 0];
  const chain = (start: number) => {
    let h = start;
    for (const w of input) h = fmix32((Math.imul(h ^ w, 0x9e3779b1) + 0x7f4a7c15) >>> 0);
    return h;
  };
  return [chain(0x243f6a88), chain(0x85a308d3)];
}
