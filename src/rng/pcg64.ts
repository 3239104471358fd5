/**
 * PCG64 exactly as NumPy implements it (numpy/random/src/pcg64/, _pcg64.pyx):
 * a 128-bit LCG (multiplier PCG_DEFAULT_MULTIPLIER_128, odd increment) whose
 * 64-bit output is the XSL-RR permutation of the state *after* the step.
 *
 * Hot path without BigInt: the 128-bit state, increment and multiplier are
 * held as ten 13-bit limbs each (limb 0 least significant; the top state
 * limb keeps only the 11 bits up to bit 127). A column of the truncated
 * product is a sum of at most ten 13x13-bit products plus the increment limb
 * and the carry, i.e. < 2^30, so every intermediate is a small integer:
 * exact, and int32 (unboxed) for V8 in every tier. The output permutation is
 * branch-free (its rotation amount is random). BigInt is only used for
 * seeding and for the test/debug accessors.
 */

import { SeedSequence, type Seed } from './seed-sequence.js';

const MASK128 = (1n << 128n) - 1n;
/** PCG_DEFAULT_MULTIPLIER_128 = 2549297995355413924 * 2^64 + 4865540595714422341. */
export const PCG_MULTIPLIER_128 = 0x2360ed051fc65da44385df649fccf645n;

// Multiplier limbs (13 bits), least significant first.
const M0 = 0x1645;
const M1 = 0x1e67;
const M2 = 0x1927;
const M3 = 0x0bbe;
const M4 = 0x0438;
const M5 = 0x0ed2;
const M6 = 0x1f19;
const M7 = 0x00a3;
const M8 = 0x00ed;
const M9 = 0x011b;
const NLIMB = 10;
const LIMB_BITS = 13;
const LIMB_MASK = 0x1fff;

const TWO_POW_M53 = 1 / 9007199254740992; // 2^-53
const TWO_POW_21 = 2097152;

/** The NumPy-visible state of a PCG64 (same fields as `bit_generator.state`). */
export interface Pcg64State {
  state: bigint;
  inc: bigint;
  hasUint32: boolean;
  uinteger: number;
}

function toLimbs(v: bigint, out: Int32Array, offset: number): void {
  for (let i = 0; i < NLIMB; i++) {
    out[offset + i] = Number((v >> BigInt(LIMB_BITS * i)) & BigInt(LIMB_MASK));
  }
}

function fromLimbs(l: Int32Array, offset: number): bigint {
  let v = 0n;
  for (let i = NLIMB - 1; i >= 0; i--) v = (v << BigInt(LIMB_BITS)) | BigInt(l[offset + i]);
  return v & MASK128;
}

export class Pcg64 {
  /** Limbs: [0..9] the state, [10..19] the increment (13 bits each). */
  private readonly limbs = new Int32Array(2 * NLIMB);

  /**
   * High 32 bits of the last output of {@link next64}, as an int32 bit
   * pattern (use `hi >>> 0` for the unsigned value).
   */
  hi = 0;
  /** Low 32 bits of the last output of {@link next64}, as an int32 bit pattern. */
  lo = 0;

  /** uint32 buffering (NumPy's has_uint32 / uinteger, the latter as int32 bits). */
  private hasUint32 = false;
  private uinteger = 0;

  /**
   * Seed like `np.random.PCG64(seed)`: the seed goes through SeedSequence,
   * `generate_state(4, uint64)` gives [s_hi, s_lo, i_hi, i_lo], and
   * `pcg_setseq_128_srandom_r(initstate = s, initseq = i)` sets the state.
   */
  constructor(seed: Seed | SeedSequence) {
    const ss = seed instanceof SeedSequence ? seed : new SeedSequence(seed);
    const v = ss.generateState64(4);
    const initstate = (v[0] << 64n) | v[1];
    const initseq = (v[2] << 64n) | v[3];
    this.srandom(initstate, initseq);
  }

  /** pcg_setseq_128_srandom_r. */
  private srandom(initstate: bigint, initseq: bigint): void {
    const inc = ((initseq << 1n) | 1n) & MASK128;
    let state = 0n;
    state = (state * PCG_MULTIPLIER_128 + inc) & MASK128;
    state = (state + initstate) & MASK128;
    state = (state * PCG_MULTIPLIER_128 + inc) & MASK128;
    this.setState({ state, inc, hasUint32: false, uinteger: 0 });
  }

  /** Current state, as NumPy reports it in `bit_generator.state`. */
  getState(): Pcg64State {
    return {
      state: fromLimbs(this.limbs, 0),
      inc: fromLimbs(this.limbs, NLIMB),
      hasUint32: this.hasUint32,
      uinteger: this.uinteger >>> 0,
    };
  }

  /** Restore a state (e.g. one read from NumPy's `bit_generator.state`). */
  setState(st: Pcg64State): void {
    toLimbs(st.state & MASK128, this.limbs, 0);
    toLimbs(st.inc & MASK128, this.limbs, NLIMB);
    this.hasUint32 = st.hasUint32;
    this.uinteger = st.uinteger | 0;
  }

  /**
   * The state as 10 uint32 words: the 128-bit state and increment, 32 bits at a time from the
   * lowest, then hasUint32 (0 or 1) and uinteger. The form a backend's permutation kernel takes
   * (Backend.permutation); {@link loadWords} reads it back.
   */
  saveWords(out: Uint32Array): void {
    const st = this.getState();
    for (let i = 0; i < 4; i++) {
      out[i] = Number((st.state >> BigInt(32 * i)) & 0xffffffffn);
      out[4 + i] = Number((st.inc >> BigInt(32 * i)) & 0xffffffffn);
    }
    out[8] = st.hasUint32 ? 1 : 0;
    out[9] = st.uinteger;
  }

  /** Restores a state {@link saveWords} wrote (and a permutation kernel advanced). */
  loadWords(w: Uint32Array): void {
    let state = 0n;
    let inc = 0n;
    for (let i = 3; i >= 0; i--) {
      state = (state << 32n) | BigInt(w[i]);
      inc = (inc << 32n) | BigInt(w[4 + i]);
    }
    this.setState({ state, inc, hasUint32: w[8] !== 0, uinteger: w[9] });
  }

  /**
   * Advance once and compute the 64-bit output; it is left in {@link hi} and
   * {@link lo} (int32 bit patterns). NumPy's next_uint64 without allocation.
   */
  next64(): void {
    const L = this.limbs;
    const a0 = L[0],
      a1 = L[1],
      a2 = L[2],
      a3 = L[3],
      a4 = L[4];
    const a5 = L[5],
      a6 = L[6],
      a7 = L[7],
      a8 = L[8],
      a9 = L[9];
    // state = state * M + inc (mod 2^128), column by column; t < 2^30.
    let t = a0 * M0 + L[10];
    const r0 = t & LIMB_MASK;
    t = (t >>> 13) + a0 * M1 + a1 * M0 + L[11];
    const r1 = t & LIMB_MASK;
    t = (t >>> 13) + a0 * M2 + a1 * M1 + a2 * M0 + L[12];
    const r2 = t & LIMB_MASK;
    t = (t >>> 13) + a0 * M3 + a1 * M2 + a2 * M1 + a3 * M0 + L[13];
    const r3 = t & LIMB_MASK;
    t = (t >>> 13) + a0 * M4 + a1 * M3 + a2 * M2 + a3 * M1 + a4 * M0 + L[14];
    const r4 = t & LIMB_MASK;
    t = (t >>> 13) + a0 * M5 + a1 * M4 + a2 * M3 + a3 * M2 + a4 * M1 + a5 * M0 + L[15];
    const r5 = t & LIMB_MASK;
    t = (t >>> 13) + a0 * M6 + a1 * M5 + a2 * M4 + a3 * M3 + a4 * M2 + a5 * M1 + a6 * M0 + L[16];
    const r6 = t & LIMB_MASK;
    t = (t >>> 13) + a0 * M7 + a1 * M6 + a2 * M5 + a3 * M4 + a4 * M3 + a5 * M2 + a6 * M1 + a7 * M0 + L[17];
    const r7 = t & LIMB_MASK;
    t = (t >>> 13) + a0 * M8 + a1 * M7 + a2 * M6 + a3 * M5 + a4 * M4 + a5 * M3 + a6 * M2 + a7 * M1 + a8 * M0 + L[18];
    const r8 = t & LIMB_MASK;
    t = (t >>> 13) + a0 * M9 + a1 * M8 + a2 * M7 + a3 * M6 + a4 * M5 + a5 * M4 + a6 * M3 + a7 * M2 + a8 * M1 + a9 * M0 + L[19];
    const r9 = t & 0x7ff; // bits 117..127; higher bits fall off mod 2^128
    L[0] = r0;
    L[1] = r1;
    L[2] = r2;
    L[3] = r3;
    L[4] = r4;
    L[5] = r5;
    L[6] = r6;
    L[7] = r7;
    L[8] = r8;
    L[9] = r9;

    // XSL-RR: rotr64(hi64 ^ lo64, hi64 >> 58). The 32-bit words of the new
    // state (limb i holds bits 13i .. 13i+12; `<<` drops what overflows):
    const w0 = r0 | (r1 << 13) | (r2 << 26);
    const w1 = (r2 >>> 6) | (r3 << 7) | (r4 << 20);
    const w2 = (r4 >>> 12) | (r5 << 1) | (r6 << 14) | (r7 << 27);
    const w3 = (r7 >>> 5) | (r8 << 8) | (r9 << 21);
    let h = w3 ^ w1;
    let l = w2 ^ w0;
    const rot = r9 >>> 5; // bits 122..127
    // Branch-free (the rotation is random, so branches would mispredict):
    const d = (h ^ l) & -(rot >>> 5); // swap the halves when rot >= 32
    h ^= d;
    l ^= d;
    const r = rot & 31;
    // (x << 1) << (31 - r) is x << (32 - r) for r >= 1, and 0 for r = 0.
    this.hi = (h >>> r) | ((l << 1) << (31 - r));
    this.lo = (l >>> r) | ((h << 1) << (31 - r));
  }

  /** next_uint64 as a bigint (convenient for tests; not for hot loops). */
  nextUint64(): bigint {
    this.next64();
    return (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0);
  }

  /**
   * next_uint32 with NumPy's buffering: a 64-bit draw yields its low 32 bits
   * and keeps the high 32 bits for the next call.
   */
  nextUint32(): number {
    if (this.hasUint32) {
      this.hasUint32 = false;
      return this.uinteger >>> 0;
    }
    this.next64();
    this.hasUint32 = true;
    this.uinteger = this.hi;
    return this.lo >>> 0;
  }

  /** {@link nextUint32} as an int32 bit pattern (`>>> 0` gives the uint32); avoids boxing in hot loops. */
  nextUint32Bits(): number {
    if (this.hasUint32) {
      this.hasUint32 = false;
      return this.uinteger;
    }
    this.next64();
    this.hasUint32 = true;
    this.uinteger = this.hi;
    return this.lo;
  }

  /** next_double: (next_uint64 >> 11) * 2^-53, in [0, 1). */
  nextDouble(): number {
    this.next64();
    return ((this.hi >>> 0) * TWO_POW_21 + (this.lo >>> 11)) * TWO_POW_M53;
  }
}
