// Portable sparse-input kernels (see sparse_kernels.h), compiled for the baseline ISA.
#include "sparse/sparse_kernels.h"

namespace nmlp {
namespace {

// Columns of out per pass: 64 accumulators, which the compiler keeps in vector registers.
constexpr std::int64_t kChunk = 64;

void sparse_dot(std::int64_t cnt, const float* val, const std::int32_t* idx, const float* b, std::int64_t ldb,
                std::int64_t n, float* out, bool accumulate) {
  for (std::int64_t j0 = 0; j0 < n; j0 += kChunk) {
    const std::int64_t w = n - j0 < kChunk ? n - j0 : kChunk;
    float acc[kChunk];
    for (std::int64_t j = 0; j < w; ++j) acc[j] = 0.0f;
    for (std::int64_t t = 0; t < cnt; ++t) {
      const float v = val[t];
      const float* row = b + static_cast<std::int64_t>(idx[t]) * ldb + j0;
      // Product then sum, two roundings (no contraction: -ffp-contract=off), as kernel_4x8.
      for (std::int64_t j = 0; j < w; ++j) acc[j] += v * row[j];
    }
    float* o = out + j0;
    if (accumulate) {
      for (std::int64_t j = 0; j < w; ++j) o[j] += acc[j];
    } else {
      for (std::int64_t j = 0; j < w; ++j) o[j] = acc[j];
    }
  }
}

// float(x) / 255 for every byte, correctly rounded as NumPy's astype(float32) / 255.
struct PixelScale {
  float v[256];
  constexpr PixelScale() : v() {
    for (int i = 0; i < 256; ++i) v[i] = static_cast<float>(i) / 255.0f;
  }
};
constexpr PixelScale kScale;

std::int64_t compact_row(const std::uint8_t* src, std::int64_t features, float* values, std::int32_t* cols) {
  // Branch-free: write every pixel, advance past it only when it is non-zero (about one pixel
  // in five on MNIST; a branch would mispredict often).
  std::int64_t q = 0;
  for (std::int64_t p = 0; p < features; ++p) {
    const std::uint8_t x = src[p];
    values[q] = kScale.v[x];
    cols[q] = static_cast<std::int32_t>(p);
    q += x != 0;
  }
  return q;
}

}  // namespace

SparseDotFn sparse_dot_generic() { return &sparse_dot; }
CompactRowFn compact_row_generic() { return &compact_row; }

}  // namespace nmlp
