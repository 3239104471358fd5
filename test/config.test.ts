/**
 * The training config's checks: each bad setting gets a RangeError that names it, including
 * settings a JavaScript caller left out (TrainConfig requires them, JavaScript does not).
 */
import { describe, expect, it } from 'vitest';
import { checkConfig, NOTEBOOK_CONFIG, type TrainConfig } from '../src/train/config.js';

describe('checkConfig', () => {
  it('accepts the notebook settings', () => {
    expect(() => checkConfig(NOTEBOOK_CONFIG)).not.toThrow();
  });

  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['epochs 0', { epochs: 0 }, /epochs to be an integer >= 1 but received 0/],
    ['batch 1.5', { batch: 1.5 }, /batch to be an integer >= 1 but received 1.5/],
    ['lr NaN', { lr: NaN }, /lr to be a finite number > 0/],
    ['hidden left out', { hidden: undefined }, /hidden to be sizes >= 1 but received undefined/],
    ['hidden not an array', { hidden: 128 }, /hidden to be sizes >= 1 but received 128/],
    ['hidden with a zero', { hidden: [128, 0] }, /hidden to be sizes >= 1 but received \[128,0\]/],
    ['seed -1', { seed: -1 }, /seed to be an integer >= 0/],
  ];
  it.each(bad)('names the bad setting: %s', (_, change, message) => {
    const config = { ...NOTEBOOK_CONFIG, ...change } as unknown as TrainConfig;
    expect(() => checkConfig(config)).toThrow(RangeError);
    expect(() => checkConfig(config)).toThrow(message);
  });
});
