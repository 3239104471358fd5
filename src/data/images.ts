/** Image files for prediction: an IDX file (count x rows x cols) or raw bytes of whole images. */
import { readFileSync } from 'node:fs';
import { DataError, parseIdx } from './idx.js';

/** True when bytes start like an IDX file of unsigned bytes (magic 0 0 8 dims). */
export function looksIdx(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0x08;
}

/** The images of `file` as bytes, each of `features` pixels; DataError naming the file otherwise. */
export function readImages(file: string, features: number): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new DataError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (looksIdx(bytes)) {
    const idx = parseIdx(bytes, file);
    const pixels = idx.dims.slice(1).reduce((a, b) => a * b, 1);
    if (pixels !== features) throw new DataError(`${file}: images have ${pixels} pixels but the model takes ${features}`);
    return idx.data;
  }
  if (bytes.length === 0 || bytes.length % features !== 0) {
    throw new DataError(`${file}: ${bytes.length} bytes is not an IDX file nor a whole number of ${features}-byte raw images`);
  }
  return bytes;
}
