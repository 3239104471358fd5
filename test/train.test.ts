/**
 * The notebook's reference table, reproduced on real MNIST. Every backend trains the first
 * epoch; the native backend (fast) also runs all eight epochs and the test set.
 */
import { expect, it } from 'vitest';
import { loadDataSet } from '../src/data/mnist.js';
import { NOTEBOOK_CONFIG, train } from '../src/train/train.js';
import { forEachBackend } from './helpers/backends.js';

/** The notebook's printed table. */
const NOTEBOOK_EPOCHS = [0.9092, 0.927, 0.9388, 0.9466, 0.9544, 0.9592, 0.9628, 0.9674];
const NOTEBOOK_TEST = 0.9633;

const data = loadDataSet();

forEachBackend('notebook reproduction', (be, v) => {
  it('the first epoch reaches 0.9092 within 0.001', () => {
    const r = train(be, data, { ...NOTEBOOK_CONFIG, epochs: 1 });
    expect(Math.abs(r.epochs[0].trainAccuracy - NOTEBOOK_EPOCHS[0])).toBeLessThanOrEqual(0.001);
    expect(r.epochs[0].loss).toBeGreaterThan(0);
  }, 120_000);

  // The whole table once per backend, at the ISA it picks by itself; the first epoch on every ISA.
  if (be.name === 'native' && v.best) {
    it('all eight epochs and the test accuracy match the notebook', () => {
      const r = train(be, data, NOTEBOOK_CONFIG);
      r.epochs.forEach((e, i) => {
        expect(Math.abs(e.trainAccuracy - NOTEBOOK_EPOCHS[i]), `epoch ${i + 1}: ${e.trainAccuracy}`).toBeLessThanOrEqual(0.001);
      });
      expect(r.test).toBeDefined();
      expect(Math.abs(r.test!.testAccuracy - NOTEBOOK_TEST)).toBeLessThanOrEqual(0.001);
    }, 300_000);
  }
});
