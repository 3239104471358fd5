/**
 * The IDX format of the MNIST files: two zero bytes, an element-type byte, a dimension count,
 * then one big-endian uint32 size per dimension, then the elements. Only unsigned bytes (0x08)
 * are accepted, which is what every MNIST-style data set uses. Gzipped files are inflated first.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

export interface IdxArray {
  /** Sizes of each dimension, e.g. [60000, 28, 28]. */
  dims: number[];
  /** The elements in row-major order. */
  data: Uint8Array;
}

/** A user-facing data error: names the file and what is wrong. */
export class DataError extends Error {
  override name = 'DataError';
}

const UBYTE = 0x08;

/** Parses an IDX buffer; `file` is only used in error messages. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new DataError(`${file}: gzip data is corrupt (${(e as Error).message}); re-download or un-gzip the file`);
    }
  }
  if (bytes.length < 4) {
    throw new DataError(`${file}: too short for an IDX header (${bytes.length} bytes, need at least 4)`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError(`${file}: not an IDX file (magic bytes 0x${hex(bytes[0])}${hex(bytes[1])}, expected 0x0000)`);
  }
  if (bytes[2] !== UBYTE) {
    throw new DataError(`${file}: IDX element type 0x${hex(bytes[2])} is not supported (expected 0x08, unsigned bytes)`);
  }
  const ndim = bytes[3];
  if (ndim < 1) throw new DataError(`${file}: IDX header declares 0 dimensions`);
  const headerLength = 4 + 4 * ndim;
  if (bytes.length < headerLength) {
    throw new DataError(`${file}: truncated IDX header (${bytes.length} bytes, the ${ndim} dimensions need ${headerLength})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndim; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const expected = headerLength + count;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? 'truncated' : 'has trailing bytes';
    throw new DataError(
      `${file}: ${what}: header says ${dims.join('x')} = ${count} elements (${expected} bytes with header) but the file has ${bytes.length} bytes`,
    );
  }
  return { dims, data: bytes.subarray(headerLength) };
}

function cannotRead(file: string, e: unknown): DataError {
  const err = e as NodeJS.ErrnoException;
  return new DataError(`${file}: cannot read (${err.code ?? err.message})`);
}

export function readIdx(file: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw cannotRead(file, e);
  }
  return parseIdx(bytes, file);
}

/** readIdx with the file read off the calling thread. */
export async function readIdxAsync(file: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw cannotRead(file, e);
  }
  return parseIdx(bytes, file);
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
