/** Reading model files from disk, with fs errors turned into a ModelFileError naming the file. */
import { readFileSync } from 'node:fs';
import { ModelFileError } from './errors.js';

/** Reads a whole model file, turning fs errors into a ModelFileError naming the file. */
export function readModelBytes(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = errnoCode(e);
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a folder, not a file'
            : (e as Error).message;
    throw new ModelFileError(`${file}: cannot read: ${why}${code ? ` (${code})` : ''}`);
  }
}

function errnoCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
