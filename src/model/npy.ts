/**
 * NumPy .npy arrays: writing format 1.0 '<f4' in C order (what np.save writes), and parsing
 * versions 1.0, 2.0 and 3.0 holding '<f4' or '<f8' in C order, with a small parser for the
 * Python dict literal the header is. Errors go through the caller's `fail`.
 */
import { ascii, briefText, writeF32LE } from './bytes.js';

export interface NpyArray {
  member: string;
  descr: '<f4' | '<f8';
  shape: number[];
  /** Exactly count * itemsize bytes of little-endian values. */
  data: Uint8Array;
}

/** A .npy 1.0 file holding a C-order '<f4' array; the header is padded to a multiple of 64 bytes. */
export function encodeNpy(shape: readonly number[], data: Float32Array): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${pyShape(shape)}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  if (header.length > 0xffff) throw new RangeError(`.npy header of ${header.length} bytes does not fit format 1.0`);
  const out = new Uint8Array(10 + header.length + data.length * 4);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]); // \x93NUMPY 1.0
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(ascii(header), 10);
  writeF32LE(out, 10 + header.length, data);
  return out;
}

/** Parses a .npy file (versions 1.0, 2.0, 3.0) holding '<f4' or '<f8' in C order. */
export function parseNpy(m: Uint8Array, member: string, fail: (msg: string) => never): NpyArray {
  const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (m.length < 10 || !MAGIC.every((c, i) => m[i] === c)) fail('not a .npy array (bad magic bytes)');
  const major = m[6];
  const minor = m[7];
  const dv = new DataView(m.buffer, m.byteOffset, m.byteLength);
  let start: number;
  let headerLength: number;
  if (major === 1 && minor === 0) {
    headerLength = dv.getUint16(8, true);
    start = 10;
  } else if ((major === 2 || major === 3) && minor === 0) {
    if (m.length < 12) fail('truncated .npy header');
    headerLength = dv.getUint32(8, true);
    start = 12;
  } else {
    return fail(`.npy format version ${major}.${minor} is not supported (1.0, 2.0 and 3.0 are)`);
  }
  if (start + headerLength > m.length) fail(`.npy header length ${headerLength} runs past the end of the member (${m.length} bytes)`);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(m.subarray(start, start + headerLength));
  } catch {
    return fail('.npy header is not valid UTF-8');
  }
  let dict: unknown;
  try {
    dict = parsePyLiteral(text);
  } catch (e) {
    return fail(`.npy header is not a valid Python dict literal (${(e as Error).message})`);
  }
  if (!(dict instanceof Map)) return fail('.npy header is not a dict');
  const keys = [...dict.keys()];
  const want = ['descr', 'fortran_order', 'shape'];
  if (keys.length !== 3 || !want.every((k) => dict.has(k))) {
    fail(`.npy header has keys ${keys.map((k) => `'${String(k)}'`).join(', ')}; expected exactly 'descr', 'fortran_order', 'shape'`);
  }
  const descr = dict.get('descr');
  if (descr !== '<f4' && descr !== '<f8') {
    return fail(
      `dtype ${typeof descr === 'string' ? `'${briefText(descr)}'` : 'is a structured dtype, which'} is not supported (expected '<f4' float32 or '<f8' float64)`,
    );
  }
  const fortran = dict.get('fortran_order');
  if (fortran === true)
    fail('array is stored in Fortran order (fortran_order True); only C order is supported, save np.ascontiguousarray(a)');
  if (fortran !== false) fail('.npy header fortran_order is not True or False');
  const shape = dict.get('shape');
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return fail('.npy header shape is not a tuple of non-negative integers');
  }
  const itemsize = descr === '<f4' ? 4 : 8;
  const available = m.length - start - headerLength;
  let count = shape.includes(0) ? 0 : 1;
  for (const d of shape as number[]) {
    if (count === 0) break;
    count *= d;
    if (count * itemsize > available) {
      fail(`shape ${pyShape(shape as number[])} of ${descr} needs more than the ${available} data bytes present; the member is truncated`);
    }
  }
  if (count * itemsize !== available) {
    fail(`shape ${pyShape(shape as number[])} of ${descr} needs ${count * itemsize} data bytes but the member has ${available}`);
  }
  return { member, descr, shape: shape as number[], data: m.subarray(start + headerLength) };
}

/**
 * A parser for the Python literals a .npy header uses: dicts, tuples, lists, strings, integers,
 * True, False and None. Dicts become Maps, tuples and lists arrays.
 */
function parsePyLiteral(text: string): unknown {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const err = (what: string): never => {
    throw new Error(`${what} at offset ${i}`);
  };
  const value = (depth: number): unknown => {
    if (depth > 16) err('nesting too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const map = new Map<unknown, unknown>();
      for (;;) {
        ws();
        if (text[i] === '}') {
          i++;
          return map;
        }
        const key = value(depth + 1);
        if (typeof key !== 'string') err('dict key is not a string');
        ws();
        if (text[i] !== ':') err("expected ':'");
        i++;
        if (map.has(key)) err(`duplicate key '${briefText(key as string)}'`);
        map.set(key, value(depth + 1));
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') err("expected ',' or '}'");
      }
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const items: unknown[] = [];
      let commas = 0;
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          // (5) is just 5 in Python; a one-element tuple needs its comma.
          if (c === '(' && items.length === 1 && commas === 0) return items[0];
          return items;
        }
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          commas++;
        } else if (text[i] !== close) err(`expected ',' or '${close}'`);
      }
    }
    if (c === "'" || c === '"') {
      i++;
      let s = '';
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\') err('escapes in strings are not supported');
        s += text[i++];
      }
      if (i >= text.length) err('unterminated string');
      i++;
      return s;
    }
    const m = /^(?:True|False|None|[0-9]+L?)/.exec(text.slice(i, i + 32));
    if (!m) return err('unexpected character');
    i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    const digits = m[0].endsWith('L') ? m[0].slice(0, -1) : m[0];
    const n = Number(digits);
    if (!Number.isSafeInteger(n)) err('integer too large');
    return n;
  };
  const result = value(0);
  ws();
  if (i !== text.length) err('unexpected text after the literal');
  return result;
}

export function pyShape(shape: readonly number[]): string {
  const text = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  return text.length > 80 ? `${text.slice(0, 76)}...)` : text;
}
