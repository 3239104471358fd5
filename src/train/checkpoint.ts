/**
 * Checkpoints: everything a run depends on, so a resumed run ends with the same weights, bit for
 * bit, as one never stopped (same backend and threads). The file is a safetensors file (readable
 * by Python's json + numpy): tensors `params` (the arena W1, b1, W2, b2 ...), the optimizer's
 * state (`optimizer.m` ...), `best` (early stopping's best weights), and in __metadata__ a JSON
 * `state`: the resolved config, layer sizes, position (epochs done, batches of the next epoch
 * done, their summed loss), the generator's state at the start of that epoch, the schedule's and
 * early stopping's state, the optimizer's step count, a SHA-256 fingerprint of the data and,
 * when the run read files, their source (data-source.ts: paths, data options, each file's SHA-256).
 * Written atomically; read as untrusted input.
 */
import { createHash } from 'node:crypto';
import type { Rows } from '../data/dataset.js';
import { writeFileAtomic } from '../model/atomic-write.js';
import { readF32LE } from '../model/bytes.js';
import { encodeSafetensors } from '../model/safetensors-write.js';
import { ModelFileError } from '../model/errors.js';
import { readModelBytes } from '../model/read.js';
import { scanJson } from '../model/json-scan.js';
import { checkCheckpointState } from './checkpoint-schema.js';
import type { Pcg64State } from '../rng/pcg64.js';
import type { ScheduleState } from '../optim/schedule.js';
import type { ResolvedConfig } from './config.js';
import type { DataSource } from './data-source.js';

export const CHECKPOINT_FORMAT = 'native-mlp-checkpoint';
const VERSION = '1';
const MAX_HEADER = 1 << 20;
/** Deepest JSON nesting in a checkpoint's header or state (a state with its data source needs 5). */
const MAX_DEPTH = 8;

export interface Checkpoint {
  config: ResolvedConfig;
  sizes: number[];
  /** Whole epochs trained. */
  epoch: number;
  /** Batches of epoch + 1 already trained (0 at an epoch boundary) and their summed loss. */
  batch: number;
  lossSum: number;
  /** The generator before epoch + 1's permutation was drawn. */
  rng: Pcg64State;
  schedule: ScheduleState;
  optimizerStep: number;
  early: { bestEpoch: number; best: number | null; badEpochs: number } | null;
  fingerprint: string;
  /** Where the data came from (files and data options), so a resume needs nothing else; null for arrays. */
  source: DataSource | null;
  params: Float32Array;
  optimizer: Record<string, Float32Array>;
  best: Float32Array | null;
}

/** SHA-256 over what the run trains and validates on (sizes, pixels, labels, sample weights). */
export function dataFingerprint(train: Rows, validation: Rows | undefined, classes: number): string {
  const h = createHash('sha256');
  for (const set of [train, validation]) {
    if (!set) continue;
    h.update(`${set.count}x${set.features}/${classes};`);
    h.update(`${set.inputs.constructor.name}/${set.targets.constructor.name};`);
    h.update(new Uint8Array(set.inputs.buffer, set.inputs.byteOffset, set.count * set.features * set.inputs.BYTES_PER_ELEMENT));
    h.update(new Uint8Array(set.targets.buffer, set.targets.byteOffset, set.targets.byteLength));
    // Sample weights only when present: unweighted data keeps the fingerprint it always had.
    if (set.weights) h.update(new Uint8Array(set.weights.buffer, set.weights.byteOffset, set.weights.byteLength));
  }
  return h.digest('hex');
}

export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const tensors: [string, Float32Array][] = [['params', c.params]];
  for (const [k, v] of Object.entries(c.optimizer)) tensors.push([`optimizer.${k}`, v]);
  if (c.best) tensors.push(['best', c.best]);
  const state = {
    config: c.config,
    sizes: c.sizes,
    epoch: c.epoch,
    batch: c.batch,
    lossSum: c.lossSum,
    rng: { state: c.rng.state.toString(16), inc: c.rng.inc.toString(16), hasUint32: c.rng.hasUint32, uinteger: c.rng.uinteger },
    schedule: c.schedule,
    optimizerStep: c.optimizerStep,
    early: c.early,
    fingerprint: c.fingerprint,
    ...(c.source ? { source: c.source } : {}),
  };
  const metadata = { format: CHECKPOINT_FORMAT, format_version: VERSION, state: JSON.stringify(state) };
  return encodeSafetensors(
    metadata,
    tensors.map(([name, data]) => ({ name, shape: [data.length], data })),
  );
}

export function saveCheckpoint(file: string, c: Checkpoint): void {
  writeFileAtomic(file, encodeCheckpoint(c));
}

export function loadCheckpoint(file: string): Checkpoint {
  return decodeCheckpoint(readModelBytes(file), file);
}

/** Decodes and checks a checkpoint (checkpoint-schema.ts); every problem is a ModelFileError naming the file. */
export function decodeCheckpoint(bytes: Uint8Array, source: string): Checkpoint {
  const fail = (msg: string): never => {
    throw new ModelFileError(`${source}: ${msg}`);
  };
  if (bytes.length < 8) fail('too short for a checkpoint');
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (len > BigInt(Math.min(MAX_HEADER, bytes.length - 8))) fail(`header length ${len} does not fit the file (${bytes.length} bytes)`);
  const header = parseJsonObject(bytes.subarray(8, 8 + Number(len)), 'header', fail);
  const meta = header.__metadata__ as Record<string, unknown> | undefined;
  if (typeof meta !== 'object' || meta === null || meta.format !== CHECKPOINT_FORMAT) {
    fail(`not a native-mlp checkpoint (format ${JSON.stringify(meta?.format)}); pass a file written by --checkpoint`);
  }
  if (meta!.format_version !== VERSION)
    fail(`checkpoint format version ${JSON.stringify(meta!.format_version)} is not supported (expected ${VERSION})`);
  if (typeof meta!.state !== 'string') fail('its state is missing');
  const state = parseJsonObject(new TextEncoder().encode(meta!.state as string), 'state', fail);
  const dataStart = 8 + Number(len);
  const tensors = new Map<string, Float32Array>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const [b, end] = Array.isArray(e.data_offsets) && e.data_offsets.length === 2 ? e.data_offsets : [];
    const n = Array.isArray(e.shape) && e.shape.length === 1 ? e.shape[0] : -1;
    if (
      e.dtype !== 'F32' ||
      !Number.isSafeInteger(n) ||
      n < 0 ||
      !Number.isSafeInteger(b) ||
      b < 0 ||
      end !== b + 4 * n ||
      dataStart + end > bytes.length
    ) {
      fail(`tensor ${JSON.stringify(name.slice(0, 64))} has a bad dtype, shape or offsets`);
    }
    const t = new Float32Array(n);
    readF32LE(t, bytes, dataStart + b);
    tensors.set(name, t);
  }
  const s = checkCheckpointState(state, tensors, fail);
  const optimizer: Record<string, Float32Array> = {};
  for (const [k, v] of tensors) if (k.startsWith('optimizer.')) optimizer[k.slice(10)] = v;
  return { ...s, params: tensors.get('params')!, optimizer, best: tensors.get('best') ?? null };
}

/** UTF-8 JSON text holding one object, with unique keys and shallow nesting (json-scan.ts). */
function parseJsonObject(utf8: Uint8Array, what: string, fail: (msg: string) => never): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(utf8);
  } catch {
    return fail(`its ${what} is not valid UTF-8`);
  }
  const problem = scanJson(text, MAX_DEPTH);
  if (problem) fail(`its ${what} JSON has a ${problem}; a checkpoint has unique keys and ${MAX_DEPTH} levels at most`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return fail(`its ${what} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`its ${what} is not a JSON object`);
  return v as Record<string, unknown>;
}
