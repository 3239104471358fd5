/**
 * Early stopping on a validation metric (as Keras' EarlyStopping with restore_best_weights):
 * keeps a copy of the best epoch's parameters and says when `patience` epochs have passed
 * without improvement. The copy lives with the other long-lived arrays (allocArena).
 */
import { allocArena } from '../optim/optimizer.js';

export const MONITORS = ['validationLoss', 'validationAccuracy', 'trainingLoss'] as const;
export type Monitor = (typeof MONITORS)[number];

export interface EarlyStoppingState {
  bestEpoch: number;
  best: number | null;
  badEpochs: number;
  bestParams: Float32Array;
}

export class EarlyStopping {
  private s: EarlyStoppingState;

  /**
   * `tol`: an epoch improves only when it beats the best by more than tol (scikit-learn's rule:
   * the best value and weights still follow any gain, the patience count only a gain above tol).
   */
  constructor(
    readonly patience: number,
    readonly monitor: Monitor,
    n: number,
    readonly tol = 0,
  ) {
    this.s = { bestEpoch: 0, best: null, badEpochs: 0, bestParams: allocArena(n) };
  }

  /** Records epoch e's metric; returns true when the run should stop now. */
  observe(e: number, value: number, params: Float32Array): boolean {
    const s = this.s;
    const lower = this.monitor !== 'validationAccuracy';
    const better = s.best === null || (lower ? value < s.best : value > s.best);
    const improved = s.best === null || (lower ? value < s.best - this.tol : value > s.best + this.tol);
    if (better) {
      s.best = value;
      s.bestEpoch = e;
      s.bestParams.set(params);
    }
    s.badEpochs = improved ? 0 : s.badEpochs + 1;
    return s.badEpochs >= this.patience;
  }

  get bestEpoch(): number {
    return this.s.bestEpoch;
  }

  /**
   * Copies the best epoch's parameters into params (no-op before the first epoch, and when
   * watching the training loss, where scikit-learn keeps the last weights).
   */
  restoreBest(params: Float32Array): void {
    if (this.s.bestEpoch > 0 && this.monitor !== 'trainingLoss') params.set(this.s.bestParams);
  }

  state(): EarlyStoppingState {
    return this.s;
  }

  restore(s: EarlyStoppingState): void {
    this.s.bestParams.set(s.bestParams);
    this.s = { ...s, bestParams: this.s.bestParams };
  }
}
