/**
 * Checkpoints: everything a run depends on, so a resumed run ends with the same weights, bit for
 * bit, as one never stopped (same backend and threads). The file is a safetensors file (readable
 * by Python's json + numpy): tensors `params` (the arena W1, b1, W2, b2 ...), the optimizer's
 * state (`optimizer.m` ...), `best` (early stopping's best weights), and in __metadata__ a JSON
 * `state`: the resolved config, layer sizes, position (epochs done, batches of the next epoch
 * done, their summed loss), the generator's state at the start of that epoch, the schedule's and
 * early stopping's state, the optimizer's step count and a SHA-256 fingerprint of the data.
 * Written atomically; read as untrusted input.
 */
import { createHash } from 'node:crypto';
import type { Rows } from '../data/dataset.js';
import { writeFileAtomic } from '../model/atomic-write.js';
import { readF32LE } from '../model/bytes.js';
import { encodeSafetensors } from '../model/safetensors-write.js';
import { ModelFileError } from '../model/errors.js';
import { readModelBytes } from '../model/read.js';
import type { Pcg64State } from '../rng/pcg64.js';
import type { ScheduleState } from '../optim/schedule.js';
import type { ResolvedConfig } from './config.js';

export const CHECKPOINT_FORMAT = 'native-mlp-checkpoint';
const VERSION = '1';
const MAX_HEADER = 1 << 20;

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
  params: Float32Array;
  optimizer: Record<string, Float32Array>;
  best: Float32Array | null;
}

/** SHA-256 over what the run trains and validates on (sizes, pixels, labels). */
export function dataFingerprint(train: Rows, validation: Rows | undefined, classes: number): string {
  const h = createHash('sha256');
  for (const set of [train, validation]) {
    if (!set) continue;
    h.update(`${set.count}x${set.features}/${classes};`);
    h.update(`${set.inputs.constructor.name}/${set.targets.constructor.name};`);
    h.update(new Uint8Array(set.inputs.buffer, set.inputs.byteOffset, set.count * set.features * set.inputs.BYTES_PER_ELEMENT));
    h.update(new Uint8Array(set.targets.buffer, set.targets.byteOffset, set.targets.byteLength));
  }
  return h.digest('hex');
}

export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const tensors: [string, Float32Array][] = [['params', c.params]];
  for (const [k, v] of Object.entries(c.optimizer)) tensors.push([`optimizer.${k}`, v]);
  if (c.best) tensors.push(['best', c.best]);
  const state = {
    config: c.config, sizes: c.sizes, epoch: c.epoch, batch: c.batch, lossSum: c.lossSum,
    rng: { state: c.rng.state.toString(16), inc: c.rng.inc.toString(16), hasUint32: c.rng.hasUint32, uinteger: c.rng.uinteger },
    schedule: c.schedule, optimizerStep: c.optimizerStep, early: c.early, fingerprint: c.fingerprint,
  };
  const metadata = { format: CHECKPOINT_FORMAT, format_version: VERSION, state: JSON.stringify(state) };
  return encodeSafetensors(metadata, tensors.map(([name, data]) => ({ name, shape: [data.length], data })));
}

export function saveCheckpoint(file: string, c: Checkpoint): void {
  writeFileAtomic(file, encodeCheckpoint(c));
}

export function loadCheckpoint(file: string): Checkpoint {
  return decodeCheckpoint(readModelBytes(file), file);
}

/** Decodes and checks a checkpoint; every problem is a ModelFileError naming the file. */
export function decodeCheckpoint(bytes: Uint8Array, source: string): Checkpoint {
  const fail = (msg: string): never => {
    throw new ModelFileError(`${source}: ${msg}`);
  };
  if (bytes.length < 8) fail('too short for a checkpoint');
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (len > BigInt(Math.min(MAX_HEADER, bytes.length - 8))) fail(`header length ${len} does not fit the file (${bytes.length} bytes)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + Number(len))));
  } catch (e) {
    return fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return fail('header is not a JSON object');
  const meta = header.__metadata__ as Record<string, unknown> | undefined;
  if (meta?.format !== CHECKPOINT_FORMAT) {
    fail(`not a native-mlp checkpoint (format ${JSON.stringify(meta?.format)}); pass a file written by --checkpoint`);
  }
  if (meta!.format_version !== VERSION) fail(`checkpoint format version ${JSON.stringify(meta!.format_version)} is not supported (expected ${VERSION})`);
  let s: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    s = JSON.parse(String(meta!.state));
  } catch {
    return fail('its state is not valid JSON');
  }
  const dataStart = 8 + Number(len);
  const tensors: Record<string, Float32Array> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const [b, end] = Array.isArray(e.data_offsets) ? e.data_offsets : [];
    const n = Array.isArray(e.shape) && e.shape.length === 1 ? e.shape[0] : -1;
    if (e.dtype !== 'F32' || !Number.isInteger(n) || n < 0 || !Number.isInteger(b) || end !== b + 4 * n || dataStart + end > bytes.length) {
      fail(`tensor ${name} has a bad dtype, shape or offsets`);
    }
    const t = new Float32Array(n);
    readF32LE(t, bytes, dataStart + b);
    tensors[name] = t;
  }
  const int = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  const okRng = s.rng && typeof s.rng.state === 'string' && /^[0-9a-f]+$/.test(s.rng.state) && typeof s.rng.inc === 'string' &&
    /^[0-9a-f]+$/.test(s.rng.inc) && typeof s.rng.hasUint32 === 'boolean' && int(s.rng.uinteger);
  if (!s.config || !Array.isArray(s.sizes) || !int(s.epoch) || !int(s.batch) || typeof s.lossSum !== 'number' || !okRng ||
      !s.schedule || !int(s.optimizerStep) || typeof s.fingerprint !== 'string' || !tensors.params) {
    fail('its state is incomplete or malformed');
  }
  const optimizer: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(tensors)) if (k.startsWith('optimizer.')) optimizer[k.slice(10)] = v;
  return {
    config: s.config, sizes: s.sizes, epoch: s.epoch, batch: s.batch, lossSum: s.lossSum,
    rng: { state: BigInt(`0x${s.rng.state}`), inc: BigInt(`0x${s.rng.inc}`), hasUint32: s.rng.hasUint32, uinteger: s.rng.uinteger },
    schedule: s.schedule, optimizerStep: s.optimizerStep, early: s.early ?? null, fingerprint: s.fingerprint,
    params: tensors.params, optimizer, best: tensors.best ?? null,
  };
}
