/**
 * Argument checks of the activation kernels (biasAct, actBackward), shared by every backend
 * through withChecks (contract.ts); native/napi/binding_act.cc checks the same again in C++.
 * Element-wise outputs may be an input itself (in place) but never part of one: a partial
 * overlap would read elements already overwritten.
 */
import { ACTIVATIONS, type ActivationKernels } from './activation.js';
import { checkBlock, checkDim, checkF32, describe } from './checks.js';

export type { ActivationKernels };

/** The kernel code of an activation: an integer in [0, ACTIVATIONS.length). */
export function checkActCode(v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= ACTIVATIONS.length) {
    throw new RangeError(
      `Expected act to be an integer in [0, ${ACTIVATIONS.length - 1}] (${ACTIVATIONS.map((a, i) => `${i} ${a}`).join(', ')}) but received ${describe(v)}`,
    );
  }
}

/** Throws when the first n elements of a and b overlap without being the same elements. */
export function checkSameOrDisjoint(n: number, an: string, a: Float32Array, bn: string, b: Float32Array): void {
  if (n === 0 || a.buffer !== b.buffer || a.byteOffset === b.byteOffset) return;
  const a0 = a.byteOffset,
    b0 = b.byteOffset,
    bytes = 4 * n;
  if (a0 < b0 + bytes && b0 < a0 + bytes) {
    throw new RangeError(`Expected ${an} to be ${bn} itself or not to overlap it (they share part of their memory)`);
  }
}

/** The activation kernels of k behind the checks. */
export function checkedActivations(k: ActivationKernels): ActivationKernels {
  return {
    biasAct(h, u, bias, rows, cols, act) {
      const size = checkBlock(rows, cols);
      checkActCode(act);
      checkF32('h', h, size);
      checkF32('u', u, size);
      checkF32('bias', bias, cols);
      checkSameOrDisjoint(size, 'h', h, 'u', u);
      checkSameOrDisjoint(cols, 'h', h, 'bias', bias);
      checkSameOrDisjoint(cols, 'u', u, 'bias', bias);
      k.biasAct(h, u, bias, rows, cols, act);
    },
    actBackward(dx, dy, u, h, n, act) {
      checkDim('n', n);
      checkActCode(act);
      checkF32('dx', dx, n);
      checkF32('dy', dy, n);
      checkF32('u', u, n);
      checkF32('h', h, n);
      checkSameOrDisjoint(n, 'dx', dx, 'dy', dy);
      checkSameOrDisjoint(n, 'dx', dx, 'u', u);
      checkSameOrDisjoint(n, 'dx', dx, 'h', h);
      k.actBackward(dx, dy, u, h, n, act);
    },
  };
}
