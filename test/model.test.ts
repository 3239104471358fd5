import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  crc32,
  decodeModel,
  decodeNpz,
  encodeModel,
  encodeNpz,
  loadModel,
  loadNpz,
  ModelFileError,
  saveModel,
  saveNpz,
  writeFileAtomic,
} from '../src/model/index.js';
import { Mlp } from '../src/nn/mlp.js';

// ---------------------------------------------------------------------------------------------
// Fixtures

/** mulberry32: a small deterministic generator of floats in [-1, 1). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 2 - 1;
  };
}

function makeNet(sizes: number[], seed = 1): Mlp {
  const net = new Mlp(sizes);
  const r = rng(seed);
  for (let i = 0; i < net.params.length; i++) net.params[i] = r();
  // A few values that a careless encoder would not keep bit for bit.
  net.params[1] = -0;
  net.params[2] = 1e-40; // subnormal
  net.params[3] = 3.4028234663852886e38; // largest float32
  return net;
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

function expectSameParams(a: Mlp, b: Mlp): void {
  expect(a.sizes).toEqual(b.sizes);
  expect(bits(a.params)).toEqual(bits(b.params));
}

const tmpDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'native-mlp-model-'));
  tmpDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

const small = makeNet([5, 4, 3]);
const deep = makeNet([6, 5, 4, 3], 7);

// ---------------------------------------------------------------------------------------------
// safetensors helpers: take a good file apart and put (possibly corrupt) pieces back together.

interface Parts {
  header: Record<string, any>;
  data: Uint8Array;
}

function split(bytes: Uint8Array): Parts {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8')), data: bytes.slice(8 + n) };
}

/** Header text (or object) and data into a file; no padding, so the data may be unaligned. */
function join8(header: object | string, data: Uint8Array, declaredLength?: bigint): Uint8Array {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declaredLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Applies `edit` to a copy of small's header and data, then decodes. */
function decodeEdited(edit: (p: Parts) => void, opts?: { allowNonFinite?: boolean }) {
  const p = split(encodeModel(small));
  edit(p);
  return decodeModel(join8(p.header, p.data), 'model.safetensors', opts);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Expects a ModelFileError whose message starts with the source and matches `pattern`. */
function expectModelError(fn: () => unknown, pattern: RegExp, source = 'model.safetensors'): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ModelFileError);
  const msg = (caught as Error).message;
  expect(msg.startsWith(`${source}: `), msg).toBe(true);
  expect(msg).toMatch(pattern);
}

// ---------------------------------------------------------------------------------------------

describe('safetensors model files', () => {
  it('round-trips bit for bit, with the standard metadata and extras', () => {
    for (const net of [small, deep]) {
      const bytes = encodeModel(net, { testAccuracy: '0.9712' });
      const { net: back, metadata } = decodeModel(bytes, 'm');
      expectSameParams(back, net);
      expect(metadata).toEqual({
        format: 'native-mlp',
        format_version: '1',
        layers: net.sizes.join(','),
        activation: 'relu',
        output: 'softmax',
        testAccuracy: '0.9712',
      });
    }
  });

  it('writes the layout the format describes: aligned data, W1, b1, W2, b2 in order', () => {
    const bytes = encodeModel(small);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const { header, data } = split(bytes);
    expect(Object.keys(header)).toEqual(['__metadata__', 'W1', 'b1', 'W2', 'b2']);
    expect(header.W1).toEqual({ dtype: 'F32', shape: [5, 4], data_offsets: [0, 80] });
    expect(header.b1).toEqual({ dtype: 'F32', shape: [4], data_offsets: [80, 96] });
    expect(header.W2).toEqual({ dtype: 'F32', shape: [4, 3], data_offsets: [96, 144] });
    expect(header.b2).toEqual({ dtype: 'F32', shape: [3], data_offsets: [144, 156] });
    expect(data.length).toBe(156);
    expect(new DataView(data.buffer, data.byteOffset).getFloat32(96 + 4 * 5, true)).toBe(small.W[2][5]);
  });

  it('reads files from other tools: unaligned data, tensors in another order', () => {
    const { header, data } = split(encodeModel(deep));
    for (const pad of ['', ' ', '  ', '   ']) {
      const bytes = join8(JSON.stringify(header) + pad, data);
      expectSameParams(decodeModel(bytes, 'x').net, deep);
    }
    // Same data, with b1 stored after W2 and offsets saying so.
    const b1 = data.slice(header.b1.data_offsets[0], header.b1.data_offsets[1]);
    const W2 = data.slice(header.W2.data_offsets[0], header.W2.data_offsets[1]);
    const [s, e] = [header.b1.data_offsets[0], header.W2.data_offsets[1]];
    const moved = Uint8Array.from(data);
    moved.set(W2, s);
    moved.set(b1, s + W2.length);
    header.W2.data_offsets = [s, s + W2.length];
    header.b1.data_offsets = [s + W2.length, e];
    expectSameParams(decodeModel(join8(header, moved), 'x').net, deep);
  });

  it('round-trips through files, reporting the extra metadata', () => {
    const dir = tempDir();
    const file = join(dir, 'model.safetensors');
    saveModel(file, deep, { epochs: '3' });
    const { net, metadata } = loadModel(file);
    expectSameParams(net, deep);
    expect(metadata.epochs).toBe('3');
    saveModel(file, small); // replaces the old file
    expectSameParams(loadModel(file).net, small);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('refuses extra metadata that would override the format or is not a string', () => {
    expect(() => encodeModel(small, { layers: '1,2' })).toThrow(/reserved/);
    expect(() => encodeModel(small, { n: 3 as unknown as string })).toThrow(/strings/);
  });

  describe('rejects corrupt files with a ModelFileError naming the problem', () => {
    const good = encodeModel(small);
    const headerLength = split(good).header && Number(new DataView(good.buffer).getBigUint64(0, true));

    it('truncated files and header lengths', () => {
      expectModelError(() => decodeModel(good.subarray(0, 5), 'model.safetensors'), /too short for a safetensors header \(5 bytes/);
      expectModelError(() => decodeModel(new Uint8Array(0), 'model.safetensors'), /too short/);
      expectModelError(
        () => decodeModel(good.subarray(0, 8 + headerLength - 1), 'model.safetensors'),
        new RegExp(`header length ${headerLength} is larger than the file`),
      );
      const longer = Uint8Array.from(good);
      new DataView(longer.buffer).setBigUint64(0, BigInt(good.length), true);
      expectModelError(() => decodeModel(longer, 'model.safetensors'), /is larger than the file/);
      const huge = Uint8Array.from(good);
      new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
      expectModelError(() => decodeModel(huge, 'model.safetensors'), /header length 9223372036854775808 exceeds the limit of 1048576 bytes/);
      new DataView(huge.buffer).setBigUint64(0, 2n ** 64n - 1n, true);
      expectModelError(() => decodeModel(huge, 'model.safetensors'), /exceeds the limit/);
      // Truncated data: the tensors no longer fit.
      expectModelError(() => decodeModel(good.subarray(0, good.length - 4), 'model.safetensors'), /tensor b2: data_offsets \[144, 156\] are out of range/);
    });

    it('bad JSON, a header that is not an object, invalid UTF-8', () => {
      expectModelError(() => decodeModel(join8('{"W1": ', new Uint8Array(0)), 'model.safetensors'), /header is not valid JSON/);
      expectModelError(() => decodeModel(join8('', new Uint8Array(0)), 'model.safetensors'), /not valid JSON/);
      expectModelError(() => decodeModel(join8('[1, 2]', new Uint8Array(0)), 'model.safetensors'), /header is not a JSON object \(found an array\)/);
      expectModelError(() => decodeModel(join8('null', new Uint8Array(0)), 'model.safetensors'), /not a JSON object \(found null\)/);
      expectModelError(() => decodeModel(join8('"s"', new Uint8Array(0)), 'model.safetensors'), /not a JSON object \(found string\)/);
      const bad = concat(join8('{"a":"  "}', new Uint8Array(0)));
      bad[15] = 0xff;
      expectModelError(() => decodeModel(bad, 'model.safetensors'), /not valid UTF-8/);
      // Deep nesting fails cleanly rather than overflowing the stack.
      expectModelError(() => decodeModel(join8('['.repeat(500_000), new Uint8Array(0)), 'model.safetensors'), /JSON/);
    });

    it('an unknown dtype', () => {
      expectModelError(() => decodeEdited((p) => (p.header.W1.dtype = 'F16')), /tensor W1 has dtype "F16"; only F32 is supported/);
      expectModelError(() => decodeEdited((p) => (p.header.b2.dtype = 'f32')), /tensor b2 has dtype "f32"/);
      expectModelError(() => decodeEdited((p) => delete p.header.b2.dtype), /tensor b2 has dtype undefined/);
    });

    it('wrong shapes', () => {
      expectModelError(
        () => decodeEdited((p) => (p.header.W2.shape = [3, 4])),
        /^model\.safetensors: tensor W2 has shape \[3, 4\] but layers 5,4,3 need \[4, 3\]$/,
      );
      expectModelError(() => decodeEdited((p) => (p.header.b1.shape = [2, 2])), /tensor b1 has shape \[2, 2\] but layers 5,4,3 need \[4\]/);
      expectModelError(
        () => decodeEdited((p) => (p.header.W2.shape = [4, 4])),
        /tensor W2: shape \[4, 4\] needs more than the 48 bytes its data_offsets \[96, 144\] span/,
      );
      expectModelError(() => decodeEdited((p) => (p.header.W2.shape = [4, 2])), /shape \[4, 2\] needs 32 bytes of F32 but data_offsets \[96, 144\] span 48/);
      expectModelError(() => decodeEdited((p) => (p.header.W2.shape = [4, -3])), /shape \[4,-3\] is not an array of non-negative integers/);
      expectModelError(() => decodeEdited((p) => (p.header.W2.shape = [4, 1.5])), /not an array of non-negative integers/);
      expectModelError(() => decodeEdited((p) => (p.header.W2.shape = '4,3')), /not an array of non-negative integers/);
      expectModelError(() => decodeEdited((p) => (p.header.W2.shape = [2 ** 40, 2 ** 40, 2 ** 40])), /needs more than the 48 bytes/);
    });

    it('overlapping, out-of-range and malformed offsets', () => {
      expectModelError(
        () => decodeEdited((p) => (p.header.b1.data_offsets = [76, 92])),
        /tensors W1 \[0, 80\] and b1 \[76, 92\] overlap/,
      );
      expectModelError(() => decodeEdited((p) => (p.header.W2.data_offsets = [0, 48])), /overlap/);
      expectModelError(
        () => decodeEdited((p) => (p.header.b2.data_offsets = [148, 160])),
        /tensor b2: data_offsets \[148, 160\] are out of range \(the data section has 156 bytes\)/,
      );
      expectModelError(() => decodeEdited((p) => (p.header.b2.data_offsets = [2 ** 53, 2 ** 53 + 12])), /out of range|non-negative integers/);
      expectModelError(() => decodeEdited((p) => (p.header.b2.data_offsets = [156, 144])), /data_offsets \[156, 144\] end before they begin/);
      expectModelError(() => decodeEdited((p) => (p.header.b2.data_offsets = [144])), /not a pair \[begin, end\]/);
      expectModelError(() => decodeEdited((p) => (p.header.b2.data_offsets = [-12, 0])), /not a pair/);
      expectModelError(() => decodeEdited((p) => (p.header.b2 = 'x')), /tensor b2: entry is not a JSON object/);
    });

    it('a gap between tensors and trailing bytes', () => {
      expectModelError(
        () =>
          decodeEdited((p) => {
            p.data = concat(p.data.subarray(0, 96), new Uint8Array(4), p.data.subarray(96));
            p.header.W2.data_offsets = [100, 148];
            p.header.b2.data_offsets = [148, 160];
          }),
        /gap of 4 bytes in the data between tensor b1 \(ends at 96\) and tensor W2 \(begins at 100\)/,
      );
      expectModelError(
        () =>
          decodeEdited((p) => {
            p.data = concat(new Uint8Array(8), p.data);
            for (const k of ['W1', 'b1', 'W2', 'b2']) p.header[k].data_offsets = p.header[k].data_offsets.map((o: number) => o + 8);
          }),
        /gap of 8 bytes in the data before the first tensor and tensor W1/,
      );
      expectModelError(() => decodeModel(concat(good, new Uint8Array(4)), 'model.safetensors'), /4 trailing bytes after the last tensor/);
    });

    it('missing and extra tensors', () => {
      expectModelError(
        () =>
          decodeEdited((p) => {
            delete p.header.b2;
            p.data = p.data.subarray(0, 144);
          }),
        /missing tensor b2 \(layers 5,4,3 need W1, b1, W2, b2\)/,
      );
      expectModelError(
        () =>
          decodeEdited((p) => {
            p.header.W3 = { dtype: 'F32', shape: [1], data_offsets: [156, 160] };
            p.data = concat(p.data, new Uint8Array(4));
          }),
        /unexpected tensor W3; layers 5,4,3 have exactly W1, b1, W2, b2/,
      );
    });

    it('NaN and infinite weights, unless allowNonFinite', () => {
      const withNaN = (p: Parts) => new DataView(p.data.buffer, p.data.byteOffset).setFloat32(96 + 4 * 5, NaN, true);
      expectModelError(
        () => decodeEdited(withNaN),
        /^model\.safetensors: tensor W2 has NaN at index 5 \[1, 2\]; pass allowNonFinite to load it anyway$/,
      );
      const { net } = decodeEdited(withNaN, { allowNonFinite: true });
      expect(net.W[2][5]).toBeNaN();
      expectModelError(
        () => decodeEdited((p) => new DataView(p.data.buffer, p.data.byteOffset).setFloat32(80 + 4 * 3, -Infinity, true)),
        /tensor b1 has -Infinity at index 3 \[3\]/,
      );
      // NaN payloads survive a round trip bit for bit.
      const odd = makeNet([5, 4, 3]);
      new Uint32Array(odd.params.buffer)[7] = 0x7fc01234;
      const back = decodeModel(encodeModel(odd), 'x', { allowNonFinite: true }).net;
      expect(new Uint32Array(back.params.buffer)[7]).toBe(0x7fc01234);
    });

    it('missing or wrong metadata', () => {
      expectModelError(() => decodeEdited((p) => delete p.header.__metadata__), /no __metadata__ in the header; not a native-mlp model file/);
      expectModelError(() => decodeEdited((p) => (p.header.__metadata__ = [])), /__metadata__ is not a JSON object/);
      expectModelError(() => decodeEdited((p) => delete p.header.__metadata__.format), /metadata has no "format"/);
      expectModelError(() => decodeEdited((p) => (p.header.__metadata__.format = 'pt')), /metadata format is "pt", expected "native-mlp"/);
      expectModelError(() => decodeEdited((p) => delete p.header.__metadata__.format_version), /no "format_version"/);
      expectModelError(() => decodeEdited((p) => (p.header.__metadata__.format_version = '2')), /format_version "2" is not supported/);
      expectModelError(() => decodeEdited((p) => delete p.header.__metadata__.layers), /metadata has no "layers"/);
      expectModelError(() => decodeEdited((p) => (p.header.__metadata__.layers = '5,four,3')), /metadata layers "5,four,3" is not a comma-separated list/);
      expectModelError(() => decodeEdited((p) => (p.header.__metadata__.layers = '5')), /is not a comma-separated list/);
      expectModelError(() => decodeEdited((p) => (p.header.__metadata__.layers = '5,0,3')), /is not a comma-separated list/);
      expectModelError(() => decodeEdited((p) => (p.header.__metadata__.layers = '5,4')), /unexpected tensor W2; layers 5,4 have exactly W1, b1/);
      expectModelError(() => decodeEdited((p) => (p.header.__metadata__.layers = '5,4,3,2')), /missing tensor W3/);
      expectModelError(() => decodeEdited((p) => (p.header.__metadata__.layers = '5,4,2')), /tensor W2 has shape \[4, 3\] but layers 5,4,2 need \[4, 2\]/);
      expectModelError(() => decodeEdited((p) => (p.header.__metadata__.activation = 'swish')), /activation "swish" is not supported/);
      expectModelError(() => decodeEdited((p) => (p.header.__metadata__.epochs = 3)), /metadata "epochs" is not a string/);
    });

    it('never throws anything but ModelFileError on damaged bytes', () => {
      const r = rng(42);
      for (let trial = 0; trial < 400; trial++) {
        const bytes = Uint8Array.from(good);
        const flips = 1 + Math.floor(((r() + 1) / 2) * 3);
        for (let f = 0; f < flips; f++) bytes[Math.floor(((r() + 1) / 2) * bytes.length)] ^= 1 << Math.floor(((r() + 1) / 2) * 8);
        const cut = trial % 4 === 0 ? Math.floor(((r() + 1) / 2) * bytes.length) : bytes.length;
        try {
          decodeModel(bytes.subarray(0, cut), 'f');
        } catch (e) {
          expect(e).toBeInstanceOf(ModelFileError);
        }
      }
    });
  });

  describe('file errors and atomic saves', () => {
    it('names a missing file or folder', () => {
      expectModelError(() => loadModel('/nonexistent/m.safetensors'), /cannot read: no such file \(ENOENT\)/, '/nonexistent/m.safetensors');
      const dir = tempDir();
      expectModelError(() => loadModel(dir), /is a folder/, dir);
      const file = join(dir, 'missing', 'm.safetensors');
      expectModelError(() => saveModel(file, small), /cannot save: folder .*missing does not exist \(ENOENT\)/, file);
    });

    function setup() {
      const dir = tempDir();
      const file = join(dir, 'model.safetensors');
      saveModel(file, small);
      return { dir, file, before: readFileSync(file) };
    }

    it('leaves the old file intact and no temporary file when writing fails midway', () => {
      for (const hook of ['afterWrite', 'beforeRename'] as const) {
        const { dir, file, before } = setup();
        let temp = '';
        expectModelError(
          () =>
            writeFileAtomic(file, encodeModel(deep), {
              [hook]: (t: string) => {
                temp = t;
                expect(readdirSync(dir)).toContain(t.slice(dir.length + 1)); // the temp file is really there
                throw new Error('simulated crash');
              },
            }),
          /cannot save: .*simulated crash/,
          file,
        );
        expect(temp).toMatch(/\/\.model\.safetensors\.\d+\.[0-9a-f]+\.tmp$/);
        expect(readFileSync(file).equals(before)).toBe(true);
        expect(readdirSync(dir)).toEqual(['model.safetensors']);
        expectSameParams(loadModel(file).net, small);
      }
    });

    it('leaves the old file intact when the net cannot be encoded', () => {
      const { dir, file, before } = setup();
      const broken = { sizes: [5, 4, 3], W: [new Float32Array(0)], b: [new Float32Array(0)], params: new Float32Array(3) } as unknown as Mlp;
      expectModelError(() => saveModel(file, broken), /cannot save: W1 should be a Float32Array of 5 x 4 values/, file);
      expectModelError(() => saveNpz(file, broken), /cannot save/, file);
      expect(readFileSync(file).equals(before)).toBe(true);
      expect(readdirSync(dir)).toEqual(['model.safetensors']);
    });

    it('removes the temporary file when the rename fails (target is a folder)', () => {
      const dir = tempDir();
      const target = join(dir, 'model.safetensors');
      mkdirSync(target);
      writeFileSync(join(target, 'keep'), 'x');
      expectModelError(() => saveModel(target, small), /cannot save: .*(folder|EISDIR|ENOTEMPTY|EEXIST)/, target);
      expect(readdirSync(dir)).toEqual(['model.safetensors']);
      expect(readdirSync(target)).toEqual(['keep']);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// npz

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
    expectNpzError(() => decodeNpz(zip(members), 'model.npz'), /member b1\.npy has Infinity at index 1 \[1\] \(after rounding float64 to float32\)/);
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
    expectNpzError(() => decodeNpz(zip(wrongRows), 'model.npz'), /member W2\.npy has shape \(4, 4\) but W1\.npy has 5 outputs, so W2\.npy needs 5 rows/);
    const wrongBias = membersOf(deep);
    wrongBias[3].data = npyOf([3], new Float32Array(3));
    expectNpzError(() => decodeNpz(zip(wrongBias), 'model.npz'), /member b2\.npy has shape \(3,\) but W2\.npy has shape \(5, 4\), so b2\.npy needs \(4,\)/);
    const vector = membersOf(small);
    vector[0].data = npyOf([20], small.W[1]);
    expectNpzError(() => decodeNpz(zip(vector), 'model.npz'), /W1\.npy has shape \(20,\); a weight matrix needs 2 dimensions/);
    expectNpzError(() => decodeNpz(zip(membersOf(small).slice(0, 3)), 'model.npz'), /missing member b2\.npy/);
    expectNpzError(() => decodeNpz(zip([...membersOf(small), { name: 'loss.npy', data: npyOf([1], [0]) }]), 'model.npz'), /unexpected member loss\.npy \(expected exactly W1\.npy, b1\.npy, W2\.npy, b2\.npy\)/);
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
    expectNpzError(() => decodeNpz(zip(truncated), 'model.npz'), /member W1\.npy: shape \(5, 4\) of <f4 needs more than the 76 data bytes present/);
    const trailing = membersOf(small);
    trailing[1].data = concat(trailing[1].data, new Uint8Array(4));
    expectNpzError(() => decodeNpz(zip(trailing), 'model.npz'), /member b1\.npy: shape \(4,\) of <f4 needs 16 data bytes but the member has 20/);
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

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
if (!hasNumpy) console.warn('model.test.ts: python3 with numpy is not available; the Python interop tests are skipped');

function python(script: string, ...args: string[]): string {
  const r = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

function writeBin(file: string, a: Float32Array): void {
  writeFileSync(file, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

const PY_CHECK_NPZ = `
import sys, json, numpy as np
z = np.load(sys.argv[1])
exp = np.fromfile(sys.argv[2], dtype='<f4')
sizes = json.loads(sys.argv[3])
names = []
off = 0
for l in range(1, len(sizes)):
    for name, shape in ((f'W{l}', (sizes[l-1], sizes[l])), (f'b{l}', (sizes[l],))):
        a = z[name]
        names.append(name)
        n = int(np.prod(shape))
        assert a.dtype == np.float32 and a.shape == shape, (name, a.dtype, a.shape)
        want = exp[off:off+n].reshape(shape)
        assert np.array_equal(a, want), name
        assert np.array_equal(a.view(np.uint32), want.view(np.uint32)), name
        off += n
assert off == exp.size
assert z.files == names, z.files
print('ok')
`;

const PY_WRITE_NPZ = `
import sys, os, numpy as np
out = sys.argv[1]
sizes = [6, 5, 4, 3]
arrays = {}
for l in range(1, len(sizes)):
    n = sizes[l-1] * sizes[l]
    arrays[f'W{l}'] = (np.sin(np.arange(n) * 0.37 + l) * 1.7).reshape(sizes[l-1], sizes[l])
    arrays[f'b{l}'] = np.cos(np.arange(sizes[l]) * 1.3 + l) / 3
for dt in ('float32', 'float64'):
    a = {k: v.astype(dt) for k, v in arrays.items()}
    np.savez(os.path.join(out, f'plain_{dt}.npz'), **a)
    np.savez_compressed(os.path.join(out, f'compressed_{dt}.npz'), **a)
    np.concatenate([v.astype(np.float32).reshape(-1) for v in a.values()]).astype('<f4').tofile(os.path.join(out, f'expected_{dt}.bin'))
print('ok')
`;

const PY_CHECK_SAFETENSORS = `
import sys, json, struct, numpy as np
b = open(sys.argv[1], 'rb').read()
exp = np.fromfile(sys.argv[2], dtype='<f4')
sizes = json.loads(sys.argv[3])
(n,) = struct.unpack('<Q', b[:8])
assert (8 + n) % 8 == 0
header = json.loads(b[8:8+n].decode('utf-8'))
meta = header.pop('__metadata__')
data = b[8+n:]
off = 0
end = 0
for l in range(1, len(sizes)):
    for name, shape in ((f'W{l}', [sizes[l-1], sizes[l]]), (f'b{l}', [sizes[l]])):
        t = header.pop(name)
        assert t['dtype'] == 'F32' and t['shape'] == shape, (name, t)
        s, e = t['data_offsets']
        assert s == end, (name, s, end)
        a = np.frombuffer(data[s:e], dtype='<f4').reshape(shape)
        k = int(np.prod(shape))
        assert np.array_equal(a.view(np.uint32), exp[off:off+k].reshape(shape).view(np.uint32)), name
        off += k
        end = e
assert not header, header
assert end == len(data) and off == exp.size
print(json.dumps(meta, sort_keys=True))
`;

describe.skipIf(!hasNumpy)('Python interop (skipped without python3 + numpy)', () => {
  it('an .npz written here loads in NumPy with equal values', () => {
    const dir = tempDir();
    for (const net of [small, deep]) {
      saveNpz(join(dir, 'model.npz'), net);
      writeBin(join(dir, 'expected.bin'), net.params);
      expect(python(PY_CHECK_NPZ, join(dir, 'model.npz'), join(dir, 'expected.bin'), JSON.stringify(net.sizes)).trim()).toBe('ok');
    }
  });

  it('.npz files written by np.savez and np.savez_compressed (float32 and float64) load here', () => {
    const dir = tempDir();
    expect(python(PY_WRITE_NPZ, dir).trim()).toBe('ok');
    for (const dt of ['float32', 'float64']) {
      const expected = new Float32Array(new Uint8Array(readFileSync(join(dir, `expected_${dt}.bin`))).buffer);
      for (const kind of ['plain', 'compressed']) {
        const { net } = loadNpz(join(dir, `${kind}_${dt}.npz`));
        expect(net.sizes).toEqual([6, 5, 4, 3]);
        expect(bits(net.params)).toEqual(bits(expected));
      }
    }
  });

  it('a .safetensors written here is read by json + numpy.frombuffer', () => {
    const dir = tempDir();
    const file = join(dir, 'model.safetensors');
    saveModel(file, deep, { testAccuracy: '0.5' });
    writeBin(join(dir, 'expected.bin'), deep.params);
    const meta = JSON.parse(python(PY_CHECK_SAFETENSORS, file, join(dir, 'expected.bin'), JSON.stringify(deep.sizes)));
    expect(meta).toEqual({
      activation: 'relu',
      format: 'native-mlp',
      format_version: '1',
      layers: '6,5,4,3',
      output: 'softmax',
      testAccuracy: '0.5',
    });
  });
});
