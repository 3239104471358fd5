// Loss heads with per-row weights w (sample weight times class weight): the gradient of the
// weighted mean sum_i w_i l_i / sum_i w_i. Operation for operation the TypeScript twins in
// src/backend/js/weighted-loss.ts (exp from expd, no libm; NumPy's pairwise row sum; subnormal
// inputs read as zero and subnormal results stored as zero, as the native calls' FTZ/DAZ mode
// does, written out for WASM), so every backend gives the same du bits.
// Preconditions (checked by the binding): arrays hold the elements touched, labels[i] < cols,
// weights finite and >= 0, weights not overlapping du. du may be logits / pred.
#ifndef NATIVE_MLP_WEIGHTED_LOSS_H
#define NATIVE_MLP_WEIGHTED_LOSS_H

#include <cstdint>

namespace nmlp {

// du[i, j] = w_i (softmax(logits_i)[j] - (j == labels[i])) / s with s = float(sum of w in double);
// returns sum_i w_i * -log(max(p[label_i], 1e-30)) in double. s == 0: du = 0, loss 0.
double softmax_xent_grad_weighted(float* du, const float* logits, const std::uint32_t* labels,
                                  const float* weights, std::int64_t rows, std::int64_t cols);

// du[i, j] = w_i (pred - target) / s; returns sum_i w_i * 0.5 * (pred - target)^2 in double.
double mse_grad_weighted(float* du, const float* pred, const float* target, const float* weights,
                         std::int64_t rows, std::int64_t cols);

}  // namespace nmlp

#endif
