/**
 * ONNX export checked in onnxruntime-node: each exported model runs there and must give
 * native-mlp's own predictions (labels identical, probabilities within 1e-5, regression values
 * within 1e-5 relative). MNIST on its 10,000 test images; tables through their pipelines
 * (onnx.pipeline.test.ts).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { loadDataSet } from '../src/data/mnist.js';
import { encodeOnnx, ExportError, saveOnnx } from '../src/export/onnx.js';
import { predict, predictRows } from '../src/infer/predict.js';
import { fit } from '../src/train/fit.js';
import { loadModel, saveModel } from '../src/model/index.js';
import { NOTEBOOK_CONFIG, train } from '../src/train/train.js';
import { createModel } from '../src/nn/init.js';
import { loadOrt, type Ort, ortMissing } from './helpers/onnxruntime.js';
import { expectClose, expectRelClose } from './helpers/onnx-compare.js';

const ort = await loadOrt();
const dir = mkdtempSync(join(tmpdir(), 'native-mlp-onnx-'));

if (typeof ort === 'string') ortMissing('ONNX export in onnxruntime-node', ort);
else describe('ONNX export in onnxruntime-node', () => onnxSuite(ort));

function onnxSuite(ort: Ort) {
  const backend = selectBackend();

  describe('the MNIST model (raw pixels in, divided by 255 in the graph)', () => {
    const data = loadDataSet();
    let file = '';
    beforeAll(() => {
      const { net } = train(backend, data, { ...NOTEBOOK_CONFIG, epochs: 1, evalImages: 0 });
      const model = join(dir, 'mnist.safetensors');
      saveModel(model, net);
      file = join(dir, 'mnist.onnx');
      saveOnnx(file, loadModel(model));
    }, 120_000);

    it("gives predict()'s labels and probabilities on the 10,000 test images", async () => {
      const session = await ort.InferenceSession.create(file);
      expect(session.inputNames).toEqual(['input']);
      expect(session.outputNames).toEqual(['label', 'probabilities']);
      const { test } = data;
      const model = loadModel(join(dir, 'mnist.safetensors'));
      const ours = predict(backend, model.net, test.inputs);
      const x = Float32Array.from(test.inputs as Uint8Array);
      const out = await session.run({ input: new ort.Tensor('float32', x, [test.count, 784]) });
      expect(out.label.type).toBe('int64');
      expect(Array.from(out.label.data as BigInt64Array, Number)).toEqual(Array.from(ours.labels));
      expectClose(out.probabilities.data as Float32Array, ours.probabilities, 1e-5, 'probabilities');
    }, 60_000);
  });

  /** Rows of a smooth function with some noise, for array-trained models. */
  function arrays(count: number, features: number): number[][] {
    return Array.from({ length: count }, (_, i) =>
      Array.from({ length: features }, (_, j) => Math.sin(i * 0.37 + j * 1.3) * (j + 1) + 10 * j),
    );
  }

  it('a classifier from arrays with class names: string labels, probabilities within 1e-5', async () => {
    const x = arrays(300, 5);
    const y = x.map((r) => (r[0] + r[1] > 11 ? 'high' : r[2] > 21 ? 'mid' : 'low'));
    const { model } = await fit({ x, y }, { hidden: [12, 6], epochs: 30, batch: 16, lr: 0.05, features: ['a', 'b', 'c', 'd', 'e'] });
    const session = await ort.InferenceSession.create(encodeOnnx(model));
    const rows = arrays(200, 5).map((r) => r.map((v) => v * 1.1));
    const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 5]) });
    const ours = predictRows(backend, model, rows);
    if (ours.task !== 'classify') throw new Error('expected a classifier');
    expect(out.label.type).toBe('string');
    expect(out.label.data).toEqual(ours.labels);
    expectClose(out.probabilities.data as Float32Array, ours.probabilities, 1e-5, 'probabilities');
  }, 60_000);

  it("a regression model with two outputs: values in the targets' units within 1e-5 relative", async () => {
    const x = arrays(300, 4);
    const y = x.map((r) => [r[0] * 3 + r[1] * 100, r[2] - r[3] * 0.5 + 1000]);
    const { model } = await fit({ x, y }, { task: 'regress', hidden: [16], epochs: 20, batch: 16, lr: 0.01 });
    const session = await ort.InferenceSession.create(encodeOnnx(model));
    expect(session.outputNames).toEqual(['value']);
    const rows = arrays(100, 4);
    const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 4]) });
    const ours = predictRows(backend, model, rows);
    if (ours.task !== 'regress') throw new Error('expected regression');
    expect(out.value.dims).toEqual([100, 2]);
    expectRelClose(out.value.data as Float32Array, ours.values, 1e-5, 'value');
  }, 60_000);

  it('writes the file atomically and refuses a folder as the target', () => {
    const net = createModel({ sizes: [4, 3, 2] });
    const file = join(dir, 'small.onnx');
    saveOnnx(file, { net });
    expect(readFileSync(file)).toEqual(Buffer.from(encodeOnnx({ net })));
    expect(() => saveOnnx(dir, { net })).toThrow(/not a regular file/);
    expect(existsSync(file)).toBe(true);
  });

  it('refuses an activation it cannot express, naming the layer', () => {
    // A network object whose list names an activation no graph here can express (Mlp itself refuses one).
    const net = Object.assign(Object.create(createModel({ sizes: [4, 3, 2] })), { activations: ['softplus'] });
    expect(() => encodeOnnx({ net })).toThrow(ExportError);
    expect(() => encodeOnnx({ net })).toThrow(/hidden layer 1: activation "softplus"/);
  });
}
