/**
 * The native backend's alloc: zeroed shared float32 arrays that start on a 64-byte boundary
 * (alignOffset tells, from the address the addon sees), so a 128-float row of W1 is whole cache
 * lines for the sparse product.
 */
import { describe, expect, it } from 'vitest';
import { loadNative } from '../src/backend/native/load.js';
import { skipOrFail } from './helpers/skip-or-fail.js';

const native = loadNative();

if (!native.backend || !native.binding) {
  skipOrFail('native alloc', native.error?.message ?? 'not built');
} else {
  const be = native.backend;
  const raw = native.binding;
  describe('native alloc', () => {
    it('alignOffset counts the floats to the next 64-byte boundary', () => {
      const f = new Float32Array(new SharedArrayBuffer(4 * 64));
      const first = raw.alignOffset(f);
      expect(first).toBeGreaterThanOrEqual(0);
      expect(first).toBeLessThan(16);
      for (let k = 0; k < 20; k++) expect(raw.alignOffset(f.subarray(k)), `subarray(${k})`).toBe((first - k + 32) % 16);
    });

    it('hands out zeroed shared arrays of the size asked, each starting on a cache line', () => {
      for (const n of [1, 7, 16, 100, 100480, 1 << 20]) {
        const a = be.alloc(n);
        expect(a).toBeInstanceOf(Float32Array);
        expect(a.length).toBe(n);
        expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
        expect(raw.alignOffset(a), `alloc(${n})`).toBe(0);
        expect(a.every((v) => v === 0)).toBe(true);
      }
    });

    it('refuses what is not a Float32Array, naming the argument', () => {
      expect(() => raw.alignOffset(new Int32Array(4) as unknown as Float32Array)).toThrow(/Expected x\b/);
    });
  });
}
