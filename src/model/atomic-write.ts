/**
 * An atomic file write: temporary file in the same folder, fsync, rename over the target, so
 * readers see either the old file or the complete new one.
 *
 * Targets: a symlink is written through, atomically: the file it names (following up to 40
 * links) is replaced and the link stays a link. A symlink is followed only where the kernel's
 * protected_symlinks rule would follow it: a link in a sticky world-writable folder (/tmp) is
 * refused unless it belongs to us or to the folder's owner, so a link planted there by another user
 * cannot redirect a save. A target that is not a regular file (a device such as /dev/null, a FIFO,
 * a folder, a socket) is refused instead of being replaced. The temporary file is created with
 * O_CREAT|O_EXCL (never through a link) and renamed over the resolved path (rename replaces a
 * link, never follows it), so a swap between the check and the rename can at worst replace a link
 * in a folder the swapper could write anyway; docs/security.md states the rule.
 *
 * Signals: while the bytes are written, SIGINT and SIGTERM are caught (main thread only), so the
 * process is never killed with a half-written temporary file beside the target. The write is
 * synchronous, so a signal that arrives during it is not seen by JavaScript: it is dropped, and
 * the save completes (send it again to stop the process).
 */
import {
  accessSync,
  closeSync,
  constants,
  fsyncSync,
  lstatSync,
  openSync,
  readlinkSync,
  renameSync,
  statSync,
  type Stats,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { describeErrno, describeFileType } from '../io/read-file.js';
import { ModelFileError } from './errors.js';

/** How many symlinks a save target may go through, as the kernel's own limit (ELOOP). */
const MAX_LINKS = 40;

/**
 * The file a save to `file` replaces: symlinks followed to the file they name (which may not exist
 * yet). Throws a ModelFileError for an empty path, a link loop, or a target that exists and is not
 * a regular file.
 */
export function resolveSaveTarget(file: string): string {
  if (typeof file !== 'string' || file === '' || file.includes('\0')) {
    throw new ModelFileError(`${JSON.stringify(file)}: cannot save: expected a file path (a non-empty string)`);
  }
  let target = resolve(file);
  for (let hops = 0; ; hops++) {
    let st;
    try {
      st = lstatSync(target);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return target; // a new file (or a dangling link's target)
      throw new ModelFileError(`${file}: cannot save: ${describeErrno(e)}`);
    }
    if (st.isSymbolicLink()) {
      if (hops >= MAX_LINKS) throw new ModelFileError(`${file}: cannot save: more than ${MAX_LINKS} symbolic links (ELOOP)`);
      checkProtectedLink(file, target, st);
      const link = readlinkSync(target);
      target = isAbsolute(link) ? link : resolve(dirname(target), link);
      continue;
    }
    if (!st.isFile()) {
      const via = target === resolve(file) ? '' : ` (${target}, which it links to)`;
      throw new ModelFileError(
        `${file}: cannot save: the target${via} is ${describeFileType(st)}, not a regular file; saving would replace it, so pass the path of a regular file`,
      );
    }
    return target;
  }
}

/**
 * The kernel's protected_symlinks rule (fs.protected_symlinks = 1), applied to the links we follow
 * ourselves: in a sticky, world-writable folder, a link is followed only if it belongs to the
 * process's effective user or to the folder's owner.
 */
function checkProtectedLink(file: string, link: string, st: Stats): void {
  const euid = process.geteuid?.();
  if (euid === undefined) return; // not POSIX: no sticky folders
  const dir = dirname(link);
  let d: Stats;
  try {
    d = statSync(dir);
  } catch {
    return; // the folder just held the link; a race here ends in the open's or rename's own error
  }
  const stickyWorldWritable = (d.mode & 0o1000) !== 0 && (d.mode & 0o002) !== 0;
  if (stickyWorldWritable && st.uid !== euid && st.uid !== d.uid) {
    throw new ModelFileError(
      `${file}: cannot save: ${link} is a symbolic link owned by another user (uid ${st.uid}) in the sticky world-writable folder ${dir}; ` +
        "following it could redirect the save to any file (the kernel's protected_symlinks rule refuses it too), so save to a path without that link",
    );
  }
}

/**
 * Checks, before any work that ends in a save, that `file` can be saved: the target is a regular
 * file or does not exist yet, and its folder exists and accepts a new file (a temporary file is
 * created and removed). Throws the ModelFileError the save itself would throw.
 */
export function checkSaveTarget(file: string): void {
  const target = resolveSaveTarget(file);
  const dir = dirname(target);
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    throw new ModelFileError(
      `${file}: cannot save: folder ${dir} ${errnoCode(e) === 'ENOENT' ? 'does not exist (ENOENT)' : describeErrno(e)}`,
    );
  }
  if (!st.isDirectory()) throw new ModelFileError(`${file}: cannot save: ${dir} is not a folder (ENOTDIR)`);
  // access(2), not a probe file: nothing is created, so nothing can be left behind by SIGKILL.
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw new ModelFileError(`${file}: cannot save: ${describeFailure(e, 'create a temporary file in', dir, target)}`);
  }
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
  const target = resolveSaveTarget(file);
  const dir = dirname(target);
  const release = holdSignals();
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
    release();
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
  release();
  syncFolder(dir);
}

/**
 * Catches SIGINT and SIGTERM until the returned function is called, so the default action (exit
 * at once) cannot strike between creating the temporary file and renaming or removing it.
 */
function holdSignals(): () => void {
  if (!isMainThread) return () => {}; // signals are delivered to the main thread only
  const ignore = () => {};
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    process.removeListener('SIGINT', ignore);
    process.removeListener('SIGTERM', ignore);
  };
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
  for (let i = 0; i < 2; i++)
    s += Math.floor(Math.random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return s;
}
