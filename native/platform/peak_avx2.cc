// AVX2 + FMA peak loop (see peak.h). Compiled with -mavx2 -mfma; only reached after the CPU check.
#include <immintrin.h>

#include "platform/peak.h"

namespace nmlp {
namespace {

// 10 independent YMM FMA chains: more than 2 pipes x 4-5 cycles of latency.
PeakRun loop(std::int64_t iterations) {
  __m256 c[10];
  for (int i = 0; i < 10; ++i) c[i] = _mm256_set1_ps(1.0f + static_cast<float>(i) * 1e-3f);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (std::int64_t it = 0; it < iterations; ++it) {
    c[0] = _mm256_fmadd_ps(c[0], a, b);
    c[1] = _mm256_fmadd_ps(c[1], a, b);
    c[2] = _mm256_fmadd_ps(c[2], a, b);
    c[3] = _mm256_fmadd_ps(c[3], a, b);
    c[4] = _mm256_fmadd_ps(c[4], a, b);
    c[5] = _mm256_fmadd_ps(c[5], a, b);
    c[6] = _mm256_fmadd_ps(c[6], a, b);
    c[7] = _mm256_fmadd_ps(c[7], a, b);
    c[8] = _mm256_fmadd_ps(c[8], a, b);
    c[9] = _mm256_fmadd_ps(c[9], a, b);
  }
  __m256 s = c[0];
  for (int i = 1; i < 10; ++i) s = _mm256_add_ps(s, c[i]);
  float out[8];
  _mm256_storeu_ps(out, s);
  return PeakRun{2.0 * 8.0 * 10.0 * static_cast<double>(iterations), out[0]};
}

}  // namespace

PeakLoopFn peak_loop_avx2() { return &loop; }

}  // namespace nmlp
