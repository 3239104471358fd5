/**
 * A run's line in runs.jsonl from its trainings: the final metrics are those of the epoch the
 * model keeps (early stopping's best, else the last) plus the test metrics; with folds, each
 * metric is the mean over the folds (epoch by epoch, and at the end; sweep.json says how many).
 */
import type { EpochEvent } from '../train/events.js';
import type { Settings } from './space.js';
import type { UnitResult } from './unit.js';

export const METRICS = ['validationLoss', 'validationAccuracy', 'validationRmse'] as const;
export type Metric = (typeof METRICS)[number];

/** Higher is better for accuracy, lower for losses and errors. */
export function higherIsBetter(metric: string): boolean {
  return /accuracy/i.test(metric);
}

export interface RunLine {
  run: number;
  settings: Settings;
  epochs: EpochEvent[];
  final: Record<string, number>;
  seconds: number;
  /** The model file, relative to the sweep's folder (absent when the run failed). */
  model?: string;
  /** Why the run has no model (it diverged, its worker failed every attempt). */
  error?: string;
}

/** Epoch fields that are measurements of the model (not timing or position). */
const NOT_METRICS = new Set(['event', 'epoch', 'seconds', 'rowsPerSecond', 'imagesPerSecond', 'evalSeconds', 'lr']);

function metricsOf(e: object | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(e ?? {})) if (!NOT_METRICS.has(k) && typeof v === 'number') out[k] = v;
  return out;
}

/** The final metrics of one training. */
export function unitFinal(u: UnitResult): Record<string, number> {
  const kept = u.stop?.bestEpoch ?? u.epochs.at(-1)?.epoch;
  const epoch = u.epochs.find((e) => e.epoch === kept) ?? u.epochs.at(-1);
  const { testLoss: _, ...test } = metricsOf(u.test);
  return { ...metricsOf(epoch), ...test };
}

function mean(records: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(records[0] ?? {})) {
    if (records.every((r) => typeof r[k] === 'number')) out[k] = records.reduce((s, r) => s + r[k], 0) / records.length;
  }
  return out;
}

/** Per-epoch means over the folds (up to the shortest fold). */
function meanEpochs(units: readonly UnitResult[]): EpochEvent[] {
  if (units.length === 1) return units[0].epochs;
  const n = Math.min(...units.map((u) => u.epochs.length));
  return Array.from({ length: n }, (_, i) => {
    const e = units[0].epochs[i];
    return {
      ...e,
      ...mean(units.map((u) => metricsOf(u.epochs[i]))),
      seconds: units.reduce((s, u) => s + u.epochs[i].seconds, 0),
    } as EpochEvent;
  });
}

/** The run's line from its trainings (one, or one per fold in fold order). */
export function runLine(run: number, settings: Settings, units: readonly UnitResult[], model: string): RunLine {
  const failed = units.find((u) => u.error !== undefined);
  const seconds = units.reduce((s, u) => s + (u.seconds ?? 0), 0);
  const line: RunLine = {
    run,
    settings,
    epochs: meanEpochs(units),
    final: failed ? {} : mean(units.map(unitFinal)),
    seconds: Number(seconds.toFixed(3)),
  };
  if (failed) line.error = failed.error;
  else line.model = model;
  return line;
}

/** The best finished run by `metric` (ties: the earlier run), or undefined when none has it. */
export function bestRun(lines: readonly RunLine[], metric: string): RunLine | undefined {
  const up = higherIsBetter(metric);
  let best: RunLine | undefined;
  for (const l of lines) {
    const v = l.final[metric];
    if (l.model === undefined || typeof v !== 'number' || Number.isNaN(v)) continue;
    const b = best?.final[metric];
    if (best === undefined || (up ? v > b! : v < b!) || (v === b && l.run < best.run)) best = l;
  }
  return best;
}
