/**
 * The native floating-point mode (native/platform/fp_mode.h): every native call computes with
 * flush-to-zero and denormals-are-zero on (x86 FTZ|DAZ, arm64 FZ), on the calling thread and on
 * every pool thread, and the calling thread's own mode is back when the call returns (JavaScript's
 * doubles keep their subnormals). The optimizer updates compute in IEEE arithmetic whatever the
 * mode (optim-flush.test.ts checks their bits against TypeScript).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadNative } from '../src/backend/native/load.js';
import { nativePoolAlways } from './helpers/native.js';
import { skipOrFail } from './helpers/skip-or-fail.js';

const native = loadNative();
const flushes = process.arch === 'x64' || process.arch === 'arm64';
const TINY = 1e-40; // a subnormal float32

/** A double subnormal computed at run time (no constant folding): 0 if this thread flushes. */
function jsSubnormal(): number {
  const xs = [1e-310, 1];
  return xs[0] * xs[1] + xs[0] * 0.5;
}

if (!native.backend) {
  skipOrFail('native floating-point mode', native.error?.message ?? 'not built');
} else if (!flushes) {
  describe.skip(`native floating-point mode: no flush-to-zero mode on ${process.arch}`, () => it('skipped', () => {}));
} else {
  const be = native.backend;
  describe(`native floating-point mode [native ${be.isa()}]`, () => {
    afterAll(() => {
      be.setThreads(1);
    });

    it('a subnormal input reads as 0 and a subnormal result is written as 0, inside a call', () => {
      const u = be.alloc(2);
      u.set([TINY, 1]);
      const bias = be.alloc(2);
      bias.set([TINY, TINY]);
      be.biasAdd(u, bias, 1, 2);
      expect(Object.is(Math.abs(u[0]), 0), `u[0] ${u[0]}`).toBe(true); // IEEE: 2e-40
      expect(u[1]).toBe(1);
      const c = be.alloc(1);
      const a = Float32Array.of(1e-20),
        b = Float32Array.of(1e-20); // normal inputs, subnormal product
      be.sgemm(false, false, 1, 1, 1, 1, a, 1, b, 1, 0, c, 1);
      expect(c[0]).toBe(0);
    });

    it('the calling thread gets its own mode back: JavaScript keeps its subnormals after native calls', () => {
      expect(jsSubnormal()).toBeGreaterThan(0);
      const u = be.alloc(4);
      be.biasRelu(u, u, be.alloc(4), 1, 4);
      expect(jsSubnormal()).toBeGreaterThan(0);
      expect(() => be.biasAdd(u, be.alloc(1), 1, 4)).toThrow(/bias/); // a throwing call restores it too
      expect(jsSubnormal()).toBeGreaterThan(0);
      expect(1e-310 * Number(process.env.NATIVE_MLP_NEVER_SET ?? 1)).toBeGreaterThan(0);
    });

    it('every pool thread flushes: a product split over 2 threads is 0 wherever IEEE gives subnormals', () => {
      nativePoolAlways();
      expect(be.setThreads(2)).toBe(2);
      const m = 256,
        n = 256,
        k = 64; // 8.4 MFLOP: split over both threads
      const a = be.alloc(m * k).fill(1e-20);
      const b = be.alloc(k * n).fill(1e-20);
      const c = be.alloc(m * n).fill(NaN);
      for (let rep = 0; rep < 5; rep++) {
        be.sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n); // IEEE: 64e-40 = 6.4e-39, subnormal
        let nonzero = -1;
        for (let i = 0; i < m * n && nonzero < 0; i++) if (c[i] !== 0) nonzero = i;
        expect(nonzero, `c[${nonzero}] = ${c[nonzero]} (row ${Math.floor(nonzero / n)})`).toBe(-1);
      }
      // The same product with normal results is untouched by the mode.
      a.fill(0.5);
      b.fill(0.25);
      be.sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n);
      expect(c.every((x) => x === 8)).toBe(true);
      expect(jsSubnormal()).toBeGreaterThan(0);
    });
  });
}
