#include "nn/fused.h"

#include <algorithm>

#include <cmath>

namespace nmlp {
namespace {

using i64 = std::int64_t;

// Floor of the label probability in the loss: -log(1e-30) = 69.1 for a hopeless row instead of
// Infinity (the TypeScript backend's constant).
constexpr double kTiny = 1e-30;

}  // namespace

float pairwise_sum(const float* a, i64 n) {
  if (n < 8) {
    float res = 0.0f;
    for (i64 i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    float r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    i64 i = 8;
    for (; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  i64 n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

void bias_relu(float* h, float* u, const float* bias, i64 rows, i64 cols) {
  for (i64 i = 0; i < rows; ++i) {
    float* ui = u + i * cols;
    float* hi = h + i * cols;
    for (i64 j = 0; j < cols; ++j) {
      const float v = ui[j] + bias[j];
      ui[j] = v;
      hi[j] = v > 0.0f ? v : 0.0f;  // as the TypeScript backend: NaN -> 0
    }
  }
}

void bias_add(float* u, const float* bias, i64 rows, i64 cols) {
  for (i64 i = 0; i < rows; ++i) {
    float* ui = u + i * cols;
    for (i64 j = 0; j < cols; ++j) ui[j] = ui[j] + bias[j];
  }
}

double softmax_xent_grad(float* du, const float* logits, const std::uint32_t* labels, i64 rows, i64 cols) {
  double loss = 0.0;
  const float rows_f = static_cast<float>(rows);
  for (i64 i = 0; i < rows; ++i) {
    const float* x = logits + i * cols;
    float* d = du + i * cols;
    // Row max as the TypeScript backend takes it (NaN entries skipped; a NaN row gives NaN anyway).
    float mx = -INFINITY;
    for (i64 j = 0; j < cols; ++j)
      if (x[j] > mx) mx = x[j];
    for (i64 j = 0; j < cols; ++j) d[j] = std::exp(x[j] - mx);  // float overload: expf
    const float sum = pairwise_sum(d, cols);
    const i64 label = labels[i];
    // p = e / sum, then p / rows ((p - 0) / rows) for every column and (p - 1) / rows for the
    // label's: the same divisions as one loop with a branch for the label, in loops that vectorize.
    for (i64 j = 0; j < cols; ++j) d[j] = d[j] / sum;
    const float p_label = label < cols ? d[label] : 0.0f;
    for (i64 j = 0; j < cols; ++j) d[j] = d[j] / rows_f;
    if (label < cols) {
      const double pd = static_cast<double>(p_label);
      // NaN stays NaN (as the TypeScript backend's Math.max): a diverged run must show in the loss.
      loss -= std::log(pd > kTiny || pd != pd ? pd : kTiny);  // pd != pd: NaN
      d[label] = (p_label - 1.0f) / rows_f;
    }
  }
  return loss;
}

double mse_grad(float* du, const float* pred, const float* target, i64 rows, i64 cols) {
  double loss = 0.0;
  const float rows_f = static_cast<float>(rows);
  const i64 n = rows * cols;
  for (i64 i = 0; i < n; ++i) {
    const float d = pred[i] - target[i];
    loss += 0.5 * static_cast<double>(d) * static_cast<double>(d);
    du[i] = d / rows_f;
  }
  return loss;
}

void relu_backward(float* dx, const float* dy, const float* u, i64 n) {
  // Load dy unconditionally so the select vectorises; a branch on the sign of u mispredicts
  // half the time.
  for (i64 i = 0; i < n; ++i) {
    const float d = dy[i];
    dx[i] = u[i] > 0.0f ? d : 0.0f;
  }
}

void col_sums(float* out, const float* x, i64 rows, i64 cols) {
  constexpr i64 kChunk = 512;
  float acc[kChunk];
  for (i64 j0 = 0; j0 < cols; j0 += kChunk) {
    const i64 w = cols - j0 < kChunk ? cols - j0 : kChunk;
    for (i64 j = 0; j < w; ++j) acc[j] = 0.0f;
    for (i64 i = 0; i < rows; ++i) {
      const float* xi = x + i * cols + j0;
      for (i64 j = 0; j < w; ++j) acc[j] += xi[j];
    }
    for (i64 j = 0; j < w; ++j) out[j0 + j] = acc[j];
  }
}

void sgd_update(float* w, const float* g, double lr, i64 n) {
  const float lrf = static_cast<float>(lr);
  for (i64 i = 0; i < n; ++i) w[i] = w[i] - lrf * g[i];
}

void gather_pixels(float* out, const std::uint8_t* images, std::uint64_t image_count,
                   const std::uint32_t* index, i64 index_length, i64 start, i64 rows, i64 features) {
  for (i64 r = 0; r < rows; ++r) {
    prefetch_ahead(images, image_count, index, index_length, start, rows, r, features);
    float* dst = out + r * features;
    // Read once and checked again: index may be shared memory another thread writes after the
    // binding's check (a gather in the background runs while JavaScript goes on). Such a row
    // comes out zero.
    const std::uint32_t image = index[start + r];
    if (image >= image_count) {
      for (i64 p = 0; p < features; ++p) dst[p] = 0.0f;
      continue;
    }
    const std::uint8_t* src = images + static_cast<i64>(image) * features;
    // One correctly rounded float division per element, as NumPy's float32 x / 255; vectorises.
    for (i64 p = 0; p < features; ++p) dst[p] = static_cast<float>(src[p]) / 255.0f;
  }
  prefetch_images(images, image_count, index, index_length, start + rows, start + 2 * rows, features);
}

void prefetch_images(const std::uint8_t* images, std::uint64_t image_count, const std::uint32_t* index,
                     i64 index_length, i64 from, i64 to, i64 features) {
  const i64 end = std::min(index_length, to);
  for (i64 r = from; r < end; ++r) {
    if (index[r] >= image_count) continue;
    const std::uint8_t* src = images + static_cast<i64>(index[r]) * features;
    for (i64 p = 0; p < features; p += 64) __builtin_prefetch(src + p);
  }
}

void prefetch_ahead(const std::uint8_t* images, std::uint64_t image_count, const std::uint32_t* index,
                    i64 index_length, i64 start, i64 rows, i64 r, i64 features) {
  constexpr i64 kAhead = 6;
  const i64 from = r == 0 ? start : start + r + kAhead;
  const i64 to = start + std::min(rows, r + kAhead + 1);
  if (from < to) prefetch_images(images, image_count, index, index_length, from, to, features);
}

void gather_rows(float* out, const float* x, std::uint64_t row_count, const std::uint32_t* index,
                 i64 index_length, i64 start, i64 rows, i64 features) {
  for (i64 r = 0; r < rows; ++r) {
    float* dst = out + r * features;
    const std::uint32_t row = index[start + r];  // read once and checked again, as gather_pixels
    if (row >= row_count) {
      for (i64 p = 0; p < features; ++p) dst[p] = 0.0f;
      continue;
    }
    const float* src = x + static_cast<i64>(row) * features;
    for (i64 p = 0; p < features; ++p)
      dst[p] = src[p];  // a plain loop: the WASM build has no <algorithm> copy
  }
  // As gather_pixels: ask for the next call's rows now (16 floats per 64-byte line).
  const i64 end = std::min(index_length, start + 2 * rows);
  for (i64 r = start + rows; r < end; ++r) {
    if (index[r] >= row_count) continue;
    const float* src = x + static_cast<i64>(index[r]) * features;
    for (i64 p = 0; p < features; p += 16) __builtin_prefetch(src + p);
  }
}

}  // namespace nmlp
