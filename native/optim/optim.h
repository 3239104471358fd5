// Optimizer updates over a whole parameter arena (weights, gradients and state laid out alike),
// following PyTorch's documented update rules (torch.optim.SGD, Adam, AdamW) in float32: each
// element is updated on its own, so any split across threads gives bit-identical results.
// They compute with flush-to-zero and denormals-are-zero on (fp_mode.h: a subnormal input reads
// as 0, a result below FLT_MIN is 0), and decaying state (velocity, m, v) is stored as +0 when
// its magnitude is below FLT_MIN (never -0): the TypeScript twins emulate both, so the TypeScript
// and WASM backends give the same bits.
// Preconditions (checked by the binding): every array holds n elements (velocity only when
// momentum != 0); no array overlaps another. Scalars are finite.
#ifndef NATIVE_MLP_OPTIM_H
#define NATIVE_MLP_OPTIM_H

#include <cstdint>

namespace nmlp {

// torch.optim.SGD without dampening, per element (every product and sum rounded to float32):
//   g = g + weight_decay * w                       (only when weight_decay != 0: L2)
//   v = flush(momentum * v + g)                    (only when momentum != 0; v starts at 0, so
//                                                   the first step gives v = g as PyTorch's clone)
//   g = nesterov ? g + momentum * v : v            (only when momentum != 0)
//   w = w - lr * g
// momentum == 0 and weight_decay == 0 is exactly sgd_update. Threaded when n is large.
// avx2: run the AVX2 build of the loop (same bits; only when the CPU has AVX2, x86-64 builds).
void momentum_update(float* w, const float* g, float* velocity, std::int64_t n, double lr, double momentum,
                     double weight_decay, bool nesterov, bool avx2);

// torch.optim.Adam (decoupled = false: L2, g = g + weight_decay * w) and AdamW (decoupled = true:
// w = w * (1 - lr * weight_decay) first), non-amsgrad, at step t >= 1 (the count including this
// update). Scalars in double, once: c1 = 1 - beta1^t, c2 = 1 - beta2^t, step = lr / c1,
// r = 1 / sqrt(c2). Per element in float32:
//   m = flush(beta1 * m + (1 - beta1) * g)
//   v = flush(beta2 * v + (1 - beta2) * (g * g))    flush(x) = |x| < FLT_MIN ? +0 : x
//   w = w - step * (m / (sqrt(v) * r + eps))
// Threaded when n is large. avx2: as for momentum_update.
void adam_update(float* w, const float* g, float* m, float* v, std::int64_t n, double lr, double beta1,
                 double beta2, double eps, double weight_decay, bool decoupled, std::int64_t t, bool avx2);

}  // namespace nmlp

#endif
