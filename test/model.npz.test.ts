/**
 * The npz model file (np.savez layout): CRC-32, round trips, .npy versions and dtypes, deflated
 * and zip64 members, and a ModelFileError for every kind of damaged archive.
 */
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, decodeNpz, encodeModel, encodeNpz, loadNpz, ModelFileError, saveNpz } from '../src/model/index.js';
import { concat, deep, expectModelError, expectSameParams, rng, small, useTempDirs } from './helpers/model-files.js';
import { Mlp } from '../src/nn/mlp.js';

const tempDir = useTempDirs();

/** .npy bytes with any header text, version and raw data, for hand-made members. */
function npy(header: string, data: Uint8Array, version = 1): Uint8Array {
  const prefix = version === 1 ? 10 : 12;
  let h = header;
  h += ' '.repeat((64 - ((prefix + h.length + 1) % 64)) % 64) + '\n';
  const text = Buffer.from(h, version === 3 ? 'utf8' : 'latin1');
  const out = new Uint8Array(prefix + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, text.length, true);
  else dv.setUint32(8, text.length, true);
  out.set(text, prefix);
  out.set(data, prefix + text.length);
  return out;
}

function f32Bytes(a: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Float32Array.from(a).buffer);
}

function f64Bytes(a: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Float64Array.from(a).buffer);
}

function pyShape(shape: number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

function npyOf(shape: number[], values: ArrayLike<number>, descr = '<f4', fortran = 'False', version = 1): Uint8Array {
  const data = descr === '<f8' ? f64Bytes(values) : f32Bytes(values);
  return npy(`{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${pyShape(shape)}, }`, data, version);
}

interface TestMember {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
  crc?: number;
  size?: number;
}

/**
 * An independent zip writer for the tests. Like Python's zipfile under np.savez, local headers
 * carry saturated sizes and a zip64 extra field, while the central directory has the real sizes.
 */
function zip(members: TestMember[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name, 'utf8');
    const body = m.deflate ? new Uint8Array(deflateRawSync(m.data)) : m.data;
    const crc = m.crc ?? crc32(m.data);
    const size = m.size ?? m.data.length;
    const local = new Uint8Array(30 + name.length + 20 + body.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 45, true);
    lv.setUint16(8, m.deflate ? 8 : 0, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, 0xffffffff, true);
    lv.setUint32(22, 0xffffffff, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, 20, true);
    local.set(name, 30);
    lv.setUint16(30 + name.length, 1, true);
    lv.setUint16(32 + name.length, 16, true);
    lv.setBigUint64(34 + name.length, BigInt(size), true);
    lv.setBigUint64(42 + name.length, BigInt(body.length), true);
    local.set(body, 50 + name.length);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 45, true);
    cv.setUint16(6, 45, true);
    cv.setUint16(10, m.deflate ? 8 : 0, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const cd = concat(...centrals);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, members.length, true);
  ev.setUint16(10, members.length, true);
  ev.setUint32(12, cd.length, true);
  ev.setUint32(16, offset, true);
  return concat(...locals, cd, end);
}

/** The members of net as np.savez would name them, optionally as float64 or deflated. */
function membersOf(net: Mlp, descr = '<f4', deflate = false): TestMember[] {
  const out: TestMember[] = [];
  for (let l = 1; l <= net.layers; l++) {
    out.push({ name: `W${l}.npy`, data: npyOf([net.sizes[l - 1], net.sizes[l]], net.W[l], descr), deflate });
    out.push({ name: `b${l}.npy`, data: npyOf([net.sizes[l]], net.b[l], descr), deflate });
  }
  return out;
}

const expectNpzError = (fn: () => unknown, pattern: RegExp) => expectModelError(fn, pattern, 'model.npz');

describe('npz model files', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(Buffer.from('6789'), crc32(Buffer.from('12345')))).toBe(0xcbf43926);
  });

  it('round-trips bit for bit, in memory and through files', () => {
    for (const net of [small, deep]) expectSameParams(decodeNpz(encodeNpz(net), 'm.npz').net, net);
    const file = join(tempDir(), 'model.npz');
    saveNpz(file, deep);
    expectSameParams(loadNpz(file).net, deep);
  });

  it('writes .npy 1.0 members with 64-byte aligned headers, in np.savez order', () => {
    const bytes = encodeNpz(small);
    const text = Buffer.from(bytes).toString('latin1');
    expect(text.startsWith('PK\x03\x04')).toBe(true);
    const at = text.indexOf('\x93NUMPY\x01\x00');
    const hlen = new DataView(bytes.buffer).getUint16(at + 8, true);
    expect((10 + hlen) % 64).toBe(0);
    expect(text.slice(at + 10, at + 10 + hlen)).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(5, 4\), \} *\n$/);
    expect(text).toContain("'shape': (4,), }");
    expect([...text.matchAll(/PK\x01\x02.{42}([Wb]\d\.npy)/gs)].map((m) => m[1])).toEqual(['W1.npy', 'b1.npy', 'W2.npy', 'b2.npy']);
  });

  it('reads deflated members (np.savez_compressed) and zip64 local headers', () => {
    expectSameParams(decodeNpz(zip(membersOf(deep, '<f4', true)), 'm.npz').net, deep);
    expectSameParams(decodeNpz(zip(membersOf(deep, '<f4', false)), 'm.npz').net, deep);
  });

  it('casts float64 arrays to float32 with round-to-nearest', () => {
    const net = new Mlp([2, 2]);
    const values = [0.1, -1 / 3, 1e-50, 16777217, 2 / 3, 1e300];
    const members = [
      { name: 'W1.npy', data: npyOf([2, 2], values.slice(0, 4), '<f8') },
      { name: 'b1.npy', data: npyOf([2], values.slice(4), '<f8') },
    ];
    expectNpzError(
      () => decodeNpz(zip(members), 'model.npz'),
      /member b1\.npy has Infinity at index 1 \[1\] \(after rounding float64 to float32\)/,
    );
    const back = decodeNpz(zip(members), 'model.npz', { allowNonFinite: true }).net;
    expect(Array.from(back.params)).toEqual(values.map(Math.fround));
    expect(back.sizes).toEqual(net.sizes);
  });

  it('reads .npy versions 2.0 and 3.0, and b stored as (1, out)', () => {
    const members = membersOf(small).map((m, i) => {
      const l = (i >> 1) + 1;
      const shape = i % 2 === 0 ? [small.sizes[l - 1], small.sizes[l]] : [small.sizes[l]];
      const values = i % 2 === 0 ? small.W[l] : small.b[l];
      return { ...m, data: npyOf(i === 3 ? [1, shape[0]] : shape, values, '<f4', 'False', (i % 3) + 1) };
    });
    expectSameParams(decodeNpz(zip(members), 'm.npz').net, small);
  });

  it('rejects a bad CRC, naming the member', () => {
    const members = membersOf(small);
    members[1].crc = crc32(members[1].data) ^ 1;
    expectNpzError(() => decodeNpz(zip(members), 'model.npz'), /^model\.npz: member b1\.npy: CRC-32 mismatch/);
    // Damage the data of a member written by encodeNpz.
    const bytes = encodeNpz(small);
    bytes[200] ^= 0x40;
    expectNpzError(() => decodeNpz(bytes, 'model.npz'), /member W1\.npy: CRC-32 mismatch/);
    const deflated = membersOf(small, '<f4', true);
    deflated[2].crc = 1;
    expectNpzError(() => decodeNpz(zip(deflated), 'model.npz'), /member W2\.npy: CRC-32 mismatch/);
  });

  it('rejects other dtypes, naming them', () => {
    for (const descr of ['<i4', '>f4', '<f2', '|u1', '<c8']) {
      const members = membersOf(small);
      members[2].data = npyOf([4, 3], small.W[2], descr);
      expectNpzError(() => decodeNpz(zip(members), 'model.npz'), new RegExp(`member W2\\.npy: dtype '\\${descr}' is not supported`));
    }
    const members = membersOf(small);
    members[0].data = npy(`{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (5, 4), }`, f32Bytes(small.W[1]));
    expectNpzError(() => decodeNpz(zip(members), 'model.npz'), /member W1\.npy: dtype is a structured dtype, which is not supported/);
  });

  it('rejects Fortran order', () => {
    const members = membersOf(small);
    members[0].data = npyOf([5, 4], small.W[1], '<f4', 'True');
    expectNpzError(() => decodeNpz(zip(members), 'model.npz'), /member W1\.npy: array is stored in Fortran order/);
  });

  it('rejects shapes that do not chain, and missing or extra members', () => {
    const wrongRows = membersOf(deep);
    wrongRows[2].data = npyOf([4, 4], new Float32Array(16));
    expectNpzError(
      () => decodeNpz(zip(wrongRows), 'model.npz'),
      /member W2\.npy has shape \(4, 4\) but W1\.npy has 5 outputs, so W2\.npy needs 5 rows/,
    );
    const wrongBias = membersOf(deep);
    wrongBias[3].data = npyOf([3], new Float32Array(3));
    expectNpzError(
      () => decodeNpz(zip(wrongBias), 'model.npz'),
      /member b2\.npy has shape \(3,\) but W2\.npy has shape \(5, 4\), so b2\.npy needs \(4,\)/,
    );
    const vector = membersOf(small);
    vector[0].data = npyOf([20], small.W[1]);
    expectNpzError(() => decodeNpz(zip(vector), 'model.npz'), /W1\.npy has shape \(20,\); a weight matrix needs 2 dimensions/);
    expectNpzError(() => decodeNpz(zip(membersOf(small).slice(0, 3)), 'model.npz'), /missing member b2\.npy/);
    expectNpzError(
      () => decodeNpz(zip([...membersOf(small), { name: 'loss.npy', data: npyOf([1], [0]) }]), 'model.npz'),
      /unexpected member loss\.npy \(expected exactly W1\.npy, b1\.npy, W2\.npy, b2\.npy\)/,
    );
    expectNpzError(() => decodeNpz(zip(membersOf(small).slice(1)), 'model.npz'), /no member W1\.npy/);
    const twice = membersOf(small);
    twice.push(twice[0]);
    expectNpzError(() => decodeNpz(zip(twice), 'model.npz'), /member W1\.npy appears twice/);
  });

  it('rejects damaged archives and members', () => {
    const good = encodeNpz(small);
    expectNpzError(() => decodeNpz(good.subarray(0, 10), 'model.npz'), /too short for a zip archive/);
    expectNpzError(() => decodeNpz(good.subarray(0, good.length - 1), 'model.npz'), /not a zip archive/);
    expectNpzError(() => decodeNpz(encodeModel(small), 'model.npz'), /not a zip archive/);
    const truncated = membersOf(small);
    truncated[0].data = truncated[0].data.subarray(0, truncated[0].data.length - 4);
    expectNpzError(
      () => decodeNpz(zip(truncated), 'model.npz'),
      /member W1\.npy: shape \(5, 4\) of <f4 needs more than the 76 data bytes present/,
    );
    const trailing = membersOf(small);
    trailing[1].data = concat(trailing[1].data, new Uint8Array(4));
    expectNpzError(
      () => decodeNpz(zip(trailing), 'model.npz'),
      /member b1\.npy: shape \(4,\) of <f4 needs 16 data bytes but the member has 20/,
    );
    const badHeader = membersOf(small);
    badHeader[0].data = npy(`{'descr': '<f4', 'fortran_order': False, 'shape': (5, 4), 'x': 1}`, f32Bytes(small.W[1]));
    expectNpzError(() => decodeNpz(zip(badHeader), 'model.npz'), /expected exactly 'descr', 'fortran_order', 'shape'/);
    badHeader[0].data = npy(`{'descr': '<f4', 'fortran_order': False, 'shape': (5, 4}`, f32Bytes(small.W[1]));
    expectNpzError(() => decodeNpz(zip(badHeader), 'model.npz'), /not a valid Python dict literal/);
    badHeader[0].data = f32Bytes(small.W[1]);
    expectNpzError(() => decodeNpz(zip(badHeader), 'model.npz'), /member W1\.npy: not a \.npy array/);
    // A deflated member that inflates beyond its declared size, or lies about its size.
    const bomb = membersOf(small, '<f4', true);
    bomb[0].size = 100;
    bomb[0].crc = 0;
    expectNpzError(() => decodeNpz(zip(bomb), 'model.npz'), /member W1\.npy: inflates to more than its declared size of 100 bytes/);
    bomb[0].size = 2 ** 32 - 2;
    expectNpzError(() => decodeNpz(zip(bomb), 'model.npz'), /declared size 4294967294 is impossible/);
  });

  it('never throws anything but ModelFileError on damaged bytes', () => {
    const r = rng(9);
    for (const good of [encodeNpz(small), zip(membersOf(small, '<f4', true))]) {
      for (let trial = 0; trial < 300; trial++) {
        const bytes = Uint8Array.from(good);
        const flips = 1 + Math.floor(((r() + 1) / 2) * 3);
        for (let f = 0; f < flips; f++) bytes[Math.floor(((r() + 1) / 2) * bytes.length)] ^= 1 << Math.floor(((r() + 1) / 2) * 8);
        try {
          decodeNpz(bytes, 'f');
        } catch (e) {
          expect(e).toBeInstanceOf(ModelFileError);
        }
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Python interop
