/**
 * Backend.permutation, the training loop's epoch order: on every backend the same numbers as
 * Generator.permutationInto (itself checked against NumPy in rng.test.ts) and the generator left
 * in the same state, so the stream the epochs and later draws see does not depend on the backend.
 */
import { expect, it } from 'vitest';
import { defaultRng } from '../src/rng/index.js';
import { epochOrder } from '../src/train/batches.js';
import { forEachBackend } from './helpers/backends.js';

forEachBackend(
  'epoch order',
  (be) => {
    it('equals rng.permutationInto and advances the generator the same way, at every length and buffering state', () => {
      for (const seed of [0, 1, 12345]) {
        for (const n of [0, 1, 2, 3, 10, 257, 60000]) {
          for (const buffered of [false, true]) {
            const want = defaultRng(seed);
            const got = defaultRng(seed);
            if (buffered) {
              want.bitGenerator.nextUint32(); // leaves the high half of a draw buffered
              got.bitGenerator.nextUint32();
            }
            const a = new Uint32Array(n);
            const b = new Uint32Array(n).fill(7);
            want.permutationInto(a);
            epochOrder(be, got, b);
            expect(b, `seed ${seed}, n ${n}, buffered ${buffered}`).toEqual(a);
            expect(got.bitGenerator.getState()).toEqual(want.bitGenerator.getState());
            expect(got.bitGenerator.nextUint32()).toBe(want.bitGenerator.nextUint32());
          }
        }
      }
    });

    it('refuses a state that is not a PCG64 state, and arrays of the wrong type', () => {
      const words = new Uint32Array(10);
      defaultRng(0).bitGenerator.saveWords(words);
      const out = new Uint32Array(5);
      const even = Uint32Array.from(words);
      even[4] &= ~1;
      expect(() => be.permutation(out, even)).toThrow(/Expected state to be a PCG64 state/);
      const flag = Uint32Array.from(words);
      flag[8] = 2;
      expect(() => be.permutation(out, flag)).toThrow(RangeError);
      expect(() => be.permutation(out, words.subarray(0, 9))).toThrow(/Expected state to be a Uint32Array of 10 words/);
      expect(() => be.permutation(new Int32Array(5) as unknown as Uint32Array, words)).toThrow(/Expected out to be a Uint32Array/);
    });
  },
  { threads: [1] },
);
