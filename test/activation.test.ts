/**
 * The activation kernels (biasAct, actBackward) on every backend and instruction set: against
 * float64 references written here with Math's functions, bit for bit against the TypeScript
 * backend (the specification), ReLU through biasAct as biasRelu, aliasing and argument errors,
 * and a gradient check of a network per activation against central differences.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ACTIVATIONS, activationCode, type Activation } from '../src/backend/activation.js';
import { jsBackend } from '../src/backend/js/index.js';
import { backward, forward, Mlp, Workspace } from '../src/nn/mlp.js';
import { decodeModel, encodeModel } from '../src/model/safetensors.js';
import { encodeNpz } from '../src/model/npz.js';
import { forEachBackend } from './helpers/backends.js';
import { fit } from '../src/train/fit.js';
import { predictRows } from '../src/infer/predict.js';
import { loadModel, saveModel } from '../src/model/index.js';
import { randomF32 } from './helpers/random.js';
import { expectCentralDifferences, referenceForward } from './helpers/reference.js';

const C = Math.sqrt(2 / Math.PI);
const gelu = (x: number) => (x === -Infinity ? 0 : 0.5 * x * (1 + Math.tanh(C * (x + 0.044715 * x ** 3))));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** Each activation and its derivative in float64, from Math (not from src/). */
const REF: Record<Activation, { f: (x: number) => number; d: (x: number) => number }> = {
  relu: { f: (x) => Math.max(x, 0), d: (x) => (x > 0 ? 1 : 0) },
  leaky_relu: { f: (x) => (x > 0 ? x : 0.01 * x), d: (x) => (x > 0 ? 1 : 0.01) },
  tanh: { f: Math.tanh, d: (x) => 1 - Math.tanh(x) ** 2 },
  sigmoid: { f: sigmoid, d: (x) => sigmoid(x) * (1 - sigmoid(x)) },
  gelu: { f: gelu, d: (x) => (gelu(x + 1e-6) - gelu(x - 1e-6)) / 2e-6 },
  identity: { f: (x) => x, d: () => 1 },
};

/** Inputs over the interesting range: small, ordinary, saturating and extreme values. */
function inputs(n: number, seed: number): Float32Array {
  const x = randomF32(n, seed, 6);
  const special = [0, -0, 1e-30, -1e-30, 1e-7, -1e-7, 30, -30, 100, -100, 130, -130, 3e38, -3e38, Infinity, -Infinity];
  special.forEach((v, i) => (x[i] = v));
  return x;
}

const tmp = mkdtempSync(join(tmpdir(), 'nmlp-activation-'));

const sameBits = (a: Float32Array, b: Float32Array, what: string) => {
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) expect.fail(`${what}: element ${i} is ${a[i]}, the TypeScript backend gives ${b[i]}`);
  }
};

forEachBackend('activation kernels', (be) => {
  const rows = 23;
  const cols = 17;

  for (const name of ACTIVATIONS) {
    const act = activationCode(name);

    it(`biasAct ${name}: the float64 value within one float32 rounding, and the TypeScript backend's bits`, () => {
      const u0 = inputs(rows * cols, 3 + act);
      const bias = new Float32Array(cols); // zero bias keeps the special inputs as they are
      bias.set(randomF32(cols - 4, 9), 4);
      const u = Float32Array.from(u0);
      const h = new Float32Array(rows * cols).fill(NaN);
      be.biasAct(h, u, bias, rows, cols, act);
      for (let i = 0; i < u.length; i++) {
        const v = Math.fround(u0[i] + bias[i % cols]);
        expect(Object.is(u[i], v) || (u[i] === 0 && v === 0)).toBe(true);
        const want = REF[name].f(v);
        const tol = 2 ** -23 * Math.abs(want) + 1e-44;
        // Results below the smallest normal float32 are flushed to zero on every backend (activation.ts).
        const flushed = Math.abs(want) < 2 ** -126 && h[i] === 0;
        if (!flushed && !(Math.abs(h[i] - want) <= tol) && !(Number.isNaN(want) && Number.isNaN(h[i])) && h[i] !== want) {
          expect.fail(`${name}(${v}) = ${h[i]}, float64 ${want}`);
        }
      }
      const uJs = Float32Array.from(u0);
      const hJs = new Float32Array(rows * cols);
      jsBackend.biasAct(hJs, uJs, bias, rows, cols, act);
      sameBits(h, hJs, `${name} h`);
      // In place: h may be u.
      const inPlace = Float32Array.from(u0);
      be.biasAct(inPlace, inPlace, bias, rows, cols, act);
      sameBits(inPlace, hJs, `${name} in place`);
    });

    it(`actBackward ${name}: dy * act'(u) within float32 rounding, and the TypeScript backend's bits`, () => {
      const n = rows * cols;
      const u = randomF32(n, 40 + act, 5);
      const h = new Float32Array(n);
      be.biasAct(h, Float32Array.from(u), new Float32Array(1), n, 1, act);
      const dy = randomF32(n, 50 + act);
      const dx = new Float32Array(n).fill(NaN);
      be.actBackward(dx, dy, u, h, n, act);
      for (let i = 0; i < n; i++) {
        const want = dy[i] * REF[name].d(u[i]);
        // tanh and sigmoid use the float32 output h: a few float32 roundings of the scale of dy.
        if (!(Math.abs(dx[i] - want) <= 4e-7 * Math.abs(dy[i]) + 1e-6 * Math.abs(want))) {
          expect.fail(`${name}' at u = ${u[i]}: dx ${dx[i]}, float64 ${want}`);
        }
      }
      const dxJs = new Float32Array(n);
      jsBackend.actBackward(dxJs, dy, u, h, n, act);
      sameBits(dx, dxJs, `${name} dx`);
      const inPlace = Float32Array.from(dy);
      be.actBackward(inPlace, inPlace, u, h, n, act);
      sameBits(inPlace, dxJs, `${name} dx in place`);
    });
  }

  it('biasAct and actBackward with relu give biasRelu and reluBackward bit for bit', () => {
    const u0 = inputs(rows * cols, 77);
    const bias = randomF32(cols, 78);
    const [u1, u2] = [Float32Array.from(u0), Float32Array.from(u0)];
    const [h1, h2] = [new Float32Array(u0.length), new Float32Array(u0.length)];
    be.biasRelu(h1, u1, bias, rows, cols);
    be.biasAct(h2, u2, bias, rows, cols, activationCode('relu'));
    sameBits(h2, h1, 'h');
    const dy = randomF32(u0.length, 79);
    const [d1, d2] = [new Float32Array(u0.length), new Float32Array(u0.length)];
    be.reluBackward(d1, dy, u1, u0.length);
    be.actBackward(d2, dy, u2, h2, u0.length, activationCode('relu'));
    sameBits(d2, d1, 'dx');
  });

  it('refuses unknown codes, short arrays and partial overlaps, naming the argument', () => {
    const f = (n: number) => new Float32Array(n);
    expect(() => be.biasAct(f(6), f(6), f(3), 2, 3, 6)).toThrow(/act/);
    expect(() => be.biasAct(f(6), f(6), f(3), 2, 3, -1)).toThrow(/act/);
    expect(() => be.biasAct(f(6), f(6), f(3), 2, 3, 1.5)).toThrow(/act/);
    expect(() => be.biasAct(f(5), f(6), f(3), 2, 3, 2)).toThrow(/h/);
    expect(() => be.biasAct(f(6), f(6), f(2), 2, 3, 2)).toThrow(/bias/);
    expect(() => be.actBackward(f(4), f(4), f(3), f(4), 4, 2)).toThrow(/u/);
    const shared = f(10);
    expect(() => be.biasAct(shared.subarray(1, 7), shared.subarray(0, 6), f(3), 2, 3, 2)).toThrow(/overlap/);
    expect(() => be.actBackward(shared.subarray(2, 6), shared.subarray(0, 4), f(4), f(4), 4, 3)).toThrow(/overlap/);
  });

  for (const name of ACTIVATIONS) {
    it(`gradient check: a 3-layer ${name} net matches central differences`, () => {
      const sizes = [5, 6, 4, 3];
      const rows = 6;
      const count = new Mlp(sizes).params.length;
      const net = new Mlp(
        sizes,
        randomF32(count, 60 + activationCode(name)).map((v) => v * 0.9),
        undefined,
        name,
      );
      const ws = new Workspace(net, rows);
      ws.X.set(randomF32(rows * sizes[0], 61));
      const labels = Uint32Array.from({ length: rows }, (_, i) => i % 3);
      const loss = (p: Float64Array) => {
        const out = referenceForward(sizes, p, ws.X, rows, REF[name].f);
        let sum = 0;
        for (let i = 0; i < rows; i++) {
          const row = Array.from(out.subarray(i * 3, i * 3 + 3));
          const max = Math.max(...row);
          sum += Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) + max - row[labels[i]];
        }
        return sum / rows;
      };
      forward(be, net, ws, rows);
      const got = backward(be, net, ws, labels, rows);
      const p64 = Float64Array.from(net.params);
      expect(got / rows).toBeCloseTo(loss(p64), 5);
      expect(expectCentralDifferences(p64, ws.grads.params, loss)).toBe(count);
    });
  }

  it('every activation, and a list of them, predicts the same bits after a save and load', () => {
    const sizes = [4, 6, 5, 3];
    const X = randomF32(9 * 4, 90);
    const specs: (Activation | Activation[])[] = [...ACTIVATIONS, ['gelu', 'tanh']];
    for (const spec of specs) {
      const count = new Mlp(sizes).params.length;
      const net = new Mlp(sizes, randomF32(count, 91), undefined, spec);
      const bytes = encodeModel(net);
      const loaded = decodeModel(bytes, 'm.safetensors');
      expect(loaded.metadata.activation).toBe(Array.isArray(spec) ? spec.join(',') : spec);
      expect(loaded.net.activations).toEqual(net.activations);
      const run = (n: Mlp) => {
        const ws = new Workspace(n, 9);
        ws.X.set(X);
        return Float32Array.from(forward(be, n, ws, 9));
      };
      sameBits(run(loaded.net), run(net), `${spec} after load`);
    }
  });
});

forEachBackend('activations through a model file', (be) => {
  it('every activation, and a list of them, predicts raw rows the same bits after saveModel and loadModel', async () => {
    const x = Array.from({ length: 30 }, (_, i) => [(i % 3) + 0.1 * (i % 7), ((i * 7) % 5) - 2, Math.sin(i), i % 2]);
    const y = x.map((_, i) => ['a', 'b', 'c'][i % 3]);
    const specs: (Activation | Activation[])[] = [...ACTIVATIONS, ['gelu', 'tanh']];
    for (const spec of specs) {
      const r = await fit({ x, y }, { backend: be, hidden: [6, 5], activation: spec, epochs: 4, batch: 8, lr: 0.05 });
      const file = join(tmp, `${be.name}-${String(spec)}.safetensors`);
      saveModel(file, r.net, {}, r.model);
      const loaded = loadModel(file);
      expect(loaded.net.activations).toEqual(r.net.activations);
      const before = predictRows(be, r.model, x);
      const after = predictRows(be, loaded, x);
      if (before.task !== 'classify' || after.task !== 'classify') throw new Error('expected class predictions');
      sameBits(after.probabilities, before.probabilities, `${spec} after loadModel`);
    }
  }, 120_000);
});

it('an .npz (arrays only, loaded as relu) refuses a net with another activation', () => {
  expect(() => encodeNpz(new Mlp([3, 4, 2], undefined, undefined, 'tanh'))).toThrow(/save it as \.safetensors/);
  expect(encodeNpz(new Mlp([3, 4, 2])).length).toBeGreaterThan(0);
});

it('a model file with an unknown activation, or a list of the wrong length, is refused naming it', () => {
  const bytes = encodeModel(new Mlp([3, 4, 2]));
  const edit = (value: string) => {
    const text = new TextDecoder().decode(bytes);
    return new TextEncoder().encode(
      text.replace('"activation":"relu"', `"activation":"${value}"`.padEnd('"activation":"relu"'.length, ' ')),
    );
  };
  expect(() => decodeModel(edit('swish'), 'm.safetensors')).toThrow(/activation "swish" is not supported/);
  expect(() => decodeModel(edit('tanh,relu'), 'm.safetensors')).toThrow(/activation "tanh,relu" is not supported/);
});
