/**
 * The notebook's table on the WASM backend (the committed wasm/native-mlp.wasm, no compiler
 * needed): all eight epochs within 0.001 and the test accuracy within 0.10 points; and training
 * with 2 worker threads gives bit-identical weights to 1 thread.
 */
import { expect, it } from 'vitest';
import type { Backend } from '../src/backend/contract.js';
import { loadWasm } from '../src/backend/wasm/load.js';
import { loadDataSet } from '../src/data/mnist.js';
import { NOTEBOOK_CONFIG, train } from '../src/train/train.js';

const NOTEBOOK_EPOCHS = [0.9092, 0.927, 0.9388, 0.9466, 0.9544, 0.9592, 0.9628, 0.9674];
const NOTEBOOK_TEST = 0.9633;

const be = loadWasm().backend as Backend;
const data = loadDataSet();

it('train --backend wasm reproduces the notebook table and test accuracy', () => {
  expect(be).not.toBeNull();
  be.setThreads(1);
  const r = train(be, data, NOTEBOOK_CONFIG);
  r.epochs.forEach((e, i) => {
    expect(Math.abs(e.trainAccuracy! - NOTEBOOK_EPOCHS[i]), `epoch ${i + 1}: ${e.trainAccuracy}`).toBeLessThanOrEqual(0.001);
  });
  expect(Math.abs(r.test!.testAccuracy! - NOTEBOOK_TEST)).toBeLessThanOrEqual(0.001);
  // The caller's network comes back trained (it was trained on a copy in WASM memory).
  expect(be.holds(r.net.params)).toBe(false);
}, 900_000);

it('2 threads train the same weights as 1, bit for bit', async () => {
  const cfg = { ...NOTEBOOK_CONFIG, epochs: 1 };
  be.setThreads(1);
  const one = train(be, data, cfg).net.params;
  be.setThreads(2);
  await new Promise((r) => setTimeout(r, 500)); // let the workers boot
  const two = train(be, data, cfg).net.params;
  be.setThreads(1);
  expect(Buffer.from(two.buffer, two.byteOffset, two.byteLength).equals(Buffer.from(one.buffer, one.byteOffset, one.byteLength))).toBe(
    true,
  );
}, 300_000);
