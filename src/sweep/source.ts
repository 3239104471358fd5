/**
 * Where a sweep's data lives and how every worker reads it: a file path (on storage every worker
 * sees) or an http(s) URL. The bytes are hashed and checked against the sweep's SHA-256, then
 * parsed from exactly those bytes, so every machine trains on the same rows.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { DataSet } from '../data/dataset.js';
import { loadFitData } from '../train/fit-data.js';
import { bytesSha256 } from './data.js';
import { SweepError } from './errors.js';
import type { DataSpec } from './run-dir.js';

export function isUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/** A path made absolute (workers may run elsewhere); URLs as they are. */
export function dataLocation(data: string): string {
  return isUrl(data) ? data : resolve(data);
}

/** Caps a download, so a wrong URL cannot fill memory. */
const MAX_DATA_BYTES = 1 << 30;

export async function readDataBytes(location: string, timeoutMs = 60_000): Promise<Uint8Array> {
  if (!isUrl(location)) {
    let size: number;
    try {
      const st = statSync(location);
      if (!st.isFile()) throw new SweepError(`${location}: a sweep's data must be one file (a CSV table), not a folder`);
      size = st.size;
    } catch (e) {
      if (e instanceof SweepError) throw e;
      throw new SweepError(`${location}: cannot read the data: ${(e as Error).message}`);
    }
    if (size > MAX_DATA_BYTES) throw new SweepError(`${location}: ${size} bytes is over the sweep's ${MAX_DATA_BYTES}-byte data limit`);
    return readFileSync(location);
  }
  let res: Response;
  try {
    res = await fetch(location, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new SweepError(`${location}: cannot download the data: ${(e as Error).message}`);
  }
  if (!res.ok) throw new SweepError(`${location}: cannot download the data: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.length > MAX_DATA_BYTES)
    throw new SweepError(`${location}: ${bytes.length} bytes is over the sweep's ${MAX_DATA_BYTES}-byte data limit`);
  return bytes;
}

/** Reads, checks (when `spec.sha256` is set) and parses the data; the data set's source is the location. */
export async function loadSweepData(spec: DataSpec): Promise<{ data: DataSet; sha256: string }> {
  const bytes = await readDataBytes(spec.location);
  const sha256 = bytesSha256(bytes);
  if (spec.sha256 && sha256 !== spec.sha256) {
    throw new SweepError(
      `${spec.location}: the data changed since the sweep started (SHA-256 ${spec.sha256.slice(0, 12)}... then, ${sha256.slice(0, 12)}... now); finished runs are kept; start a new sweep for the new data`,
    );
  }
  // Parsed from a private copy of exactly the hashed bytes (the file may change under us).
  const dir = mkdtempSync(join(tmpdir(), 'native-mlp-sweep-'));
  try {
    const name = basename(isUrl(spec.location) ? new URL(spec.location).pathname : spec.location) || 'data.csv';
    const file = join(dir, name);
    writeFileSync(file, bytes);
    const testFile = spec.testFile === undefined ? undefined : join(dir, `test-${basename(spec.testFile)}`);
    if (testFile) writeFileSync(testFile, await readDataBytes(spec.testFile!));
    // One test split for every run (seed 0), so runs are compared on the same rows.
    let data: DataSet;
    try {
      ({ data } = await loadFitData(file, {
        target: spec.target,
        features: spec.features,
        table: spec.table,
        task: spec.task,
        testFile,
        testFraction: spec.testFraction,
        seed: 0,
      }));
    } catch (e) {
      // Name the data as the user gave it, not the private copy.
      if (e instanceof Error)
        e.message = e.message
          .split(file)
          .join(spec.location)
          .split(testFile ?? '\0')
          .join(spec.testFile ?? '');
      throw e;
    }
    return { data: { ...data, source: spec.location }, sha256 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
