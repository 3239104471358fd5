/**
 * Bounded reading of untrusted files, shared by every loader (model files, .npz, IDX, CSV, predict
 * input). The rules: open regular files only (a FIFO, device or folder gets one line naming the
 * path and what it is, and a FIFO is opened non-blocking so a missing writer cannot hang us);
 * compare the size fstat reports with what the caller's header promises before reading the rest;
 * never read more than the caller's bound; inflate gzip only up to the size the header promises.
 *
 * Errors are built by the caller's `fail` (DataError for data, ModelFileError for models), so each
 * loader keeps its own error class; the message always starts with the path.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { constants as zc, gunzipSync } from 'node:zlib';

/** Makes the caller's error from a message that already starts with the path. */
export type Fail = (message: string) => never;

/** Deflate cannot compress better than about 1032:1; a gzip promising more is lying. */
export const MAX_DEFLATE_RATIO = 1032;

/** What a non-regular file is, for messages: "a FIFO (named pipe)", "a character device", ... */
export function describeFileType(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** Checks that `file` is a usable path (a non-empty string; never a file descriptor such as 0). */
export function checkPath(file: unknown, what: string): asserts file is string {
  if (typeof file !== 'string' || file === '' || file.includes('\0')) {
    const got = typeof file === 'string' ? JSON.stringify(file) : typeof file === 'number' ? `the number ${file}` : typeof file;
    throw new TypeError(`Expected a file path (a non-empty string) for ${what} but received ${got}`);
  }
}

/** An open regular file: its descriptor and the size fstat gave when it was opened. */
export interface OpenFile {
  fd: number;
  size: number;
  path: string;
}

/**
 * Opens `file` for reading if it is a regular file (symlinks are followed to what they name).
 * O_NONBLOCK makes opening a FIFO return at once instead of waiting for a writer; fstat then
 * refuses it. The caller closes the result (closeFile).
 */
export function openRegular(file: string, fail: Fail): OpenFile {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    return fail(`${file}: cannot read: ${describeErrno(e)}`);
  }
  let st: Stats;
  try {
    st = fstatSync(fd);
  } catch (e) {
    closeSync(fd);
    return fail(`${file}: cannot read: ${describeErrno(e)}`);
  }
  if (!st.isFile()) {
    closeSync(fd);
    return fail(`${file}: is ${describeFileType(st)}, not a regular file; pass a regular file`);
  }
  return { fd, size: st.size, path: file };
}

export function closeFile(f: OpenFile): void {
  try {
    closeSync(f.fd);
  } catch {
    // nothing useful to do: the data is already read or the read already failed
  }
}

/**
 * Reads `length` bytes at `position`, or fewer if the file ends first. Never more than asked: the
 * caller has already bounded `length` by the fstat size and its own limit. `shared`: into a
 * SharedArrayBuffer (image data: the native backend gathers batches from it on a worker thread).
 */
export function readAt(f: OpenFile, position: number, length: number, fail: Fail, shared = false): Uint8Array {
  const out = new Uint8Array(shared ? new SharedArrayBuffer(length) : new ArrayBuffer(length));
  let done = 0;
  while (done < length) {
    let n: number;
    try {
      n = readSync(f.fd, out, done, length - done, position + done);
    } catch (e) {
      return fail(`${f.path}: cannot read: ${describeErrno(e)}`);
    }
    if (n === 0) break;
    done += n;
  }
  return done === length ? out : out.subarray(0, done);
}

/**
 * The whole of a regular file, refused before reading if fstat says it is larger than `maxBytes`.
 * `checkSize` may refuse the size (a memory budget) before anything is read.
 * A file that shrinks while being read is reported as truncated; one that grows is read only up
 * to the size it had when opened.
 */
export function readBounded(file: string, maxBytes: number, fail: Fail, limitText = '', checkSize?: (size: number) => void): Uint8Array {
  const f = openRegular(file, fail);
  try {
    if (f.size > maxBytes) {
      fail(`${file}: ${f.size} bytes is larger than the limit of ${maxBytes} bytes${limitText ? ` (${limitText})` : ''}`);
    }
    checkSize?.(f.size);
    const bytes = readAt(f, 0, f.size, fail);
    if (bytes.length !== f.size) fail(`${file}: truncated while reading (${bytes.length} of ${f.size} bytes)`);
    return bytes;
  } finally {
    closeFile(f);
  }
}

/** True when bytes start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * The first bytes a gzip stream inflates to, at least `want` of them when the stream holds that
 * many. Only a growing prefix of the compressed input is inflated, so the output stays below
 * about 1032 times that prefix however much the whole stream would inflate to.
 */
export function gunzipPrefix(compressed: Uint8Array, want: number): Uint8Array {
  for (let take = Math.min(compressed.length, 64); ; take = Math.min(compressed.length, take * 4)) {
    // take compressed bytes cannot inflate to more than MAX_DEFLATE_RATIO * take, so this cap never trips.
    const cap = MAX_DEFLATE_RATIO * take + 1024;
    const out = gunzipSync(compressed.subarray(0, take), { finishFlush: zc.Z_SYNC_FLUSH, maxOutputLength: cap });
    if (out.length >= want || take === compressed.length) return out;
  }
}

/**
 * Inflates a whole gzip stream that should hold exactly `expected` bytes, never producing more than
 * expected + 1 (so a bomb stops there). Returns the bytes and whether the stream ended properly
 * (its trailer present), or `more` when it holds more than expected. Corrupt data throws.
 */
export function gunzipExactly(compressed: Uint8Array, expected: number): { bytes: Uint8Array; complete: boolean } | { more: true } {
  const cap = Math.max(1, expected + 1);
  try {
    return { bytes: gunzipSync(compressed, { maxOutputLength: cap }), complete: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return { more: true };
    if ((e as NodeJS.ErrnoException).code !== 'Z_BUF_ERROR') throw e;
  }
  // The stream stops early (a partial download): what it holds, for the message.
  try {
    return { bytes: gunzipSync(compressed, { finishFlush: zc.Z_SYNC_FLUSH, maxOutputLength: cap }), complete: false };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return { more: true };
    throw e;
  }
}

/**
 * A whole file that may be gzipped (CSV and other formats without a size in their header): read
 * with readBounded, then inflated with `maxBytes` as the output cap, so a bomb stops there. For
 * the CSV reader (src/data/csv.ts): pass the memory budget or a format limit as maxBytes.
 */
export function readMaybeGzip(file: string, maxBytes: number, fail: Fail, checkSize?: (size: number) => void): Uint8Array {
  const raw = readBounded(file, Math.min(maxBytes, Number.MAX_SAFE_INTEGER), fail, '', checkSize);
  if (!isGzip(raw)) return raw;
  let r: ReturnType<typeof gunzipExactly>;
  try {
    r = gunzipExactly(raw, maxBytes);
  } catch (e) {
    return fail(`${file}: gzip data is corrupt (${(e as Error).message}); re-download or un-gzip the file`);
  }
  if ('more' in r || r.bytes.length > maxBytes) return fail(`${file}: inflates to more than the limit of ${maxBytes} bytes`);
  if (!r.complete)
    return fail(`${file}: truncated: the gzip data ends before its trailer (after ${r.bytes.length} bytes); re-download the file`);
  return r.bytes;
}

/** A short reason from a filesystem error: "no such file (ENOENT)". */
export function describeErrno(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const why: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EISDIR: 'is a folder, not a file',
    ENOTDIR: 'a part of the path is not a folder',
    ELOOP: 'too many levels of symbolic links',
    ENAMETOOLONG: 'the path is too long',
    EMFILE: 'too many open files',
    ENXIO: 'no such device',
    ERR_INVALID_ARG_VALUE: 'the path is not valid (it holds a NUL byte)',
  };
  if (typeof code === 'string') return `${why[code] ?? (e as Error).message} (${code})`;
  return e instanceof Error ? e.message : String(e);
}
