/**
 * Gradient check: the backend's backprop against central finite differences of the loss
 * computed in float64 by a plain reference forward pass.
 */
import { expect, it } from 'vitest';
import { backward, forward, Mlp, sgdStep, Workspace } from '../src/nn/mlp.js';
import { forEachBackend } from './helpers/backends.js';
import { randomF32 } from './helpers/random.js';
import { expectCentralDifferences, referenceForward } from './helpers/reference.js';

/** Mean cross-entropy of a ReLU MLP in float64, parameters given as float64. */
function referenceLoss(sizes: number[], params: Float64Array, X: Float32Array, labels: Uint32Array, rows: number): number {
  const h = referenceForward(sizes, params, X, rows);
  const C = sizes[sizes.length - 1];
  let loss = 0;
  for (let i = 0; i < rows; i++) {
    const row = Array.from(h.subarray(i * C, (i + 1) * C));
    const max = Math.max(...row);
    const lse = Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
    loss += lse - row[labels[i]];
  }
  return loss / rows;
}

forEachBackend('gradient check', (be) => {
  it('every parameter of a 3-layer net matches central differences', () => {
    const sizes = [6, 5, 4, 3];
    const rows = 7;
    const net = new Mlp(
      sizes,
      randomF32(new Mlp(sizes).params.length, 11).map((v) => v * 0.8),
    );
    const ws = new Workspace(net, rows);
    ws.X.set(randomF32(rows * sizes[0], 12));
    const labels = Uint32Array.from({ length: rows }, (_, i) => i % 3);
    forward(be, net, ws, rows);
    const loss = backward(be, net, ws, labels, rows);
    const p64 = Float64Array.from(net.params);
    expect(loss / rows).toBeCloseTo(referenceLoss(sizes, p64, ws.X, labels, rows), 5);
    const checked = expectCentralDifferences(p64, ws.grads.params, (p) => referenceLoss(sizes, p, ws.X, labels, rows));
    expect(checked).toBe(6 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3);
  });

  it('backward with the SGD step folded in updates the parameters as backward into grads + sgdStep do', () => {
    const sizes = [9, 7, 5, 4];
    const rows = 11;
    const start = randomF32(new Mlp(sizes).params.length, 21).map((v) => v * 0.5);
    const a = new Mlp(sizes, Float32Array.from(start));
    const b = new Mlp(sizes, Float32Array.from(start));
    const wsA = new Workspace(a, rows);
    const wsB = new Workspace(b, rows);
    const X = randomF32(rows * sizes[0], 22);
    wsA.X.set(X);
    wsB.X.set(X);
    const labels = Uint32Array.from({ length: rows }, (_, i) => (i * 3) % 4);
    forward(be, a, wsA, rows);
    const lossA = backward(be, a, wsA, labels, rows);
    sgdStep(be, a, wsA.grads, 0.3);
    forward(be, b, wsB, rows);
    const lossB = backward(be, b, wsB, labels, rows, { into: 'weights', lr: 0.3 });
    expect(lossB).toBeCloseTo(lossA, 6);
    let moved = 0;
    for (let i = 0; i < start.length; i++) {
      if (!(Math.abs(a.params[i] - b.params[i]) <= 1e-6 * (1 + Math.abs(a.params[i])))) {
        expect.fail(`parameter ${i}: backward + sgdStep gives ${a.params[i]}, folded ${b.params[i]}`);
      }
      if (a.params[i] !== start[i]) moved++;
    }
    expect(moved).toBeGreaterThan(start.length / 2);
  });
});
