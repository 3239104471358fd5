/**
 * Learning-rate schedules, per epoch (1-based): constant, step (x gamma every N epochs), cosine
 * (PyTorch's CosineAnnealingLR from lr down towards lrMin over the epochs after warm-up) and
 * plateau (x factor when the monitored loss has not improved for `patience` epochs, as
 * ReduceLROnPlateau with threshold 1e-4 rel; PyTorch's patience p is our p + 1), each after an
 * optional linear warm-up: epoch e <= warmup trains at lr * e / (warmup + 1).
 */
import { showValue } from '../show-value.js';
export const SCHEDULE_NAMES = ['constant', 'step', 'cosine', 'plateau'] as const;
export type ScheduleName = (typeof SCHEDULE_NAMES)[number];

export interface ScheduleConfig {
  schedule: ScheduleName;
  /** Epochs of linear warm-up before the schedule starts (default 0). */
  warmup: number;
  /** step: multiply by stepGamma every stepEvery epochs (defaults 2 and 0.5). */
  stepEvery: number;
  stepGamma: number;
  /** cosine: the floor the curve falls towards; plateau: the lowest lr it reduces to (default 0). */
  lrMin: number;
  /** plateau: the factor (default 0.5) and the epochs without improvement before it applies (default 2). */
  plateauFactor: number;
  plateauPatience: number;
}

export const DEFAULT_SCHEDULE: Readonly<ScheduleConfig> = Object.freeze({
  schedule: 'constant',
  warmup: 0,
  stepEvery: 2,
  stepGamma: 0.5,
  lrMin: 0,
  plateauFactor: 0.5,
  plateauPatience: 2,
});

export function isScheduleName(v: unknown): v is ScheduleName {
  return typeof v === 'string' && (SCHEDULE_NAMES as readonly string[]).includes(v);
}

export function checkScheduleConfig(c: ScheduleConfig): void {
  const bad = (what: string, v: unknown): never => {
    throw new RangeError(`Expected ${what} but received ${showValue(v)}`);
  };
  if (!isScheduleName(c.schedule)) bad(`schedule to be one of ${SCHEDULE_NAMES.join(', ')}`, c.schedule);
  if (!Number.isInteger(c.warmup) || c.warmup < 0) bad('warmup to be an integer >= 0', c.warmup);
  if (!Number.isInteger(c.stepEvery) || c.stepEvery < 1) bad('stepEvery to be an integer >= 1', c.stepEvery);
  if (!(c.stepGamma > 0 && c.stepGamma <= 1)) bad('stepGamma to be a number in (0, 1]', c.stepGamma);
  if (!(Number.isFinite(c.lrMin) && c.lrMin >= 0)) bad('lrMin to be a finite number >= 0', c.lrMin);
  if (!(c.plateauFactor > 0 && c.plateauFactor < 1)) bad('plateauFactor to be a number in (0, 1)', c.plateauFactor);
  if (!Number.isInteger(c.plateauPatience) || c.plateauPatience < 1) bad('plateauPatience to be an integer >= 1', c.plateauPatience);
}

/** What a checkpoint keeps of a schedule (only plateau has state). */
export interface ScheduleState {
  lr: number;
  best: number | null;
  badEpochs: number;
}

export class Schedule {
  private readonly c: Readonly<ScheduleConfig>;
  /** plateau: the lr in force and the best loss seen. */
  private s: ScheduleState;

  constructor(
    readonly baseLr: number,
    config: ScheduleConfig,
    readonly epochs: number,
  ) {
    checkScheduleConfig(config);
    this.c = Object.freeze({ ...config });
    this.s = { lr: baseLr, best: null, badEpochs: 0 };
  }

  /** The learning rate of epoch e (1-based). */
  lrFor(e: number): number {
    const { warmup } = this.c;
    const factor = e <= warmup ? e / (warmup + 1) : 1;
    return factor * this.main(Math.max(0, e - warmup - 1));
  }

  /** The schedule after warm-up, t = 0 for its first epoch. */
  private main(t: number): number {
    const c = this.c;
    const lr = this.baseLr;
    switch (c.schedule) {
      case 'constant':
        return lr;
      case 'step':
        return lr * c.stepGamma ** Math.floor(t / c.stepEvery);
      case 'cosine': {
        const T = Math.max(1, this.epochs - c.warmup);
        return c.lrMin + ((lr - c.lrMin) * (1 + Math.cos((Math.PI * Math.min(t, T)) / T))) / 2;
      }
      case 'plateau':
        return this.s.lr;
    }
  }

  /** Feeds the monitored loss after epoch e (plateau only; warm-up epochs are not judged). */
  observe(e: number, loss: number): void {
    if (this.c.schedule !== 'plateau' || e <= this.c.warmup) return;
    const s = this.s;
    if (s.best === null || loss < s.best * (1 - 1e-4)) {
      s.best = loss;
      s.badEpochs = 0;
      return;
    }
    s.badEpochs++;
    if (s.badEpochs >= this.c.plateauPatience) {
      s.lr = Math.max(this.c.lrMin, s.lr * this.c.plateauFactor);
      s.badEpochs = 0;
    }
  }

  state(): ScheduleState {
    return { ...this.s };
  }

  restore(s: ScheduleState): void {
    this.s = { lr: s.lr, best: s.best, badEpochs: s.badEpochs };
  }
}
