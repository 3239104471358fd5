/**
 * The optimizer kernels in TypeScript: the specification of native/optim.cc. Every product and
 * sum is rounded to float32 (Math.fround), in the same order as the C++ float expressions, so
 * both backends give the same bits (sqrt and division are correctly rounded in both).
 */
const f = Math.fround;

export function momentumUpdate(
  w: Float32Array, g: Float32Array, vel: Float32Array, n: number,
  lr: number, momentum: number, weightDecay: number, nesterov: boolean,
): void {
  const step = f(lr), mu = f(momentum), wd = f(weightDecay);
  for (let i = 0; i < n; i++) {
    const gi = wd === 0 ? g[i] : f(g[i] + f(wd * w[i]));
    let d = gi;
    if (mu !== 0) {
      const vi = f(f(mu * vel[i]) + gi);
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
    const mi = f(f(b1 * m[i]) + f(ob1 * gi));
    const vi = f(f(b2 * v[i]) + f(ob2 * f(gi * gi)));
    m[i] = mi;
    v[i] = vi;
    w[i] = wi - f(step * f(mi / f(f(f(Math.sqrt(vi)) * r) + e)));
  }
}
