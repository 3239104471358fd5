/**
 * The backends every kernel suite runs over: TypeScript always, native when the addon loads.
 * A missing native binary skips its suites visibly; with REQUIRE_NATIVE=1 (CI) it fails instead.
 */
import { describe, it } from 'vitest';
import type { Backend } from '../src/backend/contract.js';
import { loadNative } from '../src/backend/native/load.js';
import { jsBackend } from '../src/backend/js/index.js';

export function forEachBackend(title: string, body: (be: Backend) => void): void {
  describe(`${title} [js]`, () => body(jsBackend));
  const native = loadNative();
  if (native.backend) {
    const be = native.backend;
    describe(`${title} [native]`, () => body(be));
  } else if (process.env.REQUIRE_NATIVE === '1') {
    describe(`${title} [native]`, () => {
      it('needs the native addon (REQUIRE_NATIVE=1)', () => {
        throw new Error(`native addon did not load: ${native.error?.message}`);
      });
    });
  } else {
    describe.skip(`${title} [native] skipped: ${native.error?.message ?? 'not built'}`, () => {
      it('native', () => {});
    });
  }
}

/** Deterministic pseudo-random floats in [-1, 1) for test data (not the NumPy stream). */
export function randomF32(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}
