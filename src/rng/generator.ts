/**
 * A NumPy-compatible `Generator` (numpy/random/_generator.pyx) over PCG64,
 * limited to what this project needs, and bit-exact with NumPy for:
 *
 *   rng = np.random.default_rng(seed)
 *   rng.normal(loc, scale, size)            -> normal / fillNormal
 *   rng.normal(...).astype(np.float32)      -> fillNormalF32
 *   rng.permutation(n)                      -> permutation / permutationInto
 *   rng.standard_normal(), rng.random()     -> standardNormal / nextDouble
 *   rng.bit_generator.random_raw()          -> nextUint64
 */

import { standardNormal } from './normal.js';
import { Pcg64 } from './pcg64.js';
import { SeedSequence, type Seed } from './seed-sequence.js';

function checkCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
  }
}

function iota(out: Uint32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = i;
}

function checkScale(scale: number): void {
  // NumPy: CONS_NON_NEGATIVE -> ValueError("scale < 0") (NaN is rejected too).
  if (!(scale >= 0)) throw new RangeError(`scale must be non-negative, got ${scale}`);
}

export class Generator {
  /** The underlying bit generator (NumPy's `rng.bit_generator`). */
  readonly bitGenerator: Pcg64;

  /**
   * @param seed a non-negative integer (number or bigint), a SeedSequence,
   *   or an existing Pcg64 to wrap (shared, not copied). Same as
   *   `np.random.default_rng(seed)` for integer seeds.
   */
  constructor(seed: Seed | SeedSequence | Pcg64) {
    this.bitGenerator = seed instanceof Pcg64 ? seed : new Pcg64(seed);
  }

  /** Raw 64-bit output (`bit_generator.random_raw()`), as a bigint. For tests; allocates. */
  nextUint64(): bigint {
    return this.bitGenerator.nextUint64();
  }

  /** Raw 64-bit output as [high 32 bits, low 32 bits] (both uint32). */
  nextUint64Parts(): [hi: number, lo: number] {
    const bg = this.bitGenerator;
    bg.next64();
    return [bg.hi >>> 0, bg.lo >>> 0];
  }

  /** NumPy's next_uint32 (buffered: low half of a 64-bit draw, then its high half). */
  nextUint32(): number {
    return this.bitGenerator.nextUint32();
  }

  /** NumPy's next_double, i.e. `rng.random()`: (next_uint64 >> 11) * 2^-53. */
  nextDouble(): number {
    return this.bitGenerator.nextDouble();
  }

  /** One draw of `rng.standard_normal()`. */
  standardNormal(): number {
    return standardNormal(this.bitGenerator);
  }

  /**
   * `rng.normal(loc, scale, size)`: loc + scale * standard_normal, float64,
   * flattened in C order (size may be a shape).
   */
  normal(loc: number, scale: number, size: number | readonly number[]): Float64Array {
    let n: number;
    if (typeof size === 'number') {
      checkCount(size, 'size');
      n = size;
    } else {
      n = 1;
      for (const d of size) {
        checkCount(d, 'size dimension');
        n *= d;
      }
    }
    const out = new Float64Array(n);
    this.fillNormal(out, loc, scale);
    return out;
  }

  /** Fill `out` in order with loc + scale * standard_normal (float64). */
  fillNormal(out: Float64Array, loc: number, scale: number): void {
    checkScale(scale);
    const bg = this.bitGenerator;
    for (let i = 0; i < out.length; i++) out[i] = loc + scale * standardNormal(bg);
  }

  /**
   * Fill `out` in order with float32(loc + scale * standard_normal): the
   * same as `rng.normal(loc, scale, size).astype(np.float32)` (each float64
   * value rounded to nearest float32, i.e. Math.fround).
   */
  fillNormalF32(out: Float32Array, loc: number, scale: number): void {
    checkScale(scale);
    const bg = this.bitGenerator;
    // Assigning to a Float32Array rounds exactly like Math.fround.
    for (let i = 0; i < out.length; i++) out[i] = loc + scale * standardNormal(bg);
  }

  /**
   * Fill `out` in order with float32(low + (high - low) * random()): the same as
   * `rng.uniform(low, high, size).astype(np.float32)`.
   */
  fillUniformF32(out: Float32Array, low: number, high: number): void {
    if (!Number.isFinite(low) || !Number.isFinite(high)) throw new RangeError(`Expected finite bounds but received ${low}, ${high}`);
    const bg = this.bitGenerator;
    const span = high - low;
    for (let i = 0; i < out.length; i++) out[i] = low + span * bg.nextDouble();
  }

  /**
   * NumPy's random_interval(max): uniform integer in [0, max] by masked
   * rejection sampling, using next_uint32 (max < 2^32 here).
   */
  interval(max: number): number {
    if (!Number.isInteger(max) || max < 0 || max > 0xffffffff) {
      throw new RangeError(`max must be an integer in [0, 2^32 - 1], got ${max}`);
    }
    if (max === 0) return 0;
    const mask = 0xffffffff >>> Math.clz32(max);
    const bg = this.bitGenerator;
    let v: number;
    do {
      v = (bg.nextUint32Bits() & mask) >>> 0;
    } while (v > max);
    return v;
  }

  /** `rng.permutation(n)` for an integer n: a shuffled arange(n), as uint32. */
  permutation(n: number): Uint32Array {
    checkCount(n, 'n');
    if (n > 0x100000000) throw new RangeError(`n must be at most 2^32, got ${n}`);
    const out = new Uint32Array(n);
    this.permutationInto(out);
    return out;
  }

  /**
   * `rng.permutation(out.length)` written into `out` (no allocation): fills
   * out[i] = i, then NumPy's Fisher-Yates (`_shuffle_raw`): for i = n-1 down
   * to 1, swap out[i] with out[random_interval(i)].
   */
  permutationInto(out: Uint32Array): void {
    const n = out.length;
    // Separate function, so V8's on-stack replacement of this loop and of
    // the shuffle loop below do not deoptimize each other at start-up.
    iota(out);
    const bg = this.bitGenerator;
    for (let i = n - 1; i >= 1; i--) {
      const mask = 0xffffffff >>> Math.clz32(i);
      let j: number;
      do {
        j = (bg.nextUint32Bits() & mask) >>> 0;
      } while (j > i);
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
  }
}

/** Mirror of `np.random.default_rng(seed)`: a Generator over PCG64(SeedSequence(seed)). */
export function defaultRng(seed: Seed | SeedSequence): Generator {
  return new Generator(seed);
}
