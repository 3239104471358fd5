/**
 * Shared pieces of the model-file code: the error type every model reader and writer throws, an
 * atomic file write (temporary file in the same folder, fsync, rename over the target), and
 * little-endian float32 copies that work at any byte offset.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** A model file that cannot be read, decoded or written. The message starts with the file name. */
export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

/** Test hooks: each runs at the named step of writeFileAtomic and may throw to simulate a failure. */
export interface AtomicWriteHooks {
  /** After the temporary file has been created and filled, before fsync. */
  afterWrite?: (tempFile: string) => void;
  /** After fsync and close, just before the rename over the target. */
  beforeRename?: (tempFile: string) => void;
}

/**
 * Writes `bytes` to `file` so that readers see either the old file or the complete new one: the
 * bytes go to a uniquely named temporary file in the same folder, which is fsynced and then renamed
 * over the target. On any failure the temporary file is removed, an existing target is left
 * untouched, and a ModelFileError naming the file and the reason is thrown.
 */
export function writeFileAtomic(file: string, bytes: Uint8Array, hooks?: AtomicWriteHooks): void {
  const target = resolve(file);
  const dir = dirname(target);
  let temp = '';
  let fd: number | undefined;
  let step = 'create a temporary file in';
  try {
    for (let attempt = 0; ; attempt++) {
      temp = join(dir, `.${basename(target)}.${process.pid}.${randomTag()}.tmp`);
      try {
        fd = openSync(temp, 'wx', 0o644);
        break;
      } catch (e) {
        if (errnoCode(e) !== 'EEXIST' || attempt >= 8) {
          temp = '';
          throw e;
        }
      }
    }
    step = 'write';
    let done = 0;
    while (done < bytes.length) {
      const n = writeSync(fd, bytes, done, bytes.length - done);
      if (n <= 0) throw new Error('write made no progress');
      done += n;
    }
    hooks?.afterWrite?.(temp);
    step = 'flush';
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    hooks?.beforeRename?.(temp);
    step = 'replace';
    renameSync(temp, target);
    temp = '';
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    if (temp) {
      try {
        unlinkSync(temp);
      } catch {
        // nothing more can be done; the name is unique and hidden
      }
    }
    throw new ModelFileError(`${file}: cannot save: ${describeFailure(e, step, dir, target)}`);
  }
  syncFolder(dir);
}

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

function describeFailure(e: unknown, step: string, dir: string, target: string): string {
  const code = errnoCode(e);
  const msg = e instanceof Error ? e.message : String(e);
  if (step === 'create a temporary file in') {
    if (code === 'ENOENT') return `folder ${dir} does not exist (ENOENT)`;
    if (code === 'ENOTDIR') return `${dir} is not a folder (ENOTDIR)`;
    if (code === 'EACCES' || code === 'EPERM') return `permission denied to create files in ${dir} (${code})`;
    if (code === 'EROFS') return `${dir} is on a read-only file system (EROFS)`;
    if (code === 'ENOSPC') return `no space left on the device holding ${dir} (ENOSPC)`;
    return `cannot create a temporary file in ${dir}: ${msg}`;
  }
  if (code === 'ENOSPC') return `no space left on the device holding ${dir} (ENOSPC)`;
  if (code === 'EDQUOT') return `disk quota exceeded in ${dir} (EDQUOT)`;
  if (step === 'replace') {
    if (code === 'EISDIR') return `${target} is a folder (EISDIR)`;
    if (code === 'EACCES' || code === 'EPERM') return `permission denied to replace ${target} (${code})`;
    return `cannot replace ${target}: ${msg}`;
  }
  return `failed to ${step} the temporary file: ${msg}`;
}

/** Best effort: makes the rename itself durable. Not every platform can open a folder. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // ignored: the data is already safe in the renamed file
  } finally {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // ignored
      }
    }
  }
}

function errnoCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function randomTag(): string {
  let s = '';
  for (let i = 0; i < 2; i++) s += Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  return s;
}

/** True on little-endian hosts, where float bytes can be copied as they are. */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Copies dst.length little-endian float32 values starting at src[offset] into dst, bit for bit
 * (NaN payloads included). The offset need not be 4-byte aligned. The caller checks the bounds.
 */
export function readF32LE(dst: Float32Array, src: Uint8Array, offset: number): void {
  const n = dst.length * 4;
  if (HOST_LITTLE_ENDIAN) {
    new Uint8Array(dst.buffer, dst.byteOffset, n).set(src.subarray(offset, offset + n));
    return;
  }
  const dv = new DataView(src.buffer, src.byteOffset + offset, n);
  const bits = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  for (let i = 0; i < dst.length; i++) bits[i] = dv.getUint32(i * 4, true);
}

/** Writes src as little-endian float32 values at dst[offset], bit for bit. */
export function writeF32LE(dst: Uint8Array, offset: number, src: Float32Array): void {
  const n = src.length * 4;
  if (HOST_LITTLE_ENDIAN) {
    dst.set(new Uint8Array(src.buffer, src.byteOffset, n), offset);
    return;
  }
  const dv = new DataView(dst.buffer, dst.byteOffset + offset, n);
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) dv.setUint32(i * 4, bits[i], true);
}

/** Index of the first NaN or infinity in a, or -1. */
export function firstNonFinite(a: Float32Array): number {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v - v !== 0) return i; // NaN - NaN and Inf - Inf are NaN
  }
  return -1;
}

/** "NaN at index 7 [1, 2]" for element i of a tensor with the given shape. */
export function describeNonFinite(a: Float32Array, i: number, shape: readonly number[]): string {
  const v = a[i];
  const what = Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  const idx: number[] = [];
  let rest = i;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(rest % shape[d]);
    rest = Math.floor(rest / shape[d]);
  }
  return `${what} at index ${i} [${idx.join(', ')}]`;
}
