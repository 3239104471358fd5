/**
 * The dropout kernel of the backend contract and its argument checks (shared by every backend
 * through withChecks; native/napi checks the same again in C++).
 *
 * dropout(out, x, n, p, key0, key1): out[i] = x[i] * m[i], m[i] = 1 / (1 - p) (as float32) where
 * element i is kept and 0 where it is dropped. Whether i is kept depends only on (key0, key1, i)
 * through a counter-based hash (js/dropout.ts, the specification; native/ the same operations on
 * uint32), so every backend, at any thread count, drops the same elements, and a resumed run
 * recomputes the masks it would have drawn. The key comes from (seed, step, layer): nn/dropout.ts.
 * Forward runs it on a hidden layer's activations, backward on their gradient (in place) with the
 * same key: the same mask and scale.
 */
import { checkDim, checkF32, describe } from './checks.js';
import { checkSameOrDisjoint } from './activation-checks.js';

export interface DropoutKernels {
  /**
   * out[i] = x[i] * (kept(key0, key1, i) ? float32(1 / (1 - p)) : 0) for i < n, results below the
   * smallest normal float32 (and such inputs) as zeros of their sign. 0 <= p < 1; out may be x.
   */
  dropout(out: Float32Array, x: Float32Array, n: number, p: number, key0: number, key1: number): void;
}

/** A dropout probability: a number in [0, 1). */
export function checkDropoutP(name: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) {
    throw new RangeError(`Expected ${name} to be a number in [0, 1) but received ${describe(v)}`);
  }
}

function checkU32(name: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new RangeError(`Expected ${name} to be an integer in [0, 4294967295] but received ${describe(v)}`);
  }
}

/** The dropout kernel of k behind the checks. */
export function checkedDropout(k: DropoutKernels): DropoutKernels {
  return {
    dropout(out, x, n, p, key0, key1) {
      checkDim('n', n);
      checkDropoutP('p', p);
      checkU32('key0', key0);
      checkU32('key1', key1);
      checkF32('out', out, n);
      checkF32('x', x, n);
      checkSameOrDisjoint(n, 'out', out, 'x', x);
      k.dropout(out, x, n, p, key0, key1);
    },
  };
}
