/**
 * The optimizer kernels in TypeScript: the specification of native/optim/optim.cc, which runs with the
 * CPU's flush-to-zero and denormals-are-zero mode (native/platform/fp_mode.h). Every product and sum is
 * rounded to float32 in the same order as the C++ float expressions and put through that mode
 * (`ftz`, inputs through `daz`), so every backend gives the same bits (sqrt and division are
 * correctly rounded in both; a float32 operation done in double and rounded once is exact).
 */

/** The smallest normal float32 (FLT_MIN, 2^-126). */
export const FLOAT32_MIN_NORMAL = 2 ** -126;

/**
 * x86's flush-to-zero threshold on an exact (double) result: "tiny" is decided after rounding to
 * 24 bits with an unbounded exponent, so a result from FLT_MIN - 2^-151 (which rounds up to
 * FLT_MIN) on is kept, anything below is flushed.
 */
const TINY = FLOAT32_MIN_NORMAL - 2 ** -151;

/** One float32 operation's result d (exact or correctly rounded in double) under flush-to-zero: a signed zero when tiny. */
const ftz = (d: number): number => (Math.abs(d) < TINY ? d * 0 : Math.fround(d));

/** A float32 input under denormals-are-zero. */
const daz = (x: number): number => (Math.abs(x) < FLOAT32_MIN_NORMAL ? x * 0 : x);

/**
 * Decaying optimizer state below the smallest normal float32 is stored as +0, in every backend the
 * same way (native/optim/optim_loops.h: flush_tiny): subnormal arithmetic is slow on many CPUs, and an
 * explicit flush keeps it out where no hardware mode does. NaN stays NaN.
 */
export function flushTiny(x: number): number {
  return Math.abs(x) < FLOAT32_MIN_NORMAL ? 0 : x;
}

export function momentumUpdate(
  w: Float32Array,
  g: Float32Array,
  vel: Float32Array,
  n: number,
  lr: number,
  momentum: number,
  weightDecay: number,
  nesterov: boolean,
): void {
  const f = Math.fround;
  const step = f(lr),
    mu = f(momentum),
    wd = f(weightDecay);
  for (let i = 0; i < n; i++) {
    const wi = daz(w[i]);
    const gi = wd === 0 ? daz(g[i]) : ftz(daz(g[i]) + ftz(wd * wi));
    let d = gi;
    if (mu !== 0) {
      const vi = flushTiny(ftz(ftz(mu * daz(vel[i])) + gi));
      vel[i] = vi;
      d = nesterov ? ftz(gi + ftz(mu * vi)) : vi;
    }
    w[i] = ftz(wi - ftz(step * d));
  }
}

export function adamUpdate(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  n: number,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  weightDecay: number,
  decoupled: boolean,
  t: number,
): void {
  const f = Math.fround;
  // Scalars in double, once, as the C++ kernel computes them.
  const c1 = 1 - Math.pow(beta1, t);
  const c2 = 1 - Math.pow(beta2, t);
  const b1 = f(beta1),
    ob1 = f(1 - beta1),
    b2 = f(beta2),
    ob2 = f(1 - beta2),
    e = f(eps);
  const wd = f(weightDecay),
    decay = f(1 - lr * weightDecay),
    step = f(lr / c1),
    r = f(1 / Math.sqrt(c2));
  const l2 = !decoupled && wd !== 0;
  const shrink = decoupled && wd !== 0;
  for (let i = 0; i < n; i++) {
    let wi = daz(w[i]);
    let gi = daz(g[i]);
    if (shrink) wi = ftz(wi * decay);
    if (l2) gi = ftz(gi + ftz(wd * wi));
    const mi = flushTiny(ftz(ftz(b1 * daz(m[i])) + ftz(ob1 * gi)));
    const vi = flushTiny(ftz(ftz(b2 * daz(v[i])) + ftz(ob2 * ftz(gi * gi))));
    m[i] = mi;
    v[i] = vi;
    w[i] = ftz(wi - ftz(step * ftz(mi / ftz(ftz(ftz(Math.sqrt(vi)) * r) + e))));
  }
}
