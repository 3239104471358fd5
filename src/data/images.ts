/**
 * Images to predict on, from a file: an IDX image file (count x rows x cols, plain or gzipped) or
 * raw bytes of whole images. A file is IDX only when its whole header is consistent with its size;
 * raw pixels that happen to start with the IDX magic (0x00 0x00 0x08) are read as raw images.
 */
import { checkMemory } from '../budget.js';
import { checkPath, closeFile, type Fail, isGzip, openRegular, readAt } from '../io/read-file.js';
import { MAX_FILE_BYTES } from '../limits.js';
import { DataError } from '../errors.js';
import { parseIdx, readIdxHeader } from './idx.js';

const fail: Fail = (msg) => {
  throw new DataError(msg);
};

/** The images of `file` as count x features bytes. */
export function readImages(file: string, features: number): Uint8Array {
  checkPath(file, 'an image file');
  const f = openRegular(file, fail);
  let bytes: Uint8Array;
  try {
    if (f.size > MAX_FILE_BYTES) fail(`${file}: ${f.size} bytes is larger than the limit of ${MAX_FILE_BYTES} bytes for an image file`);
    checkMemory(f.size, `${file}: reading ${f.size} bytes`);
    bytes = readAt(f, 0, f.size, fail);
    if (bytes.length !== f.size) fail(`${file}: truncated while reading (${bytes.length} of ${f.size} bytes)`);
  } finally {
    closeFile(f);
  }
  const wholeRaw = bytes.length > 0 && bytes.length % features === 0;
  const header = readIdxHeader(bytes);
  const consistentIdx = typeof header !== 'string' && header.total === bytes.length;
  if (consistentIdx || isGzip(bytes)) {
    try {
      const idx = parseIdx(bytes, file);
      const pixels = idx.dims.slice(1).reduce((a, b) => a * b, 1);
      if (idx.dims[0] === 0) fail(`${file}: the IDX file holds no images`);
      if (pixels !== features) fail(`${file}: images have ${pixels} pixels but the model takes ${features}`);
      return idx.data;
    } catch (e) {
      // A gzip that is not IDX may still be raw pixels that start with 1f 8b.
      if (!(e instanceof DataError) || consistentIdx || !wholeRaw) throw e;
    }
  }
  if (!wholeRaw) {
    const why = typeof header === 'string' ? header : `its IDX header promises ${header.total} bytes`;
    fail(`${file}: ${bytes.length} bytes is not an IDX file (${why}) nor a whole number of ${features}-byte raw images`);
  }
  return bytes;
}
