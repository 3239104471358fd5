/**
 * The optimizers' explicit flush: velocity and Adam's moments below the smallest normal float32
 * are stored as +0 in every backend, and a long run whose gradients die out (the state decaying
 * through the subnormal range, as it does for dead units) leaves the same bits in the weights and
 * the state on every backend, ISA and thread count. Without the flush, m reaches subnormals within
 * a few hundred steps of a zero gradient. Native computes with flush-to-zero and
 * denormals-are-zero (native/platform/fp_mode.h), which the TypeScript twins emulate operation by operation:
 * the tiny gradients and weights here put results below FLT_MIN through every operation.
 */
import { expect, it } from 'vitest';
import type { Backend } from '../src/backend/contract.js';
import { FLOAT32_MIN_NORMAL } from '../src/backend/js/optim.js';
import { DEFAULT_OPTIMIZER, Optimizer, type OptimizerConfig } from '../src/optim/optimizer.js';
import { forEachBackend } from './helpers/backends.js';
import { randomF32 } from './helpers/random.js';

const N = 70_001; // past the native split threshold (64k), so 2 threads split the arena
const STEPS = 450;

const isSubnormal = (x: number) => x !== 0 && Math.abs(x) < FLOAT32_MIN_NORMAL;

/** Gradients that stop: element i gets base[i] * scale until step stop[i], then exactly 0. */
const base = randomF32(N, 11);
const stop = Uint32Array.from(randomF32(N, 12), (x) => Math.floor((x + 1) * 100));
/**
 * Three quarters tiny: their moments reach the limit within the run, their squares underflow
 * (v), and the last quarter is subnormal itself (read as 0 by native's denormals-are-zero, which
 * the TypeScript twin emulates).
 */
const scale = Float32Array.from({ length: N }, (_, i) => [1, 1e-18, 1e-30, 1e-39][i % 4]);

function gradient(g: Float32Array, t: number): void {
  for (let i = 0; i < N; i++) g[i] = t < stop[i] ? base[i] * scale[i] : 0;
}

function longRun(be: Backend, c: OptimizerConfig) {
  const w = be.alloc(N);
  w.set(randomF32(N, 13).map((x, i) => (i % 11 === 0 ? x * 1e-39 : x))); // some subnormal weights
  const g = be.alloc(N);
  const opt = new Optimizer(c, N, be.alloc);
  let subnormalSeen = 0;
  for (let t = 0; t < STEPS; t++) {
    gradient(g, t);
    opt.update(be, w, g, 0.01);
    if (t % 100 === 99) {
      for (const buf of Object.values(opt.buffers)) for (let i = 0; i < N; i += 3) if (isSubnormal(buf[i])) subnormalSeen++;
    }
  }
  return { w, buffers: opt.buffers, subnormalSeen };
}

const CASES: [string, Partial<OptimizerConfig>][] = [
  ['adam', { optimizer: 'adam' }],
  ['adam, beta2 0.9 (v decays within the run too)', { optimizer: 'adam', beta2: 0.9 }],
  ['adam + L2', { optimizer: 'adam', weightDecay: 1e-4 }],
  ['adamw', { optimizer: 'adamw', weightDecay: 1e-2 }],
  ['momentum', { optimizer: 'momentum', momentum: 0.9 }],
  ['nesterov', { optimizer: 'nesterov', momentum: 0.8 }],
];

const first = new Map<string, Record<string, Uint8Array>>();
const bytes = (x: Float32Array) => new Uint8Array(x.buffer, x.byteOffset, x.byteLength);

forEachBackend(
  'optimizer state flush',
  (be, variant) => {
    for (const [title, partial] of CASES) {
      it(`${title}: ${STEPS} steps of dying gradients, no subnormal state, same bits everywhere`, () => {
        const c = { ...DEFAULT_OPTIMIZER, ...partial };
        const r = longRun(be, c);
        expect(r.subnormalSeen, 'subnormal state stored').toBe(0);
        for (const [name, buf] of Object.entries(r.buffers)) {
          let bad = -1;
          for (let i = 0; i < N && bad < 0; i++) if (isSubnormal(buf[i])) bad = i;
          expect(bad, `${name}[${bad}] = ${buf[bad]}`).toBe(-1);
          // The run reaches the flush: state that was non-zero decayed to exactly 0 (not with L2,
          // whose gradient wd * w never dies).
          let flushed = 0;
          for (let i = 0; i < N; i++) if (buf[i] === 0 && stop[i] > 0 && scale[i] !== 1) flushed++;
          if (c.optimizer !== 'adam' || c.weightDecay === 0) expect(flushed, `${name}: entries decayed to 0`).toBeGreaterThan(10_000);
        }
        const got: Record<string, Uint8Array> = { w: bytes(r.w) };
        for (const [name, buf] of Object.entries(r.buffers)) got[name] = bytes(buf);
        const want = first.get(title);
        if (!want) first.set(title, Object.fromEntries(Object.entries(got).map(([k, v]) => [k, v.slice()])));
        else for (const k of Object.keys(got)) expect(Buffer.compare(got[k], want[k]), `${k} on ${variant.label}`).toBe(0);
      }, 60_000);
    }

    it('one step: state just above the limit decays below it and is stored as +0 (never -0)', () => {
      const n = 4;
      const w = be.alloc(n).fill(0.5);
      const g = be.alloc(n); // zero gradients: the state only decays
      const m = be.alloc(n);
      const v = be.alloc(n);
      m.set([1.05 * FLOAT32_MIN_NORMAL, -1.05 * FLOAT32_MIN_NORMAL, 2 * FLOAT32_MIN_NORMAL, 1e-30]);
      v.set([1.0005 * FLOAT32_MIN_NORMAL, 1e-30, 1e-30, 1e-30]);
      be.adamUpdate(w, g, m, v, n, 0.001, 0.9, 0.999, 1e-8, 0, false, 5);
      expect(Object.is(m[0], 0) && Object.is(m[1], 0), `m ${m[0]} ${m[1]}`).toBe(true);
      expect(m[2]).toBe(Math.fround(0.9) * 2 * FLOAT32_MIN_NORMAL); // 0.9 m, still normal: kept
      expect(Object.is(v[0], 0), `v ${v[0]}`).toBe(true);
      const vel = be.alloc(n);
      vel.set([-1.05 * FLOAT32_MIN_NORMAL, 1.05 * FLOAT32_MIN_NORMAL, 1, 0]);
      be.momentumUpdate(w, g, vel, n, 0.1, 0.9, 0, false);
      expect(Object.is(vel[0], 0) && Object.is(vel[1], 0), `velocity ${vel[0]} ${vel[1]}`).toBe(true);
      expect(vel[2]).toBe(Math.fround(0.9));
      // FLT_MIN x (1 - 2^-24) = FLT_MIN - 2^-150 exactly: IEEE rounds it up to FLT_MIN (a tie to even),
      // flush-to-zero calls it tiny and writes 0; the TypeScript twin does what native does.
      const one = be.alloc(1);
      one[0] = FLOAT32_MIN_NORMAL;
      be.momentumUpdate(w.subarray(0, 1), g.subarray(0, 1), one, 1, 0.1, 1 - 2 ** -24, 0, false);
      expect(one[0]).toBe(0);
    });
  },
  { threads: [1, 2] },
);
