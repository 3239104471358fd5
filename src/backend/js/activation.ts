/**
 * The activation kernels' arithmetic: float64 expressions over float32 inputs, rounded to float32
 * once. This is the specification native/nn/activation.cc follows operation for operation (no libm,
 * no fused multiply-add), so TypeScript, native and WASM give the same bits. exp is a
 * Cody-Waite reduction x = k ln2 + r (|r| <= ln2 / 2) and a degree-13 Taylor polynomial of
 * exp(r) - 1 in Horner form (truncation below 1e-17 relative); expm1 keeps r's polynomial without
 * adding 1 when k = 0, so tanh has no cancellation near 0; sigmoid uses exp itself.
 */
import { LEAKY_SLOPE } from '../activation.js';

const LOG2E = 1.4426950408889634;
// ln 2 split as fdlibm splits it: k * LN2_HI is exact for |k| < 2^11.
const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
/** 1/n! for n = 2 .. 13, each one correctly rounded division of exact integers. */
const INV_FACT = /* @__PURE__ */ (() => {
  const c: number[] = [];
  let f = 1;
  for (let n = 2; n <= 13; n++) {
    f *= n; // exact: 13! < 2^53
    c.push(1 / f);
  }
  return c;
})();
/** 2^k for k in [-POW2_SPAN, POW2_SPAN], exact (successive doublings and halvings). */
const POW2_SPAN = 200;
const POW2 = /* @__PURE__ */ (() => {
  const t = new Float64Array(2 * POW2_SPAN + 1);
  t[POW2_SPAN] = 1;
  for (let k = 1; k <= POW2_SPAN; k++) {
    t[POW2_SPAN + k] = t[POW2_SPAN + k - 1] * 2;
    t[POW2_SPAN - k] = t[POW2_SPAN - k + 1] * 0.5;
  }
  return t;
})();

/** exp(r) - 1 for |r| <= ln2 / 2: r (1 + r (1/2! + r (1/3! + ... + r / 13!))). */
function expm1Reduced(r: number): number {
  let p = INV_FACT[11];
  for (let i = 10; i >= 0; i--) p = INV_FACT[i] + r * p;
  return r * (1 + r * p);
}

/** expm1(x) for x in [-120, 120] (callers clamp). */
export function expm1d(x: number): number {
  const k = Math.floor(x * LOG2E + 0.5);
  const r = x - k * LN2_HI - k * LN2_LO;
  const p = expm1Reduced(r);
  if (k === 0) return p;
  const s = POW2[POW2_SPAN + k];
  return s - 1 + s * p;
}

/** exp(x) for x in [-120, 120] (callers clamp): 2^k (1 + (exp(r) - 1)). */
export function expd(x: number): number {
  const k = Math.floor(x * LOG2E + 0.5);
  const r = x - k * LN2_HI - k * LN2_LO;
  return POW2[POW2_SPAN + k] * (1 + expm1Reduced(r));
}

/** tanh(x) in float64 (NaN gives NaN). */
export function tanhd(x: number): number {
  if (x !== x) return x;
  const a = x < 0 ? -x : x;
  if (a > 20) return x < 0 ? -1 : 1; // tanh(20) rounds to 1 in float64
  const e = expm1d(2 * a);
  const t = e / (e + 2);
  return x < 0 ? -t : t;
}

/** 1 / (1 + exp(-x)) in float64, from exp(-|x|) so nothing overflows (NaN gives NaN). */
export function sigmoidd(x: number): number {
  if (x !== x) return x;
  const a = x < 0 ? (x < -120 ? 120 : -x) : x > 120 ? 120 : x;
  const e = expd(-a); // exp(-|x|) in (0, 1]
  return x < 0 ? e / (1 + e) : 1 / (1 + e);
}

const GELU_C = 0.7978845608028654; // sqrt(2 / pi)
const GELU_K = 0.044715;

/** The tanh approximation of GELU in float64 (NaN gives NaN; 0 below -20 where it underflows anyway). */
export function gelud(x: number): number {
  if (x !== x) return x;
  if (x < -20) return 0;
  return 0.5 * x * (1 + tanhd(GELU_C * (x + GELU_K * x * x * x)));
}

/** d gelud / dx in float64: 0.5 (1 + t) + 0.5 x (1 - t^2) C (1 + 3 K x^2), t = tanh(C (x + K x^3)). */
export function geluGradd(x: number): number {
  if (x !== x) return x;
  if (x < -20) return 0;
  if (x > 20) return 1;
  const t = tanhd(GELU_C * (x + GELU_K * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * GELU_K * x * x);
}

/** Smallest normal float32. */
const MIN_NORMAL = 2 ** -126;

/**
 * A float32 result below the smallest normal float32 as a zero of its sign: the native calls'
 * flush-to-zero mode, written out (native/nn/activation.cc does the same for WASM).
 */
function flushed(r: number): number {
  return r > -MIN_NORMAL && r < MIN_NORMAL ? (r < 0 || Object.is(r, -0) ? -0 : 0) : r;
}

/** h = act(v) for one float32 v, rounded to float32 (act: the code in ACTIVATIONS). */
export function activate(act: number, v: number): number {
  switch (act) {
    case 0:
      return v > 0 ? v : 0;
    case 1:
      return v > 0 ? v : flushed(Math.fround(LEAKY_SLOPE * v));
    case 2:
      return flushed(Math.fround(tanhd(v)));
    case 3:
      return flushed(Math.fround(sigmoidd(v)));
    case 4:
      return flushed(Math.fround(gelud(v)));
    default:
      return v;
  }
}

/**
 * dx = dy * act'(u) for one element, rounded to float32: relu and leaky_relu by the sign of u,
 * tanh and sigmoid from the output h (1 - h^2, h (1 - h)), gelu from u; identity passes dy.
 */
export function activateGrad(act: number, dy: number, u: number, h: number): number {
  switch (act) {
    case 0:
      return u > 0 ? dy : 0;
    case 1:
      return u > 0 ? dy : flushed(Math.fround(LEAKY_SLOPE * dy));
    case 2:
      return flushed(Math.fround(dy * (1 - h * h)));
    case 3:
      return flushed(Math.fround(dy * (h * (1 - h))));
    case 4:
      return flushed(Math.fround(dy * geluGradd(u)));
    default:
      return dy;
  }
}
