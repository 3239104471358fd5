/**
 * The IDX format of the MNIST files: two zero bytes, an element-type byte, a dimension count,
 * then one big-endian uint32 size per dimension, then the elements. Only unsigned bytes (0x08)
 * are accepted, which is what every MNIST-style data set uses. Gzipped files are inflated first.
 *
 * Files are untrusted: the header is read and checked first, and the size it promises is compared
 * with the file's size (plain) or bounds the inflation (gzip) before the rest is read, so a
 * truncated download, a special file or a decompression bomb is refused with the numbers.
 */
import { read as readCb } from 'node:fs';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { checkMemory } from '../budget.js';
import { MAX_FILE_BYTES } from '../limits.js';
import {
  checkPath,
  closeFile,
  type Fail,
  gunzipExactly,
  gunzipPrefix,
  isGzip,
  MAX_DEFLATE_RATIO,
  openRegular,
  type OpenFile,
  readAt,
} from '../io/read-file.js';
import { DataError } from '../errors.js';

export interface IdxArray {
  /** Sizes of each dimension, e.g. [60000, 28, 28]. */
  dims: number[];
  /** The elements in row-major order. */
  data: Uint8Array;
}

const UBYTE = 0x08;
/** The longest IDX header: 4 bytes and 255 dimensions of 4 bytes. */
const MAX_HEADER = 4 + 4 * 255;

/** A parsed IDX header: the dimensions, the header's length and the total the file must have. */
export interface IdxHeader {
  dims: number[];
  headerLength: number;
  /** headerLength + the product of dims: the exact size of the (uncompressed) file. */
  total: number;
}

/**
 * The header at the start of `bytes` (which may be just a prefix of the file), or a message
 * saying why it is not a usable IDX header.
 */
export function readIdxHeader(bytes: Uint8Array): IdxHeader | string {
  if (bytes.length < 4) return `too short for an IDX header (${bytes.length} bytes, need at least 4)`;
  if (bytes[0] !== 0 || bytes[1] !== 0) return `not an IDX file (magic bytes 0x${hex(bytes[0])}${hex(bytes[1])}, expected 0x0000)`;
  if (bytes[2] !== UBYTE) return `IDX element type 0x${hex(bytes[2])} is not supported (expected 0x08, unsigned bytes)`;
  const ndim = bytes[3];
  if (ndim < 1) return 'IDX header declares 0 dimensions';
  const headerLength = 4 + 4 * ndim;
  if (bytes.length < headerLength) {
    return `truncated IDX header (${bytes.length} bytes, the ${ndim} dimensions need ${headerLength})`;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndim; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d; // a float; only compared, never used to allocate unless it matched a real size
  }
  return { dims, headerLength, total: headerLength + count };
}

function sizeMismatch(file: string, h: IdxHeader, actual: number, where: string): string {
  const what = actual < h.total ? 'truncated' : 'has trailing bytes';
  const count = h.total - h.headerLength;
  return `${file}: ${what}: header says ${h.dims.join('x')} = ${count} elements (${h.total} bytes with header) but ${where} ${actual} bytes`;
}

/** Parses an IDX buffer, plain or gzipped; `file` is only used in error messages. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const fail: Fail = (msg) => {
    throw new DataError(msg);
  };
  if (isGzip(bytes)) return inflateIdx(bytes, file, fail, (h) => gunzipChecked(bytes, h, file, fail));
  const h = headerOrFail(bytes, file, fail);
  if (bytes.length !== h.total) fail(sizeMismatch(file, h, bytes.length, 'the file has'));
  return { dims: h.dims, data: bytes.subarray(h.headerLength) };
}

function headerOrFail(bytes: Uint8Array, file: string, fail: Fail): IdxHeader {
  const h = readIdxHeader(bytes);
  return typeof h === 'string' ? fail(`${file}: ${h}`) : h;
}

/** The header of a gzipped IDX file, inflating only a prefix; the promised size checked first. */
function inflateIdx(compressed: Uint8Array, file: string, fail: Fail, inflate: (h: IdxHeader) => IdxArray): IdxArray;
function inflateIdx(compressed: Uint8Array, file: string, fail: Fail, inflate: (h: IdxHeader) => Promise<IdxArray>): Promise<IdxArray>;
function inflateIdx(compressed: Uint8Array, file: string, fail: Fail, inflate: (h: IdxHeader) => unknown): unknown {
  let prefix: Uint8Array;
  try {
    prefix = gunzipPrefix(compressed, MAX_HEADER);
  } catch (e) {
    return fail(`${file}: gzip data is corrupt (${(e as Error).message}); re-download or un-gzip the file`);
  }
  if (prefix.length < MAX_HEADER && typeof readIdxHeader(prefix) === 'string') {
    // A short header may be a stream that stops or breaks early: say that rather than "too short".
    let r: ReturnType<typeof gunzipExactly> | undefined;
    try {
      r = gunzipExactly(compressed, MAX_HEADER);
    } catch (e) {
      fail(`${file}: gzip data is corrupt (${(e as Error).message}); re-download or un-gzip the file`);
    }
    if (r && 'complete' in r && !r.complete) {
      fail(`${file}: truncated or corrupt: the gzip data stops after ${r.bytes.length} bytes, inside the IDX header; re-download the file`);
    }
  }
  const h = headerOrFail(prefix, file, fail);
  if (h.total > compressed.length * MAX_DEFLATE_RATIO + 1024) {
    fail(
      `${file}: header says ${h.dims.join('x')} (${h.total} bytes) but ${compressed.length} bytes of gzip cannot hold that many; the file is truncated or corrupt`,
    );
  }
  checkMemory(h.total, `${file}: the header's ${h.dims.join('x')} elements`);
  return inflate(h);
}

function gunzipChecked(compressed: Uint8Array, h: IdxHeader, file: string, fail: Fail): IdxArray {
  let r: ReturnType<typeof gunzipExactly>;
  try {
    r = gunzipExactly(compressed, h.total);
  } catch (e) {
    return fail(`${file}: gzip data is corrupt (${(e as Error).message}); re-download or un-gzip the file`);
  }
  if ('more' in r)
    return fail(`${file}: has trailing bytes: header says ${h.dims.join('x')} (${h.total} bytes with header) but the gzip data holds more`);
  if (r.bytes.length !== h.total) fail(sizeMismatch(file, h, r.bytes.length, 'the gzip data holds'));
  if (!r.complete) fail(`${file}: truncated: the gzip data ends before its trailer (CRC and size); re-download the file`);
  return { dims: h.dims, data: r.bytes.subarray(h.headerLength) };
}

const dataFail: Fail = (msg) => {
  throw new DataError(msg);
};

/** Opens an IDX file and reads its header; for plain files, checks the size before reading on. */
function openIdx(file: string): { f: OpenFile; gzip: boolean; h?: IdxHeader } {
  checkPath(file, 'an IDX file');
  const f = openRegular(file, dataFail);
  try {
    if (f.size > MAX_FILE_BYTES) dataFail(`${file}: ${f.size} bytes is larger than the limit of ${MAX_FILE_BYTES} bytes for a data file`);
    const head = readAt(f, 0, Math.min(f.size, MAX_HEADER), dataFail);
    if (isGzip(head)) return { f, gzip: true };
    const h = headerOrFail(head, file, dataFail);
    if (f.size !== h.total) dataFail(sizeMismatch(file, h, f.size, 'the file has'));
    checkMemory(h.total, `${file}: the header's ${h.dims.join('x')} elements`);
    return { f, gzip: false, h };
  } catch (e) {
    closeFile(f);
    throw e;
  }
}

/** Reads an IDX file (plain or .gz) with every size checked before it is read or inflated. */
export function readIdx(file: string): IdxArray {
  const { f, gzip, h } = openIdx(file);
  try {
    const bytes = readAt(f, 0, f.size, dataFail, true);
    if (bytes.length !== f.size) dataFail(`${file}: truncated while reading (${bytes.length} of ${f.size} bytes)`);
    if (gzip) return inflateIdx(bytes, file, dataFail, (hh) => gunzipChecked(bytes, hh, file, dataFail));
    return { dims: h!.dims, data: bytes.subarray(h!.headerLength) };
  } finally {
    closeFile(f);
  }
}

const readAsync = promisify(readCb);
const gunzipAsync = promisify(gunzip);

/** readIdx with the bulk read (and inflation) off the calling thread; the same checks. */
export async function readIdxAsync(file: string): Promise<IdxArray> {
  const { f, gzip, h } = openIdx(file);
  try {
    const bytes = new Uint8Array(new SharedArrayBuffer(f.size)); // as readIdx's (readAt, shared)
    let done = 0;
    while (done < f.size) {
      let n: number;
      try {
        ({ bytesRead: n } = await readAsync(f.fd, bytes, done, f.size - done, done));
      } catch (e) {
        return dataFail(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      if (n === 0) dataFail(`${file}: truncated while reading (${done} of ${f.size} bytes)`);
      done += n;
    }
    if (!gzip) return { dims: h!.dims, data: bytes.subarray(h!.headerLength) };
    // The header and the size checks are quick; the bulk inflation runs on the thread pool.
    return await inflateIdx(bytes, file, dataFail, async (hh) => {
      let out: Uint8Array;
      try {
        out = await gunzipAsync(bytes, { maxOutputLength: hh.total + 1 });
      } catch {
        return gunzipChecked(bytes, hh, file, dataFail); // explains (more, truncated or corrupt)
      }
      if (out.length !== hh.total) dataFail(sizeMismatch(file, hh, out.length, 'the gzip data holds'));
      return { dims: hh.dims, data: out.subarray(hh.headerLength) };
    });
  } finally {
    closeFile(f);
  }
}

/** The header of an IDX file (plain only; null for gzip) with the file's size checked against it. */
export function peekIdxHeader(file: string): IdxHeader | null {
  const { f, gzip, h } = openIdx(file);
  closeFile(f);
  return gzip ? null : h!;
}

/** Writes the IDX bytes of a uint8 array (used by tests and to export data). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}
