/**
 * Checks the loop makes around its steps: a resume's settings against the run's, non-finite
 * weights after an epoch, and a loss stuck at chance (reported once).
 */
import { firstNonFinite } from '../model/bytes.js';
import type { Checkpoint } from './checkpoint.js';
import { type ResolvedConfig, resolveConfig } from './config.js';
import { type EpochEvent, NonFiniteWeightsError } from './events.js';

/** Why `config` may not resume `checkpoint` (a setting other than epochs differs), or null. */
export function mismatch(checkpoint: Checkpoint, config: ResolvedConfig, source: string): string | null {
  // Settings added after a checkpoint was written take their defaults.
  const c = { ...checkpoint, config: resolveConfig(checkpoint.config) };
  const keys = Object.keys(config).filter((k) => k !== 'epochs') as (keyof ResolvedConfig)[];
  const differ = keys.filter((k) => JSON.stringify(c.config[k]) !== JSON.stringify(config[k]));
  if (differ.length === 0) return null;
  return `${source} was written with ${differ.map((k) => `${k} ${JSON.stringify(c.config[k])}`).join(', ')} but this run has ${differ
    .map((k) => `${k} ${JSON.stringify(config[k])}`)
    .join(', ')}; resume with the checkpoint's settings (only epochs may change)`;
}

/** Throws NonFiniteWeightsError naming the first NaN or infinite parameter (W1[i] ...). */
export function checkFiniteWeights(params: Float32Array, sizes: readonly number[], epoch: number): void {
  const at = firstNonFinite(params);
  if (at < 0) return;
  let offset = at;
  let where = `parameter ${at}`;
  for (let l = 1; l < sizes.length; l++) {
    const w = sizes[l - 1] * sizes[l];
    if (offset < w) {
      where = `W${l}[${offset}]`;
      break;
    }
    offset -= w;
    if (offset < sizes[l]) {
      where = `b${l}[${offset}]`;
      break;
    }
    offset -= sizes[l];
  }
  throw new NonFiniteWeightsError(epoch, where, params[at]);
}

/** Epochs after which a loss still at ln(classes) is reported (once). */
export const CHANCE_EPOCHS = 3;

/** Whether every epoch's loss is within 1 % of ln(classes), the loss of a uniform guess. */
export function atChance(epochs: EpochEvent[], classes: number): boolean {
  const chance = Math.log(classes);
  return classes > 1 && epochs.every((e) => Math.abs(e.loss - chance) <= 0.01 * chance);
}

export const CHANCE_MESSAGE = (epochs: EpochEvent[], classes: number) =>
  `loss has not moved from ln(classes) = ${Math.log(classes).toFixed(4)} in ${epochs.length} epochs ` +
  `(last ${epochs.at(-1)!.loss.toFixed(4)}): try adam, a smaller lr or --init he`;
