/** Comparisons of ONNX Runtime outputs with native-mlp's: absolute for probabilities, relative for values. */
import { expect } from 'vitest';

/** |a - b| <= tol everywhere; the message names the first element that differs. */
export function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  expect(a.length, `${what}: length`).toBe(b.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= worst)) [worst, at] = [d, i];
  }
  expect(worst, `${what}: largest difference at ${at} (${a[at]} vs ${b[at]})`).toBeLessThanOrEqual(tol);
}

/** |a - b| <= tol * max(|b|, 1e-3) everywhere: relative, with a floor for values near zero. */
export function expectRelClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  expect(a.length, `${what}: length`).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= tol * Math.max(Math.abs(b[i]), 1e-3)))
      expect.fail(`${what}[${i}]: ${a[i]} vs ${b[i]} (relative difference ${d / Math.abs(b[i])})`);
  }
}
