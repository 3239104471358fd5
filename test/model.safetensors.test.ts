/**
 * The safetensors model file: round trips bit for bit, the layout the format describes, files
 * from other tools, and a ModelFileError naming the problem for every kind of corrupt file.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, loadModel, ModelFileError, saveModel } from '../src/model/index.js';
import { concat, deep, expectModelError, expectSameParams, makeNet, rng, small, useTempDirs } from './helpers/model-files.js';

const tempDir = useTempDirs();

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
      expectModelError(
        () => decodeModel(huge, 'model.safetensors'),
        /header length 9223372036854775808 exceeds the limit of 1048576 bytes/,
      );
      new DataView(huge.buffer).setBigUint64(0, 2n ** 64n - 1n, true);
      expectModelError(() => decodeModel(huge, 'model.safetensors'), /exceeds the limit/);
      // Truncated data: the tensors no longer fit.
      expectModelError(
        () => decodeModel(good.subarray(0, good.length - 4), 'model.safetensors'),
        /tensor b2: data_offsets \[144, 156\] are out of range/,
      );
    });

    it('bad JSON, a header that is not an object, invalid UTF-8', () => {
      expectModelError(() => decodeModel(join8('{"W1": ', new Uint8Array(0)), 'model.safetensors'), /header is not valid JSON/);
      expectModelError(() => decodeModel(join8('', new Uint8Array(0)), 'model.safetensors'), /not valid JSON/);
      expectModelError(
        () => decodeModel(join8('[1, 2]', new Uint8Array(0)), 'model.safetensors'),
        /header is not a JSON object \(found an array\)/,
      );
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
      expectModelError(
        () => decodeEdited((p) => (p.header.W2.shape = [4, 2])),
        /shape \[4, 2\] needs 32 bytes of F32 but data_offsets \[96, 144\] span 48/,
      );
      expectModelError(() => decodeEdited((p) => (p.header.W2.shape = [4, -3])), /shape \[4,-3\] is not an array of non-negative integers/);
      expectModelError(() => decodeEdited((p) => (p.header.W2.shape = [4, 1.5])), /not an array of non-negative integers/);
      expectModelError(() => decodeEdited((p) => (p.header.W2.shape = '4,3')), /not an array of non-negative integers/);
      expectModelError(() => decodeEdited((p) => (p.header.W2.shape = [2 ** 40, 2 ** 40, 2 ** 40])), /needs more than the 48 bytes/);
    });

    it('overlapping, out-of-range and malformed offsets', () => {
      expectModelError(() => decodeEdited((p) => (p.header.b1.data_offsets = [76, 92])), /tensors W1 \[0, 80\] and b1 \[76, 92\] overlap/);
      expectModelError(() => decodeEdited((p) => (p.header.W2.data_offsets = [0, 48])), /overlap/);
      expectModelError(
        () => decodeEdited((p) => (p.header.b2.data_offsets = [148, 160])),
        /tensor b2: data_offsets \[148, 160\] are out of range \(the data section has 156 bytes\)/,
      );
      expectModelError(
        () => decodeEdited((p) => (p.header.b2.data_offsets = [2 ** 53, 2 ** 53 + 12])),
        /out of range|non-negative integers/,
      );
      expectModelError(
        () => decodeEdited((p) => (p.header.b2.data_offsets = [156, 144])),
        /data_offsets \[156, 144\] end before they begin/,
      );
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
      expectModelError(
        () => decodeEdited((p) => delete p.header.__metadata__),
        /no __metadata__ in the header; not a native-mlp model file/,
      );
      expectModelError(() => decodeEdited((p) => (p.header.__metadata__ = [])), /__metadata__ is not a JSON object/);
      expectModelError(() => decodeEdited((p) => delete p.header.__metadata__.format), /metadata has no "format"/);
      expectModelError(() => decodeEdited((p) => (p.header.__metadata__.format = 'pt')), /metadata format is "pt", expected "native-mlp"/);
      expectModelError(() => decodeEdited((p) => delete p.header.__metadata__.format_version), /no "format_version"/);
      expectModelError(() => decodeEdited((p) => (p.header.__metadata__.format_version = '2')), /format_version "2" is not supported/);
      expectModelError(() => decodeEdited((p) => delete p.header.__metadata__.layers), /metadata has no "layers"/);
      expectModelError(
        () => decodeEdited((p) => (p.header.__metadata__.layers = '5,four,3')),
        /metadata layers "5,four,3" is not a comma-separated list/,
      );
      expectModelError(() => decodeEdited((p) => (p.header.__metadata__.layers = '5')), /is not a comma-separated list/);
      expectModelError(() => decodeEdited((p) => (p.header.__metadata__.layers = '5,0,3')), /is not a comma-separated list/);
      expectModelError(
        () => decodeEdited((p) => (p.header.__metadata__.layers = '5,4')),
        /unexpected tensor W2; layers 5,4 have exactly W1, b1/,
      );
      expectModelError(() => decodeEdited((p) => (p.header.__metadata__.layers = '5,4,3,2')), /missing tensor W3/);
      expectModelError(
        () => decodeEdited((p) => (p.header.__metadata__.layers = '5,4,2')),
        /tensor W2 has shape \[4, 3\] but layers 5,4,2 need \[4, 2\]/,
      );
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
});
