/**
 * The hidden-layer activations every backend implements, by name and by the integer code the
 * kernels take (biasAct, actBackward). The code is the position in ACTIVATIONS; native/nn/activation.h
 * numbers them the same way.
 *
 * - relu:       max(u, 0) (NaN gives 0), the notebook's; its kernels are biasRelu/reluBackward.
 * - leaky_relu: u > 0 ? u : 0.01 * u (slope float32(0.01)).
 * - tanh:       tanh(u).
 * - sigmoid:    1 / (1 + exp(-u)) (scikit-learn's "logistic").
 * - gelu:       the tanh approximation 0.5 u (1 + tanh(sqrt(2/pi) (u + 0.044715 u^3))), as
 *               PyTorch's gelu(approximate='tanh') and ONNX Gelu(approximate="tanh").
 * - identity:   u.
 * The transcendental ones are computed in float64 by one hand-written expression (kernel-math.ts,
 * native/nn/activation.cc: the same operations in the same order, no libm), then rounded to float32,
 * so every backend gives the same bits.
 */
export const ACTIVATIONS = ['relu', 'leaky_relu', 'tanh', 'sigmoid', 'gelu', 'identity'] as const;

export type Activation = (typeof ACTIVATIONS)[number];

/** The slope of leaky_relu for u <= 0 (float32(0.01), as PyTorch's default negative_slope). */
export const LEAKY_SLOPE = Math.fround(0.01);

export function isActivation(name: unknown): name is Activation {
  return typeof name === 'string' && (ACTIVATIONS as readonly string[]).includes(name);
}

/** The kernel code of an activation. */
export function activationCode(name: Activation): number {
  return ACTIVATIONS.indexOf(name);
}

/** The activation kernels of the backend contract (semantics in binding.d.ts). */
export interface ActivationKernels {
  /** u[i, j] += bias[j]; h[i, j] = act(u[i, j]) for act = activationCode(name). h may be u. */
  biasAct(h: Float32Array, u: Float32Array, bias: Float32Array, rows: number, cols: number, act: number): void;
  /** dx[i] = dy[i] * act'(u[i]) (tanh, sigmoid: from h[i]). dx may be dy, u or h itself. */
  actBackward(dx: Float32Array, dy: Float32Array, u: Float32Array, h: Float32Array, n: number, act: number): void;
}
