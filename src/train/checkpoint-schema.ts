/**
 * The one validation of a checkpoint's state, field by field with ranges: a checkpoint is
 * untrusted input (a file anyone could have edited), so nothing in it reaches the loop, the
 * optimizer, the schedule or the generator before it has been checked here. Unknown state keys are
 * ignored (nothing reads them); every key the loop reads is required and in range. The data source
 * (optional: older checkpoints and runs on arrays have none) is checked by data-source.ts's
 * checkSourceShape: its paths are data to validate, never resolved against anything.
 */
import { MAX_LAYER_SIZE } from '../limits.js';
import { firstNonFinite } from '../model/bytes.js';
import type { OptimizerName } from '../optim/optimizer.js';
import { checkConfig, type ResolvedConfig, resolveConfig } from './config.js';
import { checkSourceShape, type DataSource } from './data-source.js';

type Fail = (msg: string) => never;
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown, max = Number.MAX_SAFE_INTEGER): v is number =>
  Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= max;
const isFinite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** 1 to 32 lowercase hex digits: a 128-bit value as the checkpoint writes it. */
const HEX128 = /^[0-9a-f]{1,32}$/;

/** The optimizer state tensors each optimizer keeps. */
const OPTIMIZER_TENSORS: Record<OptimizerName, readonly string[]> = {
  sgd: [],
  momentum: ['velocity'],
  nesterov: ['velocity'],
  adam: ['m', 'v'],
  adamw: ['m', 'v'],
};

/** Parameter count of an MLP with these layer sizes (W and b of each layer). */
function parameterCount(sizes: readonly number[]): number {
  let n = 0;
  for (let l = 1; l < sizes.length; l++) n += sizes[l - 1] * sizes[l] + sizes[l];
  return n;
}

/** The checked config (a RangeError from checkConfig becomes the file's error). */
function checkedConfig(v: unknown, fail: Fail): ResolvedConfig {
  if (!isObject(v)) return fail('its state has no config object');
  try {
    checkConfig(v as never);
  } catch (e) {
    return fail(`its config is invalid: ${(e as Error).message}`);
  }
  const c = resolveConfig(v as never);
  if (c.epochs > 100_000) fail(`its config has epochs ${c.epochs}, above the limit of 100000`);
  return c;
}

export interface CheckedState {
  config: ResolvedConfig;
  sizes: number[];
  epoch: number;
  batch: number;
  lossSum: number;
  rng: { state: bigint; inc: bigint; hasUint32: boolean; uinteger: number };
  schedule: { lr: number; best: number | null; badEpochs: number };
  optimizerStep: number;
  early: { bestEpoch: number; best: number | null; badEpochs: number } | null;
  fingerprint: string;
  source: DataSource | null;
}

/**
 * Checks every field of the parsed `state` and the tensors against each other; returns the typed
 * state or calls `fail` with what is wrong, named by field.
 */
export function checkCheckpointState(s: unknown, tensors: Map<string, Float32Array>, fail: Fail): CheckedState {
  if (!isObject(s)) return fail('its state is not a JSON object');
  const config = checkedConfig(s.config, fail);
  const sizes = s.sizes;
  if (
    !Array.isArray(sizes) ||
    sizes.length < 2 ||
    sizes.length > 64 ||
    !sizes.every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_LAYER_SIZE)
  ) {
    fail(`its sizes must be 2 to 64 layer sizes from 1 to ${MAX_LAYER_SIZE}`);
  }
  const layers = sizes as number[];
  if (JSON.stringify(layers.slice(1, -1)) !== JSON.stringify(config.hidden)) {
    fail(`its sizes ${layers.join('-')} do not match its config's hidden layers ${config.hidden.join(',')}`);
  }
  if (!isCount(s.epoch, config.epochs)) fail(`its epoch must be an integer from 0 to the config's ${config.epochs} epochs`);
  if (!isCount(s.batch)) fail('its batch must be an integer >= 0');
  const lossSum = s.lossSum;
  if (!isFinite(lossSum) || lossSum < 0) fail('its lossSum must be a finite number >= 0');
  if (s.batch === 0 && lossSum !== 0) fail('its lossSum must be 0 at an epoch boundary (batch 0)');
  if (s.epoch === config.epochs && s.batch !== 0) fail('its batch must be 0 once every epoch of its config is done');

  const rng = s.rng;
  if (
    !isObject(rng) ||
    typeof rng.state !== 'string' ||
    !HEX128.test(rng.state) ||
    typeof rng.inc !== 'string' ||
    !HEX128.test(rng.inc) ||
    typeof rng.hasUint32 !== 'boolean' ||
    !isCount(rng.uinteger, 0xffffffff)
  ) {
    fail('its rng must hold state and inc (up to 32 hex digits), hasUint32 (a boolean) and uinteger (a uint32)');
  }
  const r = rng as { state: string; inc: string; hasUint32: boolean; uinteger: number };
  const inc = BigInt(`0x${r.inc}`);
  if ((inc & 1n) === 0n) fail('its rng inc is even; a PCG64 increment is always odd');

  const schedule = s.schedule;
  if (
    !isObject(schedule) ||
    !isFinite(schedule.lr) ||
    !(schedule.lr > 0) ||
    schedule.lr > config.lr ||
    !(schedule.best === null || isFinite(schedule.best)) ||
    !isCount(schedule.badEpochs, Math.max(0, config.plateauPatience - 1))
  ) {
    fail(
      `its schedule must hold lr (in (0, ${config.lr}]), best (a finite number or null) and badEpochs (0 to ${config.plateauPatience - 1})`,
    );
  }
  if (!isCount(s.optimizerStep)) fail('its optimizerStep must be an integer >= 0');
  if (typeof s.fingerprint !== 'string' || !/^[0-9a-f]{64}$/.test(s.fingerprint)) fail('its fingerprint must be 64 hex digits (SHA-256)');
  const source = checkSourceShape(s.source, fail);

  let early: CheckedState['early'] = null;
  if (config.earlyStopping > 0) {
    const e = s.early;
    if (
      !isObject(e) ||
      !isCount(e.bestEpoch, s.epoch as number) ||
      !(e.best === null || isFinite(e.best)) ||
      !isCount(e.badEpochs, config.earlyStopping)
    ) {
      fail(
        `its early stopping state must hold bestEpoch (0 to ${s.epoch}), best (a finite number or null) and badEpochs (0 to ${config.earlyStopping})`,
      );
    }
    early = { bestEpoch: e!.bestEpoch as number, best: e!.best as number | null, badEpochs: e!.badEpochs as number };
  } else if (s.early !== null && s.early !== undefined) {
    fail('it holds early stopping state but its config has no early stopping');
  }

  // Tensors: exactly the ones this config writes, each as long as the parameters.
  const n = parameterCount(layers);
  const want = ['params', ...OPTIMIZER_TENSORS[config.optimizer].map((k) => `optimizer.${k}`), ...(early ? ['best'] : [])];
  const have = [...tensors.keys()];
  const extra = have.filter((k) => !want.includes(k));
  const missing = want.filter((k) => !tensors.has(k));
  if (extra.length || missing.length) {
    fail(
      `its tensors must be ${want.join(', ')} for optimizer ${config.optimizer}${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; unexpected ${extra.join(', ')}` : ''}`,
    );
  }
  for (const k of want) {
    const t = tensors.get(k)!;
    if (t.length !== n) fail(`tensor ${k} holds ${t.length} values but layers ${layers.join('-')} have ${n} parameters`);
    const bad = config.allowNonFinite ? -1 : firstNonFinite(t);
    if (bad >= 0) fail(`tensor ${k} holds ${t[bad]} at index ${bad}; a checkpoint of a run that did not allow non-finite values has none`);
  }
  const v = tensors.get('optimizer.v');
  if (v) {
    for (let i = 0; i < v.length; i++)
      if (v[i] < 0) fail(`tensor optimizer.v holds ${v[i]} at index ${i}; Adam's second moment is never negative`);
  }
  return {
    config,
    sizes: layers,
    epoch: s.epoch as number,
    batch: s.batch as number,
    lossSum: lossSum as number,
    rng: { state: BigInt(`0x${r.state}`), inc, hasUint32: r.hasUint32, uinteger: r.uinteger },
    schedule: { lr: schedule!.lr as number, best: schedule!.best as number | null, badEpochs: schedule!.badEpochs as number },
    optimizerStep: s.optimizerStep as number,
    early,
    fingerprint: s.fingerprint as string,
    source,
  };
}
