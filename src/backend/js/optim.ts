/**
 * The optimizer kernels in TypeScript: the specification of native/optim.cc. Every product and
 * sum is rounded to float32 (Math.fround), in the same order as the C++ float expressions, so
 * both backends give the same bits (sqrt and division are correctly rounded in both).
 */
const f = Math.fround;

/** The smallest normal float32 (FLT_MIN, 2^-126). */
export const FLOAT32_MIN_NORMAL = 2 ** -126;

/**
 * Decaying optimizer state below the smallest normal float32 is stored as +0, in every backend the
 * same way (native/optim_loops.h: flush_tiny): subnormal arithmetic is slow on many CPUs, and an
 * explicit flush, unlike a hardware mode, gives the same bits everywhere. NaN stays NaN.
 */
export function flushTiny(x: number): number {
  return Math.abs(x) < FLOAT32_MIN_NORMAL ? 0 : x;
}

export function momentumUpdate(
  w: Float32Array, g: Float32Array, vel: Float32Array, n: number,
  lr: number, momentum: number, weightDecay: number, nesterov: boolean,
): void {
  const step = f(lr), mu = f(momentum), wd = f(weightDecay);
  for (let i = 0; i < n; i++) {
    const gi = wd === 0 ? g[i] : f(g[i] + f(wd * w[i]));
    let d = gi;
    if (mu !== 0) {
      const vi = flushTiny(f(f(mu * vel[i]) + gi));
      vel[i] = vi;
      d = nesterov ? f(gi + f(mu * vi)) : vi;
    }
    w[i] = w[i] - f(step * d);
  }
}

export function adamUpdate(
  w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, n: number,
  lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, decoupled: boolean, t: number,
): void {
  // Scalars in double, once, as the C++ kernel computes them.
  const c1 = 1 - Math.pow(beta1, t);
  const c2 = 1 - Math.pow(beta2, t);
  const b1 = f(beta1), ob1 = f(1 - beta1), b2 = f(beta2), ob2 = f(1 - beta2), e = f(eps);
  const wd = f(weightDecay), decay = f(1 - lr * weightDecay), step = f(lr / c1), r = f(1 / Math.sqrt(c2));
  const l2 = !decoupled && wd !== 0;
  const shrink = decoupled && wd !== 0;
  for (let i = 0; i < n; i++) {
    let wi = w[i];
    let gi = g[i];
    if (shrink) wi = f(wi * decay);
    if (l2) gi = f(gi + f(wd * wi));
    const mi = flushTiny(f(f(b1 * m[i]) + f(ob1 * gi)));
    const vi = flushTiny(f(f(b2 * v[i]) + f(ob2 * f(gi * gi))));
    m[i] = mi;
    v[i] = vi;
    w[i] = wi - f(step * f(mi / f(f(f(Math.sqrt(vi)) * r) + e)));
  }
}
