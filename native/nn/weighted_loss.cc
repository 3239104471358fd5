#include "nn/weighted_loss.h"

#include <cmath>

#include "nn/activation.h"
#include "nn/flush.h"
#include "nn/fused.h"

namespace nmlp {
namespace {

using i64 = std::int64_t;

constexpr double kTiny = 1e-30;
// exp(z) is a float32 subnormal (stored as zero) below this, so expd's range is never left.
constexpr float kExpFloor = -104.0f;

float weight_sum(const float* w, i64 rows) {
  double s = 0.0;
  for (i64 i = 0; i < rows; ++i) s += static_cast<double>(flushed(w[i]));
  return flushed(static_cast<float>(s));
}

}  // namespace

double softmax_xent_grad_weighted(float* du, const float* logits, const std::uint32_t* labels,
                                  const float* weights, i64 rows, i64 cols) {
  const float s = weight_sum(weights, rows);
  double loss = 0.0;
  for (i64 i = 0; i < rows; ++i) {
    const float* x = logits + i * cols;
    float* d = du + i * cols;
    float mx = -INFINITY;
    for (i64 j = 0; j < cols; ++j) {
      const float v = flushed(x[j]);
      if (v > mx) mx = v;
    }
    for (i64 j = 0; j < cols; ++j) {
      const float z = flushed(flushed(x[j]) - mx);
      d[j] = z != z ? z : z < kExpFloor ? 0.0f : flushed(static_cast<float>(expd(z)));
    }
    const float sum = pairwise_sum(d, cols);
    const float w = flushed(weights[i]);
    const i64 label = labels[i];
    for (i64 j = 0; j < cols; ++j) {
      const float p = flushed(d[j] / sum);
      if (j == label) {
        const double pd = static_cast<double>(p);
        loss += static_cast<double>(w) * -std::log(pd > kTiny || pd != pd ? pd : kTiny);
      }
      const float g = p - (j == label ? 1.0f : 0.0f);
      d[j] = s > 0.0f ? flushed(flushed(g * w) / s) : 0.0f;
    }
  }
  return loss;
}

double mse_grad_weighted(float* du, const float* pred, const float* target, const float* weights, i64 rows,
                         i64 cols) {
  const float s = weight_sum(weights, rows);
  double loss = 0.0;
  for (i64 i = 0; i < rows; ++i) {
    const float w = flushed(weights[i]);
    for (i64 j = 0; j < cols; ++j) {
      const i64 k = i * cols + j;
      const float d = flushed(flushed(pred[k]) - flushed(target[k]));
      const double dd = static_cast<double>(d);
      loss += static_cast<double>(w) * (0.5 * dd * dd);
      du[k] = s > 0.0f ? flushed(flushed(d * w) / s) : 0.0f;
    }
  }
  return loss;
}

}  // namespace nmlp
