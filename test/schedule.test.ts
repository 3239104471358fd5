/** Each schedule's learning-rate sequence, epoch by epoch. */
import { expect, it } from 'vitest';
import { DEFAULT_SCHEDULE, Schedule, type ScheduleConfig } from '../src/optim/schedule.js';

const seq = (s: Schedule, n: number) => Array.from({ length: n }, (_, i) => s.lrFor(i + 1));
const make = (c: Partial<ScheduleConfig>, epochs = 8, lr = 0.1) => new Schedule(lr, { ...DEFAULT_SCHEDULE, ...c }, epochs);

it('constant keeps lr; warm-up rises linearly to it', () => {
  expect(seq(make({}), 4)).toEqual([0.1, 0.1, 0.1, 0.1]);
  const w = seq(make({ warmup: 3 }), 5);
  [0.025, 0.05, 0.075, 0.1, 0.1].forEach((v, i) => expect(w[i]).toBeCloseTo(v, 12));
});

it('step multiplies by gamma every N epochs (after warm-up)', () => {
  const s = seq(make({ schedule: 'step', stepEvery: 2, stepGamma: 0.1 }), 6);
  [0.1, 0.1, 0.01, 0.01, 0.001, 0.001].forEach((v, i) => expect(s[i]).toBeCloseTo(v, 12));
  const w = seq(make({ schedule: 'step', stepEvery: 1, stepGamma: 0.5, warmup: 1 }), 4);
  [0.05, 0.1, 0.05, 0.025].forEach((v, i) => expect(w[i]).toBeCloseTo(v, 12));
});

it("cosine follows PyTorch's CosineAnnealingLR (T_max = epochs after warm-up) down towards lrMin", () => {
  const s = seq(make({ schedule: 'cosine', lrMin: 0.01 }, 4), 4);
  const ref = [0, 1, 2, 3].map((t) => 0.01 + (0.09 * (1 + Math.cos((Math.PI * t) / 4))) / 2);
  ref.forEach((v, i) => expect(s[i]).toBeCloseTo(v, 12));
  expect(s[3]).toBeGreaterThan(0.01);
});

it('plateau multiplies by the factor after `patience` epochs without improvement, not below lrMin', () => {
  const s = make({ schedule: 'plateau', plateauFactor: 0.5, plateauPatience: 2, lrMin: 0.03 });
  const losses = [1.0, 0.9, 0.95, 0.91, 0.8, 0.85, 0.85, 0.85, 0.85];
  const lrs: number[] = [];
  losses.forEach((loss, i) => {
    lrs.push(s.lrFor(i + 1));
    s.observe(i + 1, loss);
  });
  expect(lrs).toEqual([0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.03, 0.03]);
  const saved = s.state();
  const t = make({ schedule: 'plateau', plateauFactor: 0.5, plateauPatience: 2, lrMin: 0.03 });
  t.restore(saved);
  expect(t.lrFor(10)).toBe(s.lrFor(10));
});

it('bad settings are refused with the setting named', () => {
  expect(() => make({ schedule: 'linear' as never })).toThrow(/schedule to be one of/);
  expect(() => make({ stepEvery: 0 })).toThrow(/stepEvery/);
  expect(() => make({ plateauFactor: 1 })).toThrow(/plateauFactor/);
});
