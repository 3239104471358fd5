/**
 * NumPy's standard normal: the 256-layer ziggurat of
 * numpy/random/src/distributions/distributions.c `random_standard_normal`.
 *
 * One 64-bit draw r is split as: bits 0-7 layer index, bit 8 sign, bits 9-60
 * the 52-bit magnitude `rabs`. x = rabs * wi[idx] is returned directly when
 * rabs < ki[idx] (~99.3%). Otherwise layer 0 samples the tail beyond r with
 * Marsaglia's method (log1p(-U), two doubles per try), and other layers test
 * the wedge against exp(-x^2/2) with one extra double. The double arithmetic
 * below is written in the same order as the C so each rounding matches.
 *
 * Libm note: NumPy calls the C library's log1p/exp. The tail value depends
 * directly on log1p, and V8's Math.log1p (plain fdlibm) differs from glibc's
 * in the last bit for ~0.05% of arguments, so the tail uses a bit-exact
 * re-implementation of glibc's log1p (see the section below; both its plain
 * and its FMA build). exp only appears in the wedge *comparison*; a 1-ulp
 * difference there can only change the outcome if the uniform lands within
 * one ulp of the boundary (probability ~1e-16 per wedge test), so Math.exp is
 * used. On macOS/Windows NumPy itself uses a different libm, so its rare tail
 * values may differ from Linux NumPy's in the last bit.
 */

import type { Pcg64 } from './pcg64.js';
import { FI_DOUBLE, KI_DOUBLE, WI_DOUBLE, ZIGGURAT_NOR_INV_R, ZIGGURAT_NOR_R } from './ziggurat-tables.js';

const TWO_POW_23 = 8388608;

/**
 * Counters of how often the ziggurat left its fast path (for tests and
 * curiosity; they are only touched on the rare paths).
 */
export const zigguratCounters = {
  /** Tail samples returned (layer 0, |x| > r). */
  tail: 0,
  /** Wedge tests made (layers 1-255, rabs >= ki). */
  wedge: 0,
  /** Wedge tests that accepted x. */
  wedgeAccepted: 0,
};

/** Reset {@link zigguratCounters} to zero. */
export function resetZigguratCounters(): void {
  zigguratCounters.tail = 0;
  zigguratCounters.wedge = 0;
  zigguratCounters.wedgeAccepted = 0;
}

/** One standard normal draw, bit-identical to NumPy's `Generator.standard_normal`. */
export function standardNormal(bitgen: Pcg64): number {
  for (;;) {
    bitgen.next64();
    const hi = bitgen.hi;
    const lo = bitgen.lo;
    const idx = lo & 0xff;
    // rabs = (r >> 9) & (2^52 - 1): 29 bits from hi, 23 from lo; exact in a double.
    const rabs = (hi & 0x1fffffff) * TWO_POW_23 + (lo >>> 9);
    // Sign from bit 8, applied without a (50% mispredicted) branch:
    // multiplying by -1 is exact negation, as `x = -x` in the C (incl. -0).
    const x = rabs * WI_DOUBLE[idx] * (1 - ((lo >>> 7) & 2));
    if (rabs < KI_DOUBLE[idx]) return x;
    const y = rarePath(bitgen, idx, x, lo);
    if (y === y) return y; // NaN means "rejected, draw again"
  }
}

function rarePath(bitgen: Pcg64, idx: number, x: number, lo: number): number {
  if (idx === 0) {
    for (;;) {
      // NumPy uses 1 - U (log1p(-U)) to avoid log(0), see numpy GH 13361.
      const xx = -ZIGGURAT_NOR_INV_R * tailLog1p(-bitgen.nextDouble());
      const yy = -tailLog1p(-bitgen.nextDouble());
      if (yy + yy > xx * xx) {
        zigguratCounters.tail++;
        // Sign comes from bit 8 of rabs, i.e. bit 17 of the raw draw.
        return (lo >>> 17) & 1 ? -(ZIGGURAT_NOR_R + xx) : ZIGGURAT_NOR_R + xx;
      }
    }
  }
  zigguratCounters.wedge++;
  if ((FI_DOUBLE[idx - 1] - FI_DOUBLE[idx]) * bitgen.nextDouble() + FI_DOUBLE[idx] < Math.exp(-0.5 * x * x)) {
    zigguratCounters.wedgeAccepted++;
    return x;
  }
  return NaN;
}

/** Fill `out` with standard normals in order. */
export function fillStandardNormal(bitgen: Pcg64, out: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = standardNormal(bitgen);
}

// --------------------------------------------------------------------------
// log1p as glibc computes it. NumPy (on Linux) calls glibc's log1p, and the
// tail sample is r + (-log1p(-U) / r), so its last bit depends on exactly how
// log1p rounds. glibc's sysdeps/ieee754/dbl-64/s_log1p.c is Sun's fdlibm
// log1p (Copyright (C) 1993 Sun Microsystems; "Permission to use, copy,
// modify, and distribute this software is freely granted, provided that this
// notice is preserved.") with the polynomial split as R1 + z2*R2 + z4*R3 +
// z6*R4 (N. Shimizu, 1997). On x86_64, recent glibc also builds an FMA
// variant (sysdeps/x86_64/fpu/multiarch/s_log1p-fma.c, added upstream in
// 2023; Debian 12's glibc 2.36 has it too) that an ifunc picks at run time on
// CPUs with FMA+AVX2; GCC contracts several a*b+c there, which changes the
// last bit for ~0.03% of arguments. Both builds are reproduced below (the FMA
// one with an exact software fma; its fused operations were read off the
// disassembly of libm.so.6) and verified against libm on 1.6M arguments.
// 'glibc-fma' is the default: NumPy on a current x86_64 Linux machine, which
// is where the fixtures come from. V8's Math.log1p is plain fdlibm (Horner
// order) and matches neither.
// --------------------------------------------------------------------------

/** Which log1p the tail sampler uses (see the comment above). */
export type Log1pFlavor = 'glibc-fma' | 'glibc-sse2' | 'v8';

let tailLog1p: (x: number) => number = log1pGlibcFma;

/**
 * Choose the log1p the ziggurat tail uses: 'glibc-fma' (default: NumPy on
 * x86_64 Linux whose glibc has the FMA build, on a CPU with FMA+AVX2),
 * 'glibc-sse2' (glibc without that build, or CPUs without FMA), or 'v8'
 * (Math.log1p, fdlibm). Only the rare tail samples (|x| > 3.654, about 1 in
 * 3900 normals) are affected: usually in the last bit of that value, very
 * rarely in the tail's accept/reject test (which would shift the stream).
 */
export function setLog1pFlavor(flavor: Log1pFlavor): void {
  if (flavor === 'glibc-fma') tailLog1p = log1pGlibcFma;
  else if (flavor === 'glibc-sse2') tailLog1p = log1pGlibc;
  else if (flavor === 'v8') tailLog1p = Math.log1p;
  else throw new RangeError(`unknown log1p flavor: ${String(flavor)}`);
}

/** The log1p currently used by the tail sampler. */
export function log1p(x: number): number {
  return tailLog1p(x);
}

const LN2_HI = 6.9314718036912381649e-1; // 3fe62e42 fee00000
const LN2_LO = 1.90821492927058770002e-10; // 3dea39ef 35793c76
const LP1 = 6.66666666666673513e-1; // 3FE55555 55555593
const LP2 = 3.999999999940941908e-1; // 3FD99999 9997FA04
const LP3 = 2.857142874366239149e-1; // 3FD24924 94229359
const LP4 = 2.222219843214978396e-1; // 3FCC71C5 1D8E78AF
const LP5 = 1.818357216161805012e-1; // 3FC74664 96CB03DE
const LP6 = 1.531383769920937332e-1; // 3FC39A09 D078C69F
const LP7 = 1.479819860511658591e-1; // 3FC2F112 DF3E5244
const TWO_THIRDS = 0.66666666666666666;

const wordView = new DataView(new ArrayBuffer(8));

function highWord(x: number): number {
  wordView.setFloat64(0, x); // big-endian: bytes 0-3 are the high word
  return wordView.getInt32(0);
}

function withHighWord(x: number, hw: number): number {
  wordView.setFloat64(0, x);
  wordView.setInt32(0, hw);
  return wordView.getFloat64(0);
}

/**
 * Shared argument reduction: returns k and sets `red.f`, `red.c`, `red.hu`;
 * or returns NaN with the final result in `red.f` for the special cases.
 */
const red = { f: 0, c: 0, hu: 0 };

function reduce(x: number): number {
  let k = 1;
  red.c = 0;
  red.hu = 0;
  const hx = highWord(x);
  const ax = hx & 0x7fffffff;
  if (hx < 0x3fda827a) {
    // x < 0.41422
    if (ax >= 0x3ff00000) {
      // x <= -1.0
      red.f = x === -1 ? -Infinity : NaN;
      return NaN;
    }
    if (ax < 0x3e200000) {
      // |x| < 2^-29 (the product by 0.5 is exact, so the FMA build's fused
      // x - (x*x)*0.5 rounds the same)
      red.f = ax < 0x3c900000 ? x : x - x * x * 0.5;
      return NaN;
    }
    if (hx > 0 || hx <= (0xbfd2bec3 | 0)) {
      // -0.2929 < x < 0.41422
      red.f = x;
      red.hu = 1;
      return 0;
    }
  } else if (hx >= 0x7ff00000) {
    red.f = x + x;
    return NaN;
  }
  let u: number;
  let hu: number;
  if (hx < 0x43400000) {
    u = 1.0 + x;
    hu = highWord(u);
    k = (hu >> 20) - 1023;
    red.c = (k > 0 ? 1.0 - (u - x) : x - (u - 1.0)) / u; // correction term
  } else {
    u = x;
    hu = highWord(u);
    k = (hu >> 20) - 1023;
  }
  hu &= 0x000fffff;
  if (hu < 0x6a09e) {
    u = withHighWord(u, hu | 0x3ff00000); // normalize u
  } else {
    k += 1;
    u = withHighWord(u, hu | 0x3fe00000); // normalize u/2
    hu = (0x00100000 - hu) >> 2;
  }
  red.f = u - 1.0;
  red.hu = hu;
  return k;
}

/** log(1 + x), bit-identical to glibc's generic (SSE2, unfused) x86_64 log1p. */
export function log1pGlibc(x: number): number {
  const k = reduce(x);
  if (k !== k) return red.f;
  const f = red.f;
  const c = red.c;
  const hfsq = 0.5 * f * f;
  if (red.hu === 0) {
    // |f| < 2^-20
    if (f === 0) {
      if (k === 0) return 0;
      return k * LN2_HI + (c + k * LN2_LO);
    }
    const R0 = hfsq * (1.0 - TWO_THIRDS * f);
    if (k === 0) return f - R0;
    return k * LN2_HI - (R0 - (k * LN2_LO + c) - f);
  }
  const s = f / (2.0 + f);
  const z = s * s;
  const R1 = z * LP1;
  const z2 = z * z;
  const R2 = LP2 + z * LP3;
  const z4 = z2 * z2;
  const R3 = LP4 + z * LP5;
  const z6 = z4 * z2;
  const R4 = LP6 + z * LP7;
  const R = R1 + z2 * R2 + z4 * R3 + z6 * R4;
  if (k === 0) return f - (hfsq - s * (hfsq + R));
  return k * LN2_HI - (hfsq - (s * (hfsq + R) + (k * LN2_LO + c)) - f);
}

/**
 * log(1 + x), bit-identical to glibc's x86_64 FMA variant (__log1p_fma): the
 * same C compiled with -mfma, where GCC fuses R2..R4, the R sum, k*ln2_lo + c
 * and 1 - (2/3)f. (k * ln2_hi is exact, so fusing it changes nothing.)
 */
export function log1pGlibcFma(x: number): number {
  const k = reduce(x);
  if (k !== k) return red.f;
  const f = red.f;
  const c = red.c;
  const hfsq = 0.5 * f * f;
  if (red.hu === 0) {
    if (f === 0) {
      if (k === 0) return 0;
      return k * LN2_HI + fma(k, LN2_LO, c);
    }
    const R0 = fma(-f, TWO_THIRDS, 1.0) * hfsq;
    if (k === 0) return f - R0;
    return k * LN2_HI - (R0 - fma(k, LN2_LO, c) - f);
  }
  const s = f / (2.0 + f);
  const z = s * s;
  const z2 = z * z;
  const R2 = fma(z, LP3, LP2);
  const z4 = z2 * z2;
  const R3 = fma(z, LP5, LP4);
  const z6 = z4 * z2;
  const R4 = fma(z, LP7, LP6);
  let R = fma(z, LP1, z2 * R2);
  R = fma(z4, R3, R);
  R = fma(z6, R4, R);
  const t = s * (hfsq + R);
  if (k === 0) return f - (hfsq - t);
  return k * LN2_HI - (hfsq - (fma(k, LN2_LO, c) + t) - f);
}

// --------------------------------------------------------------------------
// Exact fused multiply-add in software (only used on the rare tail path).
// a*b + c is formed exactly with BigInt and rounded once to nearest-even.
// Exact whenever the result is a normal double (always the case in log1p).
// --------------------------------------------------------------------------

const fmaView = new DataView(new ArrayBuffer(8));
let decMant = 0n;
let decExp = 0;

/** x = decMant * 2^decExp (x finite and non-zero). */
function decompose(x: number): void {
  fmaView.setFloat64(0, x);
  const hi = fmaView.getUint32(0);
  const lo = fmaView.getUint32(4);
  const e = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (e === 0) {
    decExp = -1074;
  } else {
    m |= 1n << 52n;
    decExp = e - 1075;
  }
  decMant = hi >>> 31 ? -m : m;
}

function pow2(e: number): number {
  // 2^e for -1022 <= e <= 1023, built from its bits.
  fmaView.setUint32(0, (e + 1023) << 20);
  fmaView.setUint32(4, 0);
  return fmaView.getFloat64(0);
}

function ldexp(v: number, e: number): number {
  while (e > 1000) {
    v *= pow2(1000);
    e -= 1000;
  }
  while (e < -1000) {
    v *= pow2(-1000);
    e += 1000;
  }
  return v * pow2(e);
}

/** Correctly rounded a*b + c (one rounding), like C's fma(). */
export function fma(a: number, b: number, c: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c) || a === 0 || b === 0) {
    return a * b + c; // exact product (or non-finite): the usual rules apply
  }
  if (c === 0) return a * b;
  decompose(a);
  const ma = decMant;
  const ea = decExp;
  decompose(b);
  const mp = ma * decMant;
  const ep = ea + decExp;
  decompose(c);
  const mc = decMant;
  const ec = decExp;
  const e0 = Math.min(ep, ec);
  let total = (mp << BigInt(ep - e0)) + (mc << BigInt(ec - e0));
  if (total === 0n) return 0; // exact cancellation gives +0 in round-to-nearest
  const neg = total < 0n;
  if (neg) total = -total;
  let e = e0;
  const bits = total.toString(2).length;
  if (bits > 64) {
    // Keep 64 bits; fold the rest into a sticky bit (bit 0 is far below the
    // rounding position, so Number() still rounds correctly).
    const shift = bits - 64;
    const sticky = (total & ((1n << BigInt(shift)) - 1n)) !== 0n ? 1n : 0n;
    total = (total >> BigInt(shift)) | sticky;
    e += shift;
  }
  const v = ldexp(Number(total), e);
  return neg ? -v : v;
}
