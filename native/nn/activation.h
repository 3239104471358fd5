// Hidden-layer activations other than the notebook's ReLU (whose kernels, bias_relu and
// relu_backward, stay in fused.h): fused bias + activation forward and the activation's
// derivative backward. The codes are positions in src/backend/activation.ts's ACTIVATIONS.
// The transcendental ones (tanh, sigmoid, gelu) are float64 expressions over float32 inputs,
// operation for operation those of src/backend/js/activation.ts (no libm; the build keeps
// -ffp-contract=off), rounded to float32 once, so native, WASM and TypeScript give the same bits.
// Preconditions (checked by the binding): arrays hold the elements touched, act < kActivationCount.
#ifndef NATIVE_MLP_ACTIVATION_H
#define NATIVE_MLP_ACTIVATION_H

#include <cstdint>

namespace nmlp {

enum Activation : int {
  kRelu = 0,
  kLeakyRelu = 1,
  kTanh = 2,
  kSigmoid = 3,
  kGelu = 4,
  kIdentity = 5,
  kActivationCount = 6,
};

// exp(x) for x in [-120, 120] in float64 without libm: the same bits as src/backend/js/activation.ts's expd.
double expd(double x);

// u[i, j] += bias[j]; h[i, j] = act(u[i, j]). h may be u.
void bias_act(float* h, float* u, const float* bias, std::int64_t rows, std::int64_t cols, int act);

// dx[i] = dy[i] * act'(u[i]) (tanh and sigmoid from the output h[i]: 1 - h^2, h (1 - h)).
// dx may be dy (each element is read before it is written).
void act_backward(float* dx, const float* dy, const float* u, const float* h, std::int64_t n, int act);

}  // namespace nmlp

#endif
