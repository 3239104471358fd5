/**
 * An atomic file write: temporary file in the same folder, fsync, rename over the target, so
 * readers see either the old file or the complete new one.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ModelFileError } from './errors.js';

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

