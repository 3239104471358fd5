/**
 * The one seeded generator of the test suite: xorshift32, floats in [-1, 1). Test data only; it
 * is not the NumPy stream (src/rng/ reproduces that, and test/rng.test.ts checks it).
 */

/** A generator of floats in [-1, 1) from a 32-bit seed (0 is replaced, xorshift has no 0 state). */
export function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 31 - 1;
  };
}

/** `n` floats in [-scale, scale) from `seed`. */
export function randomF32(n: number, seed: number, scale = 1): Float32Array {
  const next = xorshift(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = next() * scale;
  return out;
}
