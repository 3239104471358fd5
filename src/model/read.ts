/**
 * Reading model files from disk as untrusted input: regular files only (a FIFO, device or folder
 * is refused with what it is, without reading), the size checked against MAX_FILE_BYTES and the
 * memory budget before reading, every failure a ModelFileError naming the file.
 */
import { checkMemory, mib } from '../budget.js';
import { checkPath, type Fail, readBounded } from '../io/read-file.js';
import { MAX_FILE_BYTES } from '../limits.js';
import { ModelFileError } from './errors.js';

/** Reads a whole model file with a bound; `loadModel(0)` and other non-paths are a TypeError. */
export function readModelBytes(file: string): Uint8Array {
  checkPath(file, 'a model file');
  const fail: Fail = (msg) => {
    throw new ModelFileError(msg);
  };
  return readBounded(file, MAX_FILE_BYTES, fail, `${mib(MAX_FILE_BYTES)} for a model file`, (size) =>
    checkMemory(2 * size, `${file}: loading a ${size}-byte model (the file and the network)`),
  );
}
