/**
 * NumPy's SeedSequence (numpy/random/bit_generator.pyx), for integer entropy.
 *
 * Only the parts `np.random.default_rng(seed)` uses are implemented: the
 * entropy is a non-negative integer (no spawn key, pool of 4 uint32 words),
 * mixed into the pool once, and `generateState` hashes the pool out into as
 * many uint32 words as asked for. All arithmetic is uint32 (Math.imul plus
 * `>>> 0`), matching the C/NumPy uint32 wrap-around exactly.
 */

const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const XSHIFT = 16; // 4 bytes * 8 bits / 2

/** Default pool size, in uint32 words (NumPy's DEFAULT_POOL_SIZE). */
export const POOL_SIZE = 4;

/** A seed accepted by {@link SeedSequence} and `defaultRng`. */
export type Seed = number | bigint;

/**
 * Validate a seed and return it as a bigint. Throws RangeError for negative,
 * non-integer or non-finite seeds (NumPy raises ValueError/TypeError there).
 * Any size of bigint is accepted (entropy longer than the pool is mixed in as
 * NumPy does).
 */
export function normalizeSeed(seed: Seed): bigint {
  if (typeof seed === 'bigint') {
    if (seed < 0n) {
      throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    }
    return seed;
  }
  if (typeof seed !== 'number') {
    throw new RangeError(`seed must be a non-negative integer (number or bigint), got ${typeof seed}`);
  }
  if (!Number.isFinite(seed) || !Number.isInteger(seed) || seed < 0) {
    throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  }
  // Every finite integer-valued double is an exact integer, so this is exact.
  // (Above 2^53 a number literal may already have been rounded in the source;
  // pass such seeds as bigint.)
  return BigInt(seed);
}

/** Split a non-negative integer into little-endian uint32 words ([0] for 0), as NumPy does. */
export function intToUint32Words(n: bigint): number[] {
  if (n < 0n) throw new RangeError(`expected a non-negative integer, got ${n}`);
  if (n === 0n) return [0];
  const words: number[] = [];
  while (n > 0n) {
    words.push(Number(n & 0xffffffffn));
    n >>= 32n;
  }
  return words;
}

function hashmix(value: number, hashConst: { v: number }): number {
  value = (value ^ hashConst.v) >>> 0;
  hashConst.v = Math.imul(hashConst.v, MULT_A) >>> 0;
  value = Math.imul(value, hashConst.v) >>> 0;
  value = (value ^ (value >>> XSHIFT)) >>> 0;
  return value;
}

function mix(x: number, y: number): number {
  let result = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
  result = (result ^ (result >>> XSHIFT)) >>> 0;
  return result;
}

export class SeedSequence {
  /** The entropy, as given (validated). */
  readonly entropy: bigint;
  /** The mixed pool (POOL_SIZE uint32 words). */
  readonly pool: Uint32Array;

  constructor(seed: Seed) {
    this.entropy = normalizeSeed(seed);
    this.pool = new Uint32Array(POOL_SIZE);
    this.mixEntropy(intToUint32Words(this.entropy));
  }

  private mixEntropy(entropy: number[]): void {
    const mixer = this.pool;
    const n = mixer.length;
    const hashConst = { v: INIT_A };
    // Add in the entropy up to the pool size (zeros past its end).
    for (let i = 0; i < n; i++) {
      mixer[i] = hashmix(i < entropy.length ? entropy[i] : 0, hashConst);
    }
    // Mix all bits together so late bits can affect earlier bits.
    for (let iSrc = 0; iSrc < n; iSrc++) {
      for (let iDst = 0; iDst < n; iDst++) {
        if (iSrc !== iDst) {
          mixer[iDst] = mix(mixer[iDst], hashmix(mixer[iSrc], hashConst));
        }
      }
    }
    // Add any remaining entropy, mixing each new word with every pool word.
    for (let iSrc = n; iSrc < entropy.length; iSrc++) {
      for (let iDst = 0; iDst < n; iDst++) {
        mixer[iDst] = mix(mixer[iDst], hashmix(entropy[iSrc], hashConst));
      }
    }
  }

  /** `generate_state(nWords, np.uint32)`: nWords uint32 words drawn from the pool. */
  generateState(nWords: number): Uint32Array {
    const out = new Uint32Array(nWords);
    let hashConst = INIT_B;
    const pool = this.pool;
    for (let i = 0; i < nWords; i++) {
      let v = pool[i % pool.length];
      v = (v ^ hashConst) >>> 0;
      hashConst = Math.imul(hashConst, MULT_B) >>> 0;
      v = Math.imul(v, hashConst) >>> 0;
      v = (v ^ (v >>> XSHIFT)) >>> 0;
      out[i] = v;
    }
    return out;
  }

  /**
   * `generate_state(nWords, np.uint64)`: 2*nWords uint32 words, paired
   * little-endian (low word first) into uint64 values.
   */
  generateState64(nWords: number): bigint[] {
    const w = this.generateState(2 * nWords);
    const out: bigint[] = [];
    for (let i = 0; i < nWords; i++) {
      out.push((BigInt(w[2 * i + 1]) << 32n) | BigInt(w[2 * i]));
    }
    return out;
  }
}
