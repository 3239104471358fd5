/**
 * Optimizers as small state objects over the parameter arena (as scikit-learn's
 * _stochastic_optimizers.py): the state (velocity, or Adam's two moments) is laid out exactly
 * like Mlp.params, so one fused kernel call updates every parameter of every layer. Update rules
 * are PyTorch's documented ones (torch.optim.SGD, Adam, AdamW); see binding.d.ts.
 */
import type { Backend } from '../backend/contract.js';
import { sharedF32 } from '../backend/contract.js';
import { showValue } from '../show-value.js';

export const OPTIMIZER_NAMES = ['sgd', 'momentum', 'nesterov', 'adam', 'adamw'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export interface OptimizerConfig {
  /** 'sgd' (default: the notebook's arithmetic), 'momentum', 'nesterov', 'adam', 'adamw'. */
  optimizer: OptimizerName;
  /** momentum / nesterov: the momentum factor (default 0.9). */
  momentum: number;
  /** adam / adamw: PyTorch's betas and eps (defaults 0.9, 0.999, 1e-8). */
  beta1: number;
  beta2: number;
  eps: number;
  /** L2 for sgd, momentum, nesterov and adam (g += wd * w); decoupled for adamw (w *= 1 - lr * wd). Default 0. */
  weightDecay: number;
}

export const DEFAULT_OPTIMIZER: Readonly<OptimizerConfig> = Object.freeze({
  optimizer: 'sgd',
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
});

export function isOptimizerName(v: unknown): v is OptimizerName {
  return typeof v === 'string' && (OPTIMIZER_NAMES as readonly string[]).includes(v);
}

/** Throws a RangeError naming the first bad setting. */
export function checkOptimizerConfig(c: OptimizerConfig): void {
  const bad = (what: string, v: unknown): never => {
    throw new RangeError(`Expected ${what} but received ${showValue(v)}`);
  };
  if (!isOptimizerName(c.optimizer)) bad(`optimizer to be one of ${OPTIMIZER_NAMES.join(', ')}`, c.optimizer);
  const unit = (name: string, v: number) => {
    if (!(typeof v === 'number' && v >= 0 && v < 1)) bad(`${name} to be a number in [0, 1)`, v);
  };
  unit('momentum', c.momentum);
  unit('beta1', c.beta1);
  unit('beta2', c.beta2);
  if (!(typeof c.eps === 'number' && Number.isFinite(c.eps) && c.eps > 0)) bad('eps to be a finite number > 0', c.eps);
  if (!(typeof c.weightDecay === 'number' && Number.isFinite(c.weightDecay) && c.weightDecay >= 0)) {
    bad('weightDecay to be a finite number >= 0', c.weightDecay);
  }
}

/** What a checkpoint stores of an optimizer: the step count and the state arrays by name. */
export interface OptimizerState {
  step: number;
  buffers: Record<string, Float32Array>;
}

/**
 * One optimizer over an arena of n parameters. `update` consumes a gradient arena laid out like
 * the parameters; `foldsIntoBackward` says whether backward may apply the step itself (plain SGD
 * without weight decay: the notebook's path, the update folded into the weight-gradient sgemm).
 */
export class Optimizer {
  readonly config: Readonly<OptimizerConfig>;
  readonly n: number;
  /** Updates applied so far (PyTorch's `step` state). */
  step = 0;
  /** State arrays, each laid out like the parameter arena: velocity, or m and v. */
  readonly buffers: Record<string, Float32Array>;

  /** alloc: where the state lives, the backend's memory (Backend.alloc) as the parameters. */
  constructor(config: OptimizerConfig, n: number, alloc: (n: number) => Float32Array = allocArena) {
    checkOptimizerConfig(config);
    this.config = Object.freeze({ ...config });
    this.n = n;
    const name = config.optimizer;
    // State arrays live where parameters live, zero-initialised as PyTorch's.
    this.buffers =
      name === 'momentum' || name === 'nesterov'
        ? { velocity: alloc(n) }
        : name === 'adam' || name === 'adamw'
          ? { m: alloc(n), v: alloc(n) }
          : {};
  }

  get foldsIntoBackward(): boolean {
    return this.config.optimizer === 'sgd' && this.config.weightDecay === 0;
  }

  /** One update of params from grads (both n long) at learning rate lr: one kernel call. */
  update(be: Backend, params: Float32Array, grads: Float32Array, lr: number): void {
    const c = this.config;
    this.step++;
    switch (c.optimizer) {
      case 'sgd':
        be.momentumUpdate(params, grads, EMPTY, this.n, lr, 0, c.weightDecay, false);
        break;
      case 'momentum':
      case 'nesterov':
        be.momentumUpdate(params, grads, this.buffers.velocity, this.n, lr, c.momentum, c.weightDecay, c.optimizer === 'nesterov');
        break;
      case 'adam':
      case 'adamw':
        be.adamUpdate(
          params,
          grads,
          this.buffers.m,
          this.buffers.v,
          this.n,
          lr,
          c.beta1,
          c.beta2,
          c.eps,
          c.weightDecay,
          c.optimizer === 'adamw',
          this.step,
        );
        break;
    }
  }

  /** Counts a step applied elsewhere (backward's folded SGD), so step stays the number of updates. */
  countFoldedStep(): void {
    this.step++;
  }

  state(): OptimizerState {
    return { step: this.step, buffers: this.buffers };
  }

  /** Restores a saved state (checked: same buffers, same lengths). */
  restore(s: OptimizerState): void {
    const want = Object.keys(this.buffers).sort().join(',');
    const got = Object.keys(s.buffers).sort().join(',');
    if (want !== got)
      throw new RangeError(`Expected optimizer state ${want || '(none)'} for ${this.config.optimizer} but received ${got || '(none)'}`);
    for (const [k, buf] of Object.entries(s.buffers)) {
      if (buf.length !== this.n) throw new RangeError(`Expected ${k} to hold ${this.n} values but it holds ${buf.length}`);
      this.buffers[k].set(buf);
    }
    if (!Number.isSafeInteger(s.step) || s.step < 0) throw new RangeError(`Expected step to be an integer >= 0 but received ${s.step}`);
    this.step = s.step;
  }
}

const EMPTY = new Float32Array(0);

/** The default home of optimizer state without a backend: shared memory, as Mlp's default. */
export function allocArena(n: number): Float32Array {
  return sharedF32(n);
}
