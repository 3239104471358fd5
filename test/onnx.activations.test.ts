/**
 * Every hidden-layer activation the library trains with (issue 22), exported and run in
 * onnxruntime-node: labels identical to predictRows, probabilities within 1e-5; one per-layer
 * list and a regression model too. Skipped, naming why, in a tree without activations.
 */
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { encodeOnnx } from '../src/export/onnx.js';
import { predictRows } from '../src/infer/predict.js';
import { fit, type FitOptions } from '../src/train/fit.js';
import { loadOrt, type Ort, ortMissing } from './helpers/onnxruntime.js';
import { expectClose, expectRelClose } from './helpers/onnx-compare.js';

const ort = await loadOrt();
// Imported by a computed path: in a tree without issue 22's activations this file skips instead of failing to compile.
const activationModule = '../src/backend/activation.js';
const activations = ((await import(activationModule).catch(() => undefined)) as { ACTIVATIONS?: readonly string[] } | undefined)
  ?.ACTIVATIONS;

if (typeof ort === 'string') ortMissing('ONNX export of every activation', ort);
else if (!activations)
  describe.skip('ONNX export of every activation skipped: this tree has no src/backend/activation.ts', () =>
    it('needs activations', () => {}));
else describe('ONNX export of every activation in onnxruntime-node', () => suite(ort, activations));

function suite(ort: Ort, names: readonly string[]) {
  const backend = selectBackend();
  const x = Array.from({ length: 240 }, (_, i) => Array.from({ length: 6 }, (_, j) => Math.sin(i * 0.31 + j * 0.9) * (1 + j)));
  const classes = x.map((r) => (r[0] + r[1] > 0.5 ? 'up' : r[2] - r[3] > 0 ? 'flat' : 'down'));
  const rows = x.map((r) => r.map((v) => v * 1.3 - 0.2));
  const input = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 6]);

  async function check(activation: string, task: 'classify' | 'regress') {
    const y = task === 'classify' ? classes : x.map((r) => r[0] * 10 + r[5] * r[4] + 100);
    const { model } = await fit({ x, y }, {
      task,
      hidden: [10, 6],
      epochs: 20,
      batch: 16,
      lr: 0.01,
      optimizer: 'adam',
      activation,
    } as FitOptions);
    expect((model.net as unknown as { activations: string[] }).activations.join(',')).toBe(
      activation.includes(',') ? activation : `${activation},${activation}`,
    );
    const out = await (await ort.InferenceSession.create(encodeOnnx(model))).run({ input });
    const ours = predictRows(backend, model, rows);
    if (ours.task === 'classify') {
      expect(out.label.data).toEqual(ours.labels);
      expectClose(out.probabilities.data as Float32Array, ours.probabilities, 1e-5, `${activation} probabilities`);
    } else expectRelClose(out.value.data as Float32Array, ours.values, 1e-5, `${activation} value`);
  }

  for (const name of names) it(`${name}: classification`, () => check(name, 'classify'), 60_000);
  it('a list per layer (tanh,gelu): classification', () => check('tanh,gelu', 'classify'), 60_000);
  it("sigmoid,leaky_relu: regression in the targets' units", () => check('sigmoid,leaky_relu', 'regress'), 60_000);
}
