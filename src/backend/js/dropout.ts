/**
 * The dropout kernel's arithmetic, the specification native/ follows operation for operation:
 *
 *   bits(i)  = fmix32(fmix32(key0 ^ (i * 0x9E3779B1 mod 2^32)) ^ key1)   (MurmurHash3's finalizer)
 *   kept(i)  = bits(i) >= floor(p * 2^32)
 *   out[i]   = x[i] * (kept(i) ? float32(1 / (1 - p)) : 0)
 *
 * For a fixed key, i -> bits(i) is a bijection of uint32 (an odd multiplier, xor and fmix32 are
 * each invertible), so no two elements of a batch share a draw; the fraction kept is 1 - p up to
 * the hash's statistics. Inputs and results below the smallest normal float32 are zeros of their
 * sign, as the native calls' flush-to-zero mode makes them in hardware.
 */
import type { DropoutKernels } from '../dropout.js';

/** MurmurHash3's 32-bit finalizer: a bijection of uint32 with full avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The 32 random bits of element i under key (key0, key1). */
export function dropoutBits(key0: number, key1: number, i: number): number {
  return fmix32((fmix32((key0 ^ Math.imul(i, 0x9e3779b1)) >>> 0) ^ key1) >>> 0);
}

/** Elements whose bits are below this are dropped: floor(p * 2^32) (exact in float64). */
export function dropoutThreshold(p: number): number {
  return Math.floor(p * 4294967296);
}

/** The kept elements' factor, float32(1 / (1 - p)). */
export function dropoutScale(p: number): number {
  return Math.fround(1 / (1 - p));
}

const MIN_NORMAL = 2 ** -126;
const flushed = (r: number): number => (r > -MIN_NORMAL && r < MIN_NORMAL ? (r < 0 || Object.is(r, -0) ? -0 : 0) : r);

export const dropout: DropoutKernels['dropout'] = (out, x, n, p, key0, key1) => {
  const threshold = dropoutThreshold(p);
  const scale = dropoutScale(p);
  for (let i = 0; i < n; i++) {
    const m = dropoutBits(key0, key1, i) >= threshold ? scale : 0;
    out[i] = flushed(Math.fround(flushed(x[i]) * m));
  }
};
