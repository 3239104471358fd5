/**
 * Kernel operands the way callers may hand them over: a view at an element offset inside a larger
 * buffer, maybe a SharedArrayBuffer, with sentinels around it so a stray write shows.
 */
import { xorshift } from './random.js';

const SENTINEL = 1234.5;

export interface Storage {
  /** Where the kernel is pointed (a subarray view, maybe on a SharedArrayBuffer). */
  view: Float32Array;
  /** The whole allocation, to check that nothing outside the operand was touched. */
  whole: Float32Array;
  offset: number;
}

/** A view of `len` elements (plus 3 of slack) at `offset` into a sentinel-filled buffer. */
export function storage(len: number, offset: number, shared: boolean): Storage {
  const total = offset + len + 5;
  const buf = shared ? new SharedArrayBuffer(total * 4) : new ArrayBuffer(total * 4);
  const whole = new Float32Array(buf).fill(SENTINEL);
  return { view: whole.subarray(offset, offset + len + 3), whole, offset };
}

/** Elements a rows x cols block with leading dimension ld spans. */
export function extent(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
}

/** `len` random floats in [-scale, scale) from `seed`, as a view at `offset` (maybe shared). */
export function randomView(len: number, seed: number, scale = 1, offset = 0, shared = false): Float32Array {
  const next = xorshift(seed);
  const v = storage(len, offset, shared).view.subarray(0, len);
  for (let i = 0; i < len; i++) v[i] = next() * scale;
  return v;
}
