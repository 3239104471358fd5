/**
 * Bit-exactness of src/rng against NumPy. Golden data: test/fixtures/rng/,
 * written by scripts/gen-rng-fixtures.py (NumPy; Python is not needed here).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  Generator,
  Pcg64,
  SeedSequence,
  defaultRng,
  fillStandardNormal,
  fma,
  log1p,
  log1pGlibc,
  log1pGlibcFma,
  resetZigguratCounters,
  setLog1pFlavor,
  zigguratCounters,
  type Log1pFlavor,
} from '../src/rng/index.js';

const FIXTURES = new URL('./fixtures/rng/', import.meta.url);

interface PermSequence {
  sizes: number[];
  values: number[][];
  then_raw_uint64: string;
  then_state: { state: string; has_uint32: number; uinteger: number };
}
interface SeedRecord {
  seed: number | string;
  state_after_seeding: { state: string; inc: string };
  raw_uint64: string[];
  standard_normal_bits: string[];
  random_bits: string[];
  permutation10: number[];
  permutation_sequence: PermSequence;
}
interface FileRef {
  file: string;
  dtype: string;
  shape: number[];
}
interface Fixture {
  numpy_version: string;
  log1p_flavor: 'glibc-fma' | 'glibc-sse2' | 'unknown';
  log1p: FileRef | null;
  notebook: {
    seed: number;
    loc: number;
    scale: number;
    W1: FileRef;
    W2: FileRef;
    perm_epoch1: FileRef;
    perm_epoch2: FileRef;
    W1_sha256: string;
    state_after: { state: string; has_uint32: number; uinteger: number };
    W1_f64_first_bits: string[];
  };
  seeds: SeedRecord[];
  normals_digest: { seed: number; count: number; sha256_f64le: string; tail_count: number; last_bits: string[] }[];
}

const fx: Fixture = JSON.parse(readFileSync(new URL('rng.json', FIXTURES), 'utf8')) as Fixture;

function readBytes(ref: FileRef): Buffer {
  return readFileSync(new URL(ref.file, FIXTURES));
}
function readF32(ref: FileRef): Float32Array {
  const b = readBytes(ref);
  const out = new Float32Array(b.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = b.readFloatLE(4 * i);
  return out;
}
function readU32(ref: FileRef): Uint32Array {
  const b = readBytes(ref);
  const out = new Uint32Array(b.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = b.readUInt32LE(4 * i);
  return out;
}
function readF64(ref: FileRef): Float64Array {
  const b = readBytes(ref);
  const out = new Float64Array(b.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = b.readDoubleLE(8 * i);
  return out;
}

/** float64 -> 16 hex digits of its bit pattern (the fixtures' format). */
function bits(x: number): string {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(x);
  return b.toString('hex');
}
/** Bit patterns of float32 values, for exact comparison (distinguishes -0, NaN payloads). */
function f32Bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}
function f64LeBytes(a: Float64Array): Buffer {
  const b = Buffer.alloc(a.length * 8);
  for (let i = 0; i < a.length; i++) b.writeDoubleLE(a[i], 8 * i);
  return b;
}
/** Index of the first differing element (-1 if equal); fast for big arrays. */
function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
function seedOf(rec: { seed: number | string }): number | bigint {
  return typeof rec.seed === 'string' ? BigInt(rec.seed) : rec.seed;
}

const flavor: Log1pFlavor = fx.log1p_flavor === 'glibc-sse2' ? 'glibc-sse2' : 'glibc-fma';

beforeAll(() => setLog1pFlavor(flavor));
afterAll(() => setLog1pFlavor('glibc-fma'));

describe('SeedSequence + PCG64 seeding', () => {
  for (const rec of fx.seeds) {
    it(`state after seeding matches NumPy for seed ${String(rec.seed)}`, () => {
      const st = new Pcg64(seedOf(rec)).getState();
      expect(st.state.toString()).toBe(rec.state_after_seeding.state);
      expect(st.inc.toString()).toBe(rec.state_after_seeding.inc);
    });
  }

  it('generate_state hashes the pool like NumPy (seed 0 words)', () => {
    const ss = new SeedSequence(0);
    const w = ss.generateState(8);
    const v = ss.generateState64(4);
    for (let i = 0; i < 4; i++) expect(v[i]).toBe((BigInt(w[2 * i + 1]) << 32n) | BigInt(w[2 * i]));
  });

  it('number and bigint seeds agree', () => {
    expect(new Pcg64(12345).getState()).toEqual(new Pcg64(12345n).getState());
    expect(new Pcg64(2 ** 53).getState()).toEqual(new Pcg64(2n ** 53n).getState());
  });

  it('rejects negative, non-integer and non-finite seeds with RangeError', () => {
    for (const bad of [-1, -1n, 0.5, 1.0000001, NaN, Infinity, -Infinity]) {
      expect(() => defaultRng(bad)).toThrow(RangeError);
    }
    expect(() => defaultRng(-1)).toThrow(/non-negative integer/);
    expect(() => new SeedSequence('3' as unknown as number)).toThrow(RangeError);
  });
});

describe('PCG64 raw stream', () => {
  for (const rec of fx.seeds) {
    it(`first 8 uint64 match NumPy for seed ${String(rec.seed)}`, () => {
      const g = defaultRng(seedOf(rec));
      expect(Array.from({ length: 8 }, () => g.nextUint64().toString())).toEqual(rec.raw_uint64);
      const h = defaultRng(seedOf(rec));
      const [hi, lo] = h.nextUint64Parts();
      expect(((BigInt(hi) << 32n) | BigInt(lo)).toString()).toBe(rec.raw_uint64[0]);
    });
  }

  it('next_double = (u64 >> 11) * 2^-53, like rng.random()', () => {
    for (const rec of fx.seeds) {
      const g = defaultRng(seedOf(rec));
      expect(Array.from({ length: 5 }, () => bits(g.nextDouble()))).toEqual(rec.random_bits);
    }
  });

  it('next_uint32 gives the low half first, then the buffered high half', () => {
    const rec = fx.seeds[0];
    const g = defaultRng(0);
    const out: number[] = [];
    for (let i = 0; i < 8; i++) out.push(g.nextUint32());
    rec.raw_uint64.slice(0, 4).forEach((s, i) => {
      const v = BigInt(s);
      expect(out[2 * i]).toBe(Number(v & 0xffffffffn));
      expect(out[2 * i + 1]).toBe(Number(v >> 32n));
    });
    // A 64-bit draw does not consume the buffered half.
    const h = defaultRng(0);
    const lo0 = h.nextUint32();
    expect(h.nextUint64().toString()).toBe(rec.raw_uint64[1]);
    expect(h.nextUint32()).toBe(Number(BigInt(rec.raw_uint64[0]) >> 32n));
    expect(lo0).toBe(Number(BigInt(rec.raw_uint64[0]) & 0xffffffffn));
  });

  it('setState/getState round-trip', () => {
    const g = defaultRng(7);
    g.nextUint32();
    const st = g.bitGenerator.getState();
    const a = Array.from({ length: 5 }, () => g.nextUint32());
    g.bitGenerator.setState(st);
    expect(Array.from({ length: 5 }, () => g.nextUint32())).toEqual(a);
  });
});

describe('standard normal (ziggurat)', () => {
  for (const rec of fx.seeds) {
    it(`first 20 standard normals are bit-identical for seed ${String(rec.seed)}`, () => {
      const g = defaultRng(seedOf(rec));
      expect(Array.from({ length: 20 }, () => bits(g.standardNormal()))).toEqual(rec.standard_normal_bits);
    });
  }

  for (const d of fx.normals_digest) {
    it(`${d.count} normals for seed ${d.seed} hash identically (tail and wedge paths exercised)`, () => {
      resetZigguratCounters();
      const z = new Float64Array(d.count);
      fillStandardNormal(new Pcg64(d.seed), z);
      const tail = zigguratCounters.tail;
      const wedge = zigguratCounters.wedge;
      expect(Array.from(z.subarray(d.count - 3), bits)).toEqual(d.last_bits);
      expect(createHash('sha256').update(f64LeBytes(z)).digest('hex')).toBe(d.sha256_f64le);
      expect(tail).toBe(d.tail_count);
      expect(tail).toBeGreaterThan(10);
      expect(wedge).toBeGreaterThan(100);
      expect(zigguratCounters.wedgeAccepted).toBeGreaterThan(0);
      expect(zigguratCounters.wedgeAccepted).toBeLessThan(wedge);
    });
  }

  it('normal(loc, scale, size) = loc + scale * z in C order', () => {
    const z = defaultRng(3).normal(0, 1, 10);
    const y = defaultRng(3).normal(1.5, 0.25, [2, 5]);
    expect(y.length).toBe(10);
    for (let i = 0; i < 10; i++) expect(y[i]).toBe(1.5 + 0.25 * z[i]);
    expect(() => defaultRng(3).normal(0, -1, 3)).toThrow(RangeError);
    expect(() => defaultRng(3).normal(0, 1, 2.5)).toThrow(RangeError);
  });
});

describe('log1p used by the ziggurat tail', () => {
  it(`matches the C library that made the fixtures (${fx.log1p_flavor})`, () => {
    if (fx.log1p === null || fx.log1p_flavor === 'unknown') return;
    const ref = readF64(fx.log1p);
    const impl = fx.log1p_flavor === 'glibc-fma' ? log1pGlibcFma : log1pGlibc;
    let mismatches = 0;
    for (let i = 0; i < ref.length; i += 2) if (!Object.is(impl(ref[i]), ref[i + 1])) mismatches++;
    expect(mismatches).toBe(0);
    expect(log1p(ref[0])).toBe(ref[1]);
  });

  it('tells the glibc builds apart on known inputs', () => {
    const x = -0.13238597641134475; // -0x1.0f2060f91605cp-3
    expect(bits(log1pGlibc(x))).toBe('bfc22d54448536df');
    expect(bits(log1pGlibcFma(x))).toBe('bfc22d54448536e0');
    expect(log1pGlibc(0)).toBe(0);
    expect(log1pGlibcFma(-1)).toBe(-Infinity);
    expect(Number.isNaN(log1pGlibc(-2))).toBe(true);
    expect(log1pGlibcFma(1e-300)).toBe(1e-300);
  });

  it('software fma rounds once', () => {
    const e = 2 ** -52;
    // (1 + e)(1 - e) - 1 = -e^2 exactly; unfused arithmetic gives 0.
    expect(fma(1 + e, 1 - e, -1)).toBe(-(e * e));
    expect((1 + e) * (1 - e) - 1).toBe(0);
    expect(fma(2, 3, 4)).toBe(10);
    expect(fma(0.1, 10, -1)).toBe(5.551115123125783e-17);
  });
});

describe('permutation', () => {
  for (const rec of fx.seeds) {
    it(`permutation(10) and a sequence of permutations match for seed ${String(rec.seed)}`, () => {
      expect(Array.from(defaultRng(seedOf(rec)).permutation(10))).toEqual(rec.permutation10);
      const g = defaultRng(seedOf(rec));
      const ps = rec.permutation_sequence;
      ps.sizes.forEach((n, k) => expect(Array.from(g.permutation(n))).toEqual(ps.values[k]));
      const st = g.bitGenerator.getState();
      expect(st.hasUint32).toBe(ps.then_state.has_uint32 === 1);
      if (st.hasUint32) expect(st.uinteger).toBe(ps.then_state.uinteger);
      expect(g.nextUint64().toString()).toBe(ps.then_raw_uint64);
    });
  }

  it('interval(max) is random_interval (masked rejection on next_uint32)', () => {
    const a = defaultRng(11);
    const b = defaultRng(11);
    for (const max of [0, 1, 2, 5, 1000, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1]) {
      const v = a.interval(max);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(max);
      if (max === 0) continue;
      const mask = 0xffffffff >>> Math.clz32(max);
      let w: number;
      do w = (b.nextUint32() & mask) >>> 0;
      while (w > max);
      expect(v).toBe(w);
    }
  });
});

describe('the notebook: default_rng(0); W1; W2; permutation(60000) per epoch', () => {
  const nb = fx.notebook;

  it('reproduces W1, W2 and two epochs of permutations bit for bit', () => {
    const rng = defaultRng(nb.seed);
    const W1 = new Float32Array(784 * 128);
    const W2 = new Float32Array(128 * 10);
    rng.fillNormalF32(W1, nb.loc, nb.scale);
    rng.fillNormalF32(W2, nb.loc, nb.scale);
    const idx = new Uint32Array(60000);

    expect(nb.W1.shape).toEqual([784, 128]);
    expect(nb.W2.shape).toEqual([128, 10]);
    expect(firstMismatch(f32Bits(W1), f32Bits(readF32(nb.W1)))).toBe(-1);
    expect(firstMismatch(f32Bits(W2), f32Bits(readF32(nb.W2)))).toBe(-1);
    const w1le = Buffer.alloc(W1.length * 4);
    W1.forEach((v, i) => w1le.writeFloatLE(v, 4 * i));
    expect(createHash('sha256').update(w1le).digest('hex')).toBe(nb.W1_sha256);

    rng.permutationInto(idx);
    expect(firstMismatch(idx, readU32(nb.perm_epoch1))).toBe(-1);
    rng.permutationInto(idx);
    expect(firstMismatch(idx, readU32(nb.perm_epoch2))).toBe(-1);

    const st = rng.bitGenerator.getState();
    expect(st.state.toString()).toBe(nb.state_after.state);
    expect(st.hasUint32).toBe(nb.state_after.has_uint32 === 1);
    if (st.hasUint32) expect(st.uinteger).toBe(nb.state_after.uinteger);
  });

  it('fillNormalF32 is Math.fround of the float64 normal(...) draws', () => {
    const f64 = defaultRng(0).normal(0, 0.02, 8);
    expect(Array.from(f64, bits)).toEqual(nb.W1_f64_first_bits);
    const f32 = new Float32Array(8);
    defaultRng(0).fillNormalF32(f32, 0, 0.02);
    f32.forEach((v, i) => expect(v).toBe(Math.fround(f64[i])));
  });

  it('permutation(n) equals permutationInto on a fresh array', () => {
    const a = new Generator(5).permutation(1000);
    const b = new Uint32Array(1000);
    new Generator(5).permutationInto(b);
    expect(firstMismatch(a, b)).toBe(-1);
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
