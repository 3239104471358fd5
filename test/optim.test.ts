/**
 * The optimizer kernels against a float64 reference of PyTorch's documented update rules
 * (torch.optim.SGD, Adam, AdamW), over several steps, with and without weight decay, on every
 * backend and ISA, at 1 and 2 threads (an arena large enough for the native kernel to split it;
 * the helpers set the native pool to 'always', so 2 threads really split).
 */
import { expect, it } from 'vitest';
import type { Backend } from '../src/backend/contract.js';
import { DEFAULT_OPTIMIZER, Optimizer, type OptimizerConfig } from '../src/optim/optimizer.js';
import { forEachBackend } from './helpers/backends.js';
import { randomF32 } from './helpers/random.js';

const STEPS = 6;
const N = 150_001; // > 2 x 64k, not a multiple of the 16-float split unit

/** PyTorch's rules in float64 (torch/optim/sgd.py, adam.py, adamw.py docs). */
function reference(c: OptimizerConfig, w0: Float32Array, grads: Float32Array[], lrs: number[]): Float64Array {
  const w = Float64Array.from(w0);
  const n = w.length;
  const buf = new Float64Array(n);
  const m = new Float64Array(n);
  const v = new Float64Array(n);
  grads.forEach((g32, s) => {
    const t = s + 1;
    const lr = lrs[s];
    const wd = c.weightDecay;
    for (let i = 0; i < n; i++) {
      let g = g32[i];
      if (c.optimizer === 'adamw') w[i] *= 1 - lr * wd;
      else if (wd !== 0) g += wd * w[i];
      if (c.optimizer === 'sgd') w[i] -= lr * g;
      else if (c.optimizer === 'momentum' || c.optimizer === 'nesterov') {
        buf[i] = t === 1 ? g : c.momentum * buf[i] + g;
        w[i] -= lr * (c.optimizer === 'nesterov' ? g + c.momentum * buf[i] : buf[i]);
      } else {
        m[i] = c.beta1 * m[i] + (1 - c.beta1) * g;
        v[i] = c.beta2 * v[i] + (1 - c.beta2) * g * g;
        const mhat = m[i] / (1 - c.beta1 ** t);
        const vhat = v[i] / (1 - c.beta2 ** t);
        w[i] -= (lr * mhat) / (Math.sqrt(vhat) + c.eps);
      }
    }
  });
  return w;
}

function run(be: Backend, c: OptimizerConfig, w0: Float32Array, grads: Float32Array[], lrs: number[]): Float32Array {
  const w = Float32Array.from(w0);
  const opt = new Optimizer(c, w.length);
  grads.forEach((g, s) => opt.update(be, w, g, lrs[s]));
  expect(opt.step).toBe(STEPS);
  return w;
}

const w0 = randomF32(N, 1);
const grads = Array.from({ length: STEPS }, (_, s) => randomF32(N, 100 + s).map((x) => x * (s % 2 ? 0.3 : 1)));
const lrs = [0.05, 0.05, 0.04, 0.03, 0.02, 0.01];

const CASES: [string, Partial<OptimizerConfig>][] = [
  ['sgd', { optimizer: 'sgd' }],
  ['sgd + L2', { optimizer: 'sgd', weightDecay: 0.1 }],
  ['momentum', { optimizer: 'momentum', momentum: 0.9 }],
  ['momentum + L2', { optimizer: 'momentum', momentum: 0.8, weightDecay: 0.05 }],
  ['nesterov', { optimizer: 'nesterov', momentum: 0.9 }],
  ['nesterov + L2', { optimizer: 'nesterov', momentum: 0.9, weightDecay: 0.05 }],
  ['adam', { optimizer: 'adam' }],
  ['adam + L2', { optimizer: 'adam', weightDecay: 0.1 }],
  ['adam, other betas', { optimizer: 'adam', beta1: 0.5, beta2: 0.9, eps: 1e-3 }],
  ['adamw', { optimizer: 'adamw' }],
  ['adamw + decoupled decay', { optimizer: 'adamw', weightDecay: 0.1 }],
];

/** The first variant's result per case: every backend, ISA and thread count must give the same bits. */
const results = new Map<string, Float32Array>();

forEachBackend(
  'optimizer updates',
  (be, variant) => {
    for (const [title, partial] of CASES) {
      const c = { ...DEFAULT_OPTIMIZER, ...partial };
      it(`${title}: ${STEPS} steps match PyTorch's rule in float64; same bits on every backend and thread count`, () => {
        const ref = reference(c, w0, grads, lrs);
        const w = run(be, c, w0, grads, lrs);
        for (let i = 0; i < N; i++) {
          const err = Math.abs(w[i] - ref[i]);
          if (!(err <= 2e-6 + 2e-6 * Math.abs(ref[i]))) {
            expect.fail(`${variant.label}, parameter ${i}: kernel ${w[i]}, float64 reference ${ref[i]} (start ${w0[i]})`);
          }
        }
        // The TypeScript twin rounds each float32 step as the C++ does, and elements are independent.
        const first = results.get(title);
        if (first) expect(Buffer.from(w.buffer).equals(Buffer.from(first.buffer)), variant.label).toBe(true);
        else results.set(title, w);
      });
    }

    it('refuses overlapping arrays, a step of 0, and velocity too short when momentum is on', () => {
      const a = new Float32Array(8);
      const g = new Float32Array(8);
      expect(() => be.momentumUpdate(a, a.subarray(2), g, 4, 0.1, 0.9, 0, false)).toThrow(/w and g not to overlap/);
      expect(() => be.momentumUpdate(a, g, new Float32Array(2), 4, 0.1, 0.9, 0, false)).toThrow(/velocity to hold at least 4/);
      be.momentumUpdate(a, g, new Float32Array(0), 4, 0.1, 0, 0, false); // velocity unused without momentum
      expect(() => be.adamUpdate(a, g, new Float32Array(4), new Float32Array(4), 4, 0.1, 0.9, 0.999, 1e-8, 0, false, 0)).toThrow(/step/);
      expect(() => be.adamUpdate(a, g, a, new Float32Array(4), 4, 0.1, 0.9, 0.999, 1e-8, 0, false, 1)).toThrow(/overlap/);
      expect(() => be.adamUpdate(a, g, new Float32Array(4), new Float32Array(4), 4, NaN, 0.9, 0.999, 1e-8, 0, false, 1)).toThrow(/lr/);
    });
  },
  { threads: [1, 2] },
);

it('optimizer settings are checked with the setting named', () => {
  expect(() => new Optimizer({ ...DEFAULT_OPTIMIZER, optimizer: 'rmsprop' as never }, 4)).toThrow(/optimizer to be one of sgd/);
  expect(() => new Optimizer({ ...DEFAULT_OPTIMIZER, beta2: 1 }, 4)).toThrow(/beta2/);
  expect(() => new Optimizer({ ...DEFAULT_OPTIMIZER, weightDecay: -1 }, 4)).toThrow(/weightDecay/);
});
