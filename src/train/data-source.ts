/**
 * Where a run's data came from, recorded in its checkpoint so that `train --resume c.ckpt` needs
 * nothing else: the data path (a CSV file or an IDX folder), fit's data options as given (stored
 * generically: every fit option that is neither a training setting nor a run control, so a new
 * data option is carried without edits here), and each file read with its size and SHA-256, plus
 * a warm start's model file. Paths are stored absolute and normalised; a checkpoint is untrusted
 * input, so on resume every stored path is checked for shape (checkSourceShape) and every file for
 * being the same regular file, by size and SHA-256, before anything reads it (checkSourceFiles).
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, isAbsolute, normalize, resolve } from 'node:path';
import { dataFiles } from '../data/mnist.js';
import { pathKind } from '../data/source.js';
import { MAX_FILE_BYTES } from '../limits.js';
import { CONFIG_KEYS } from './config.js';
import { TrainSetupError } from './events.js';

/** One file a run read, as it was when the run started. */
export interface SourceFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface DataSource {
  /** The data file or IDX folder, absolute. */
  data: string;
  /** fit's data options (target, features, table, testFile (absolute), validation, ...), as given. */
  options: Record<string, unknown>;
  /** Every data file read: the CSV file (and the test file), or the IDX folder's four files. */
  files: SourceFile[];
  /** A warm start's model file: its pipeline encodes the rows, its weights start the run. */
  initFrom?: SourceFile;
}

/** fit options that control the run rather than describe the data (not recorded). */
const RUN_OPTIONS = new Set(['backend', 'threads', 'onEvent', 'onBatch', 'signal', 'checkpoint', 'resume', 'input', 'from', 'worker']);
const CONFIG = new Set<string>(CONFIG_KEYS);
/** Data options that name files (made absolute when recorded). */
const PATH_OPTIONS = ['testFile'];

/** The data options among fit's options: everything but training settings and run controls, undefined left out. */
export function dataOptionsOf(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) {
    const v = o[k];
    if (v === undefined || typeof v === 'function' || RUN_OPTIONS.has(k) || CONFIG.has(k)) continue;
    out[k] = PATH_OPTIONS.includes(k) && typeof v === 'string' ? resolve(v) : v;
  }
  return out;
}

/** Chunked SHA-256 of a regular file (never a FIFO or device: those could block or never end). */
export function fingerprintFile(path: string): SourceFile {
  const st = statSync(path);
  if (!st.isFile()) throw new TrainSetupError(`${path}: not a regular file; a data file must be one`);
  if (st.size > MAX_FILE_BYTES)
    throw new TrainSetupError(`${path}: ${st.size} bytes is above the ${MAX_FILE_BYTES}-byte limit of a data file`);
  const h = createHash('sha256');
  // O_NONBLOCK: a FIFO swapped in after the stat cannot block the open; fstat then refuses it.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new TrainSetupError(`${path}: not a regular file; a data file must be one`);
    const buf = Buffer.allocUnsafe(1 << 20);
    let total = 0;
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) {
      h.update(buf.subarray(0, n));
      total += n;
      if (total > MAX_FILE_BYTES)
        throw new TrainSetupError(`${path}: grew past the ${MAX_FILE_BYTES}-byte limit of a data file while being read`);
    }
    return { path, bytes: total, sha256: h.digest('hex') };
  } finally {
    closeSync(fd);
  }
}

/** The files `data` (with `options`) reads: an IDX folder's four, or the CSV file and its test file. */
function filesOf(data: string, options: Record<string, unknown>): string[] {
  if (pathKind(data, true) === 'folder') return Object.values(dataFiles(data));
  return [data, ...(typeof options.testFile === 'string' ? [options.testFile] : [])];
}

/** The record of a run on `data` with fit's `options` (and a warm start's model file). */
export function describeSource(data: string, options: Record<string, unknown>, initFrom?: string): DataSource {
  const abs = resolve(data);
  const opts = dataOptionsOf(options);
  return {
    data: abs,
    options: opts,
    files: filesOf(abs, opts).map((f) => fingerprintFile(resolve(f))),
    ...(initFrom !== undefined ? { initFrom: fingerprintFile(resolve(initFrom)) } : {}),
  };
}

/** Refuses a resume when a recorded file is gone, is no longer a regular file, or differs in size or SHA-256. */
export function checkSourceFiles(s: DataSource, checkpoint: string): void {
  for (const f of [...s.files, ...(s.initFrom ? [s.initFrom] : [])]) {
    let now: SourceFile;
    try {
      now = fingerprintFile(f.path);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'is gone' : `cannot be read (${(e as Error).message})`;
      throw new TrainSetupError(`${checkpoint}: its data file ${f.path} ${why}; restore it, or start a new run without --resume`);
    }
    if (now.bytes !== f.bytes || now.sha256 !== f.sha256) {
      throw new TrainSetupError(
        `${checkpoint}: its data file ${f.path} changed since the checkpoint was written (${now.bytes !== f.bytes ? `${f.bytes} bytes then, ${now.bytes} now` : 'SHA-256 differs'}); restore it, or start a new run without --resume`,
      );
    }
  }
}

type Fail = (msg: string) => never;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Keys that would mean something other than data to JavaScript objects. */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_PATH = 4096;

/** An absolute, normalised path without NUL: what describeSource writes, and nothing else. */
function isStoredPath(v: unknown): v is string {
  return (
    typeof v === 'string' &&
    v.length > 0 &&
    v.length <= MAX_PATH &&
    !v.includes('\0') &&
    isAbsolute(v) &&
    normalize(v) === v &&
    (v.length === 1 || !v.endsWith('/'))
  );
}

function checkFile(v: unknown, what: string, fail: Fail): SourceFile {
  if (
    !isObject(v) ||
    !isStoredPath(v.path) ||
    !Number.isSafeInteger(v.bytes) ||
    (v.bytes as number) < 0 ||
    typeof v.sha256 !== 'string' ||
    !/^[0-9a-f]{64}$/.test(v.sha256)
  ) {
    fail(`its ${what} must hold path (absolute, normalised), bytes (an integer >= 0) and sha256 (64 hex digits)`);
  }
  const f = v as unknown as SourceFile;
  return { path: f.path, bytes: f.bytes, sha256: f.sha256 };
}

/** A data option's value: a string, finite number, boolean, list of strings, or one level of those by name. */
function isOptionValue(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return v.length <= MAX_PATH;
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v === 'boolean') return true;
  if (Array.isArray(v))
    return v.length <= 100_000 && v.every((x) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)));
  if (isObject(v) && depth === 0) return Object.entries(v).every(([k, x]) => !RESERVED.has(k) && isOptionValue(x, 1));
  return false;
}

/**
 * Checks a checkpoint's `source` field (untrusted): paths absolute and normalised (resolved against
 * nothing: a relative or `..` path is refused), the files exactly the ones the source reads (the
 * data file or the IDX folder's files, and the test file), option values plain data.
 */
export function checkSourceShape(v: unknown, fail: Fail): DataSource | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) return fail('its source must be an object');
  if (!isStoredPath(v.data)) fail('its source data must be an absolute, normalised path (no "..", no NUL)');
  const data = v.data as string;
  if (!isObject(v.options)) fail('its source options must be an object');
  const options = v.options as Record<string, unknown>;
  for (const [k, x] of Object.entries(options)) {
    if (RESERVED.has(k) || !isOptionValue(x))
      fail(
        `its source option ${JSON.stringify(k.slice(0, 40))} is not plain data (a string, number, boolean, list, or one level of those)`,
      );
  }
  if (options.testFile !== undefined && !isStoredPath(options.testFile))
    fail('its source option testFile must be an absolute, normalised path');
  if (!Array.isArray(v.files) || v.files.length < 1 || v.files.length > 8) fail('its source files must be a list of 1 to 8 files');
  const files = (v.files as unknown[]).map((f, i) => checkFile(f, `source file ${i + 1}`, fail));
  const allowed = (p: string) => p === data || dirname(p) === data || p === options.testFile;
  const stray = files.find((f) => !allowed(f.path));
  if (stray)
    fail(
      `its source file ${JSON.stringify(stray.path.slice(0, 200))} is neither the data file, a file of the data folder, nor the test file`,
    );
  const initFrom = v.initFrom === undefined ? undefined : checkFile(v.initFrom, 'source initFrom', fail);
  return { data, options, files, ...(initFrom ? { initFrom } : {}) };
}
