// AVX2 + FMA sparse-input kernel (see sparse_kernels.h). Compiled with -mavx2 -mfma; only reached
// when cpu_has_avx2_fma() says the CPU and OS support it. No inline functions or templates shared
// with other files.
#include <immintrin.h>

#include "sparse_kernels.h"

namespace nmlp {
namespace {

// 64 columns per pass = 8 YMM accumulators (8 independent FMA chains).
void dot_64(std::int64_t cnt, const float* val, const std::int32_t* idx, const float* b,
            std::int64_t ldb, float* out, bool accumulate) {
  __m256 c0 = _mm256_setzero_ps(), c1 = _mm256_setzero_ps(), c2 = _mm256_setzero_ps(),
         c3 = _mm256_setzero_ps(), c4 = _mm256_setzero_ps(), c5 = _mm256_setzero_ps(),
         c6 = _mm256_setzero_ps(), c7 = _mm256_setzero_ps();
  for (std::int64_t t = 0; t < cnt; ++t) {
    const __m256 v = _mm256_set1_ps(val[t]);
    const float* row = b + static_cast<std::int64_t>(idx[t]) * ldb;
    c0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row), c0);
    c1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 8), c1);
    c2 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 16), c2);
    c3 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 24), c3);
    c4 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 32), c4);
    c5 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 40), c5);
    c6 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 48), c6);
    c7 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 56), c7);
  }
  if (accumulate) {
    c0 = _mm256_add_ps(_mm256_loadu_ps(out), c0);
    c1 = _mm256_add_ps(_mm256_loadu_ps(out + 8), c1);
    c2 = _mm256_add_ps(_mm256_loadu_ps(out + 16), c2);
    c3 = _mm256_add_ps(_mm256_loadu_ps(out + 24), c3);
    c4 = _mm256_add_ps(_mm256_loadu_ps(out + 32), c4);
    c5 = _mm256_add_ps(_mm256_loadu_ps(out + 40), c5);
    c6 = _mm256_add_ps(_mm256_loadu_ps(out + 48), c6);
    c7 = _mm256_add_ps(_mm256_loadu_ps(out + 56), c7);
  }
  _mm256_storeu_ps(out, c0);
  _mm256_storeu_ps(out + 8, c1);
  _mm256_storeu_ps(out + 16, c2);
  _mm256_storeu_ps(out + 24, c3);
  _mm256_storeu_ps(out + 32, c4);
  _mm256_storeu_ps(out + 40, c5);
  _mm256_storeu_ps(out + 48, c6);
  _mm256_storeu_ps(out + 56, c7);
}

// Up to 8 columns (masked loads and stores): the remainder of n after the 64-column passes.
void dot_8(std::int64_t cnt, const float* val, const std::int32_t* idx, const float* b,
           std::int64_t ldb, std::int64_t w, float* out, bool accumulate) {
  alignas(32) static const std::int32_t kLanes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  const __m256i m = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kLanes + 8 - w));
  __m256 c = _mm256_setzero_ps();
  for (std::int64_t t = 0; t < cnt; ++t) {
    const float* row = b + static_cast<std::int64_t>(idx[t]) * ldb;
    c = _mm256_fmadd_ps(_mm256_set1_ps(val[t]), _mm256_maskload_ps(row, m), c);
  }
  if (accumulate) c = _mm256_add_ps(_mm256_maskload_ps(out, m), c);
  _mm256_maskstore_ps(out, m, c);
}

void sparse_dot(std::int64_t cnt, const float* val, const std::int32_t* idx, const float* b,
                std::int64_t ldb, std::int64_t n, float* out, bool accumulate) {
  std::int64_t j = 0;
  for (; j + 64 <= n; j += 64) dot_64(cnt, val, idx, b + j, ldb, out + j, accumulate);
  for (; j < n; j += 8) {
    const std::int64_t w = n - j < 8 ? n - j : 8;
    dot_8(cnt, val, idx, b + j, ldb, w, out + j, accumulate);
  }
}

}  // namespace

SparseDotFn sparse_dot_avx2() { return &sparse_dot; }

}  // namespace nmlp
