/**
 * Models as NumPy .npz archives with the notebook's names: W1.npy, b1.npy, W2.npy, b2.npy, ...
 * An .npz is a zip archive of .npy members. Writing produces what np.savez produces (uncompressed
 * "stored" members, .npy format 1.0, '<f4'); reading also accepts deflated members
 * (np.savez_compressed), .npy versions 1.0, 2.0 and 3.0, and '<f8' arrays (rounded to float32).
 *
 * Archives are untrusted when loading: every offset and size is checked against the file before
 * use, deflated members may not inflate beyond their declared size, CRCs are verified, and every
 * problem is a ModelFileError naming the file, the member and the problem.
 */
import { MAX_LAYER_SIZE } from '../limits.js';
import { inflateRawSync } from 'node:zlib';
import { Mlp } from '../nn/mlp.js';
import {
  describeNonFinite,
  firstNonFinite,
  ModelFileError,
  readF32LE,
  readModelBytes,
  writeF32LE,
  writeFileAtomic,
} from './atomic.js';
import { checkNet, type DecodeOptions } from './safetensors.js';

/** Deflate cannot compress better than about 1032:1; a larger declared ratio is a lie. */
const MAX_DEFLATE_RATIO = 1032;

// ---------------------------------------------------------------------------------------------
// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zip uses. node:zlib in Node 20 has none.

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of bytes; pass a previous result as `crc` to continue a running checksum. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Writing

/** The .npz bytes of net: stored (uncompressed) members W1.npy, b1.npy, ... like np.savez. */
export function encodeNpz(net: Mlp): Uint8Array {
  const sizes = checkNet(net);
  const members: { name: Uint8Array; data: Uint8Array }[] = [];
  for (let l = 1; l < sizes.length; l++) {
    members.push({ name: ascii(`W${l}.npy`), data: encodeNpy([sizes[l - 1], sizes[l]], net.W[l]) });
    members.push({ name: ascii(`b${l}.npy`), data: encodeNpy([sizes[l]], net.b[l]) });
  }
  return encodeStoredZip(members);
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

/** Local file headers + data, central directory, end record; no compression, fixed 1980-01-01 dates. */
function encodeStoredZip(members: { name: Uint8Array; data: Uint8Array }[]): Uint8Array {
  let total = 22;
  for (const m of members) total += 30 + m.name.length + m.data.length + 46 + m.name.length;
  if (total > 0xffffffff || members.length > 0xffff) throw new RangeError('model too large for a zip archive without zip64');
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const DOS_TIME = 0;
  const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
  const offsets: number[] = [];
  const crcs: number[] = [];
  let p = 0;
  for (const m of members) {
    const crc = crc32(m.data);
    offsets.push(p);
    crcs.push(crc);
    dv.setUint32(p, 0x04034b50, true);
    dv.setUint16(p + 4, 20, true); // version needed: 2.0
    dv.setUint16(p + 6, 0, true); // flags
    dv.setUint16(p + 8, 0, true); // stored
    dv.setUint16(p + 10, DOS_TIME, true);
    dv.setUint16(p + 12, DOS_DATE, true);
    dv.setUint32(p + 14, crc, true);
    dv.setUint32(p + 18, m.data.length, true);
    dv.setUint32(p + 22, m.data.length, true);
    dv.setUint16(p + 26, m.name.length, true);
    dv.setUint16(p + 28, 0, true); // extra length
    out.set(m.name, p + 30);
    out.set(m.data, p + 30 + m.name.length);
    p += 30 + m.name.length + m.data.length;
  }
  const cdOffset = p;
  members.forEach((m, i) => {
    dv.setUint32(p, 0x02014b50, true);
    dv.setUint16(p + 4, 20, true); // made by: MS-DOS attributes, spec 2.0
    dv.setUint16(p + 6, 20, true);
    dv.setUint16(p + 8, 0, true);
    dv.setUint16(p + 10, 0, true);
    dv.setUint16(p + 12, DOS_TIME, true);
    dv.setUint16(p + 14, DOS_DATE, true);
    dv.setUint32(p + 16, crcs[i], true);
    dv.setUint32(p + 20, m.data.length, true);
    dv.setUint32(p + 24, m.data.length, true);
    dv.setUint16(p + 28, m.name.length, true);
    // extra, comment, disk, internal and external attributes stay 0
    dv.setUint32(p + 42, offsets[i], true);
    out.set(m.name, p + 46);
    p += 46 + m.name.length;
  });
  dv.setUint32(p, 0x06054b50, true);
  dv.setUint16(p + 8, members.length, true);
  dv.setUint16(p + 10, members.length, true);
  dv.setUint32(p + 12, p - cdOffset, true);
  dv.setUint32(p + 16, cdOffset, true);
  return out;
}

/** Saves net as an .npz archive, atomically (temporary file, fsync, rename). */
export function saveNpz(file: string, net: Mlp): void {
  let bytes: Uint8Array;
  try {
    bytes = encodeNpz(net);
  } catch (e) {
    throw new ModelFileError(`${file}: cannot save: ${(e as Error).message}`);
  }
  writeFileAtomic(file, bytes);
}

// ---------------------------------------------------------------------------------------------
// Reading

/** Loads an .npz archive of W1, b1, W2, b2, ...; the file is treated as untrusted. */
export function loadNpz(file: string, opts?: DecodeOptions): { net: Mlp } {
  return decodeNpz(readModelBytes(file), file, opts);
}

interface ZipMember {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  dataStart: number;
}

interface NpyArray {
  member: string;
  descr: '<f4' | '<f8';
  shape: number[];
  /** Exactly count * itemsize bytes of little-endian values. */
  data: Uint8Array;
}

/** Decodes .npz bytes holding W1.npy, b1.npy, ... into a net whose layer sizes follow the shapes. */
export function decodeNpz(bytes: Uint8Array, source: string, opts: DecodeOptions = {}): { net: Mlp } {
  const fail = (msg: string): never => {
    throw new ModelFileError(`${source}: ${msg}`);
  };
  const members = readZipDirectory(bytes, fail);

  // Which members are there, before inflating anything.
  const byName = new Map<string, ZipMember>();
  for (const m of members) {
    if (byName.has(m.name)) fail(`member ${label(m.name)} appears twice`);
    byName.set(m.name, m);
  }
  let layers = 0;
  while (byName.has(`W${layers + 1}.npy`)) layers++;
  if (layers === 0) fail('no member W1.npy; expected W1.npy, b1.npy, W2.npy, b2.npy, ... as np.savez(W1=..., b1=..., ...) writes');
  const expected: string[] = [];
  for (let l = 1; l <= layers; l++) expected.push(`W${l}.npy`, `b${l}.npy`);
  for (const m of members) {
    if (!expected.includes(m.name)) fail(`unexpected member ${label(m.name)} (expected exactly ${expected.join(', ')})`);
  }
  for (const name of expected) if (!byName.has(name)) fail(`missing member ${name} (expected ${expected.join(', ')})`);

  // Each member's .npy header and data, then the shapes as a chain.
  const arrays = new Map<string, NpyArray>();
  for (const name of expected) {
    const m = byName.get(name)!;
    const memberFail = (msg: string): never => fail(`member ${name}: ${msg}`);
    arrays.set(name, parseNpy(extractMember(bytes, m, memberFail), name, memberFail));
  }
  const sizes: number[] = [];
  for (let l = 1; l <= layers; l++) {
    const W = arrays.get(`W${l}.npy`)!;
    const b = arrays.get(`b${l}.npy`)!;
    if (W.shape.length !== 2) fail(`member W${l}.npy has shape ${pyShape(W.shape)}; a weight matrix needs 2 dimensions (in, out)`);
    const [rows, cols] = W.shape;
    if (l === 1) sizes.push(rows);
    else if (rows !== sizes[l - 1]) {
      fail(`member W${l}.npy has shape ${pyShape(W.shape)} but W${l - 1}.npy has ${sizes[l - 1]} outputs, so W${l}.npy needs ${sizes[l - 1]} rows`);
    }
    sizes.push(cols);
    const bOk = (b.shape.length === 1 && b.shape[0] === cols) || (b.shape.length === 2 && b.shape[0] === 1 && b.shape[1] === cols);
    if (!bOk) fail(`member b${l}.npy has shape ${pyShape(b.shape)} but W${l}.npy has shape ${pyShape(W.shape)}, so b${l}.npy needs (${cols},)`);
  }
  if (!sizes.every((s) => s >= 1 && s <= MAX_LAYER_SIZE)) {
    fail(`layer sizes ${sizes.join(',')} are not all in [1, ${MAX_LAYER_SIZE}]`);
  }

  // Every array's bytes are in hand, so this allocation is bounded by what was read.
  let net: Mlp;
  try {
    net = new Mlp(sizes);
  } catch (e) {
    return fail(`cannot hold layers ${sizes.join(',')}: ${(e as Error).message}`);
  }
  for (let l = 1; l <= layers; l++) {
    for (const [name, dst] of [
      [`W${l}.npy`, net.W[l]],
      [`b${l}.npy`, net.b[l]],
    ] as const) {
      const a = arrays.get(name)!;
      if (a.descr === '<f4') {
        readF32LE(dst, a.data, 0);
      } else {
        const dv = new DataView(a.data.buffer, a.data.byteOffset, a.data.byteLength);
        for (let i = 0; i < dst.length; i++) dst[i] = Math.fround(dv.getFloat64(i * 8, true));
      }
      if (!opts.allowNonFinite) {
        const i = firstNonFinite(dst);
        if (i >= 0) {
          const cast = a.descr === '<f8' ? ' (after rounding float64 to float32)' : '';
          fail(`member ${name} has ${describeNonFinite(dst, i, a.shape)}${cast}; pass allowNonFinite to load it anyway`);
        }
      }
    }
  }
  return { net };
}

/** The central directory's members, with every offset and size checked against the file. */
function readZipDirectory(bytes: Uint8Array, fail: (msg: string) => never): ZipMember[] {
  const len = bytes.length;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (p: number) => dv.getUint16(p, true);
  const u32 = (p: number) => dv.getUint32(p, true);
  const u64 = (p: number, what: string): number => {
    const v = dv.getBigUint64(p, true);
    if (v > BigInt(len)) fail(`${what} ${v} is beyond the end of the file (${len} bytes)`);
    return Number(v);
  };
  if (len < 22) fail(`too short for a zip archive (${len} bytes, need at least 22)`);

  // The end-of-central-directory record; its comment must run exactly to the end of the file.
  let eocd = -1;
  for (let p = len - 22; p >= Math.max(0, len - 22 - 0xffff); p--) {
    if (u32(p) === 0x06054b50 && p + 22 + u16(p + 20) === len) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) fail('not a zip archive (no end-of-central-directory record); an .npz file is a zip archive');
  if (u16(eocd + 4) !== 0 || u16(eocd + 6) !== 0 || u16(eocd + 8) !== u16(eocd + 10)) fail('multi-disk zip archives are not supported');
  let count = u16(eocd + 10);
  let cdSize = u32(eocd + 12);
  let cdOffset = u32(eocd + 16);
  let cdLimit = eocd;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    // zip64: a locator just before the end record points at the zip64 end record.
    const loc = eocd - 20;
    if (loc < 0 || u32(loc) !== 0x07064b50) fail('zip64 end-of-central-directory locator is missing');
    const rec = u64(loc + 8, 'zip64 end record offset');
    if (rec + 56 > loc || u32(rec) !== 0x06064b50) fail('zip64 end-of-central-directory record is missing or out of range');
    if (u32(rec + 16) !== 0 || u32(rec + 20) !== 0) fail('multi-disk zip archives are not supported');
    count = u64(rec + 32, 'zip64 member count');
    cdSize = u64(rec + 40, 'zip64 central directory size');
    cdOffset = u64(rec + 48, 'zip64 central directory offset');
    cdLimit = rec;
  }
  if (cdOffset + cdSize > cdLimit) {
    fail(`central directory [${cdOffset}, ${cdOffset + cdSize}) runs past its end record at ${cdLimit}`);
  }
  if (count * 46 > cdSize) fail(`central directory of ${cdSize} bytes cannot hold the ${count} members the end record declares`);

  const members: ZipMember[] = [];
  let p = cdOffset;
  const cdEnd = cdOffset + cdSize;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdEnd || u32(p) !== 0x02014b50) fail(`central directory entry ${i} is missing or corrupt`);
    const flags = u16(p + 8);
    const method = u16(p + 10);
    const crc = u32(p + 16);
    let compressedSize = u32(p + 20);
    let size = u32(p + 24);
    const nameLen = u16(p + 28);
    const extraLen = u16(p + 30);
    const commentLen = u16(p + 32);
    let localOffset = u32(p + 42);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > cdEnd) fail(`central directory entry ${i} runs past the end of the central directory`);
    const name = decodeName(bytes.subarray(p + 46, p + 46 + nameLen), (flags & 0x800) !== 0);
    // zip64 extra field: the 64-bit values of whichever 32-bit fields are saturated, in order.
    if (size === 0xffffffff || compressedSize === 0xffffffff || localOffset === 0xffffffff) {
      let q = p + 46 + nameLen;
      const extraEnd = q + extraLen;
      let found = false;
      while (q + 4 <= extraEnd) {
        const id = u16(q);
        const n = u16(q + 2);
        if (q + 4 + n > extraEnd) break;
        if (id === 0x0001) {
          let f = q + 4;
          const take = (what: string): number => {
            if (f + 8 > q + 4 + n) fail(`member ${label(name)}: zip64 extra field is too short`);
            const v = u64(f, `member ${label(name)}: ${what}`);
            f += 8;
            return v;
          };
          if (size === 0xffffffff) size = take('size');
          if (compressedSize === 0xffffffff) compressedSize = take('compressed size');
          if (localOffset === 0xffffffff) localOffset = take('local header offset');
          found = true;
          break;
        }
        q += 4 + n;
      }
      if (!found) fail(`member ${label(name)}: 32-bit sizes are saturated but there is no zip64 extra field`);
    }
    if (flags & 0x1) fail(`member ${label(name)} is encrypted`);
    // The local header: its own name and extra field lengths decide where the data starts.
    if (localOffset + 30 > cdOffset || u32(localOffset) !== 0x04034b50) {
      fail(`member ${label(name)}: local header at ${localOffset} is missing or out of range`);
    }
    const localNameLen = u16(localOffset + 26);
    const localExtraLen = u16(localOffset + 28);
    const localName = bytes.subarray(localOffset + 30, localOffset + 30 + localNameLen);
    const centralName = bytes.subarray(p + 46, p + 46 + nameLen);
    if (localNameLen !== nameLen || !localName.every((c, j) => c === centralName[j])) {
      fail(`member ${label(name)}: local header names a different file`);
    }
    const dataStart = localOffset + 30 + localNameLen + localExtraLen;
    if (dataStart + compressedSize > cdOffset) {
      fail(`member ${label(name)}: ${compressedSize} bytes of data at ${dataStart} run past the central directory at ${cdOffset}`);
    }
    members.push({ name, method, crc, compressedSize, size, localOffset, dataStart });
    p = next;
  }
  if (p !== cdEnd) fail(`central directory has ${cdEnd - p} bytes after its ${count} entries`);
  // Members may not share bytes: otherwise a small file could inflate the same data many times.
  const sorted = [...members].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (sorted[i].localOffset < prev.dataStart + prev.compressedSize) {
      fail(`members ${label(prev.name)} and ${label(sorted[i].name)} overlap`);
    }
  }
  return members;
}

/** The member's uncompressed bytes, size- and CRC-checked. */
function extractMember(bytes: Uint8Array, m: ZipMember, fail: (msg: string) => never): Uint8Array {
  const raw = bytes.subarray(m.dataStart, m.dataStart + m.compressedSize);
  let data: Uint8Array;
  if (m.method === 0) {
    if (m.compressedSize !== m.size) fail(`stored member has compressed size ${m.compressedSize} but size ${m.size}`);
    data = raw;
  } else if (m.method === 8) {
    if (m.size > m.compressedSize * MAX_DEFLATE_RATIO + 1024) {
      fail(`declared size ${m.size} is impossible for ${m.compressedSize} bytes of deflate data`);
    }
    try {
      data = inflateRawSync(raw, { maxOutputLength: Math.max(1, m.size) });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') return fail(`inflates to more than its declared size of ${m.size} bytes`);
      return fail(`deflate data is corrupt (${(e as Error).message})`);
    }
    if (data.length !== m.size) fail(`inflates to ${data.length} bytes but the zip directory says ${m.size}`);
  } else {
    return fail(`compression method ${m.method} is not supported (only stored and deflate, as np.savez and np.savez_compressed write)`);
  }
  const crc = crc32(data);
  if (crc !== m.crc) fail(`CRC-32 mismatch (computed ${hex32(crc)}, the zip directory says ${hex32(m.crc)}); the file is corrupt`);
  return data;
}

/** Parses a .npy file (versions 1.0, 2.0, 3.0) holding '<f4' or '<f8' in C order. */
function parseNpy(m: Uint8Array, member: string, fail: (msg: string) => never): NpyArray {
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
    return fail(`dtype ${typeof descr === 'string' ? `'${briefText(descr)}'` : 'is a structured dtype, which'} is not supported (expected '<f4' float32 or '<f8' float64)`);
  }
  const fortran = dict.get('fortran_order');
  if (fortran === true) fail('array is stored in Fortran order (fortran_order True); only C order is supported, save np.ascontiguousarray(a)');
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

// ---------------------------------------------------------------------------------------------
// Small helpers

function pyShape(shape: readonly number[]): string {
  const text = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  return text.length > 80 ? `${text.slice(0, 76)}...)` : text;
}

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}

function decodeName(b: Uint8Array, utf8: boolean): string {
  return new TextDecoder(utf8 ? 'utf-8' : 'latin1').decode(b);
}

function label(name: string): string {
  return briefText(name);
}

function briefText(s: string): string {
  return s.length > 64 ? `${s.slice(0, 61)}...` : s;
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
