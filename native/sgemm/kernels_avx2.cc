// AVX2 + FMA micro-kernel, 6 x 16. Compiled with -mavx2 -mfma; only reached when
// cpu_has_avx2_fma() says the CPU and OS support it. Keep this file free of inline functions or
// templates shared with other files (see kernels.h).
#include <immintrin.h>

#include "sgemm/kernels.h"

namespace nmlp {
namespace {

// MR = 6, NR = 16: 12 YMM accumulators + 2 B vectors + 1 broadcast = 15 of the 16 YMM registers;
// per k step 2 vector loads + 6 broadcasts feed 12 FMAs (enough independent chains to cover the
// 4-5 cycle FMA latency on two FMA ports).
constexpr int MR = 6;
constexpr int NR = 16;

void kernel_6x16(std::int64_t kc, const float* a, const float* b, float* c, std::int64_t ldc,
                 bool accumulate) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();

  for (int i = 0; i < MR; ++i) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);

#define NMLP_STEP(P)                                   \
  do {                                                 \
    const __m256 b0 = _mm256_loadu_ps(b + (P)*NR);     \
    const __m256 b1 = _mm256_loadu_ps(b + (P)*NR + 8); \
    __m256 ai;                                         \
    ai = _mm256_broadcast_ss(a + (P)*MR + 0);          \
    c00 = _mm256_fmadd_ps(ai, b0, c00);                \
    c01 = _mm256_fmadd_ps(ai, b1, c01);                \
    ai = _mm256_broadcast_ss(a + (P)*MR + 1);          \
    c10 = _mm256_fmadd_ps(ai, b0, c10);                \
    c11 = _mm256_fmadd_ps(ai, b1, c11);                \
    ai = _mm256_broadcast_ss(a + (P)*MR + 2);          \
    c20 = _mm256_fmadd_ps(ai, b0, c20);                \
    c21 = _mm256_fmadd_ps(ai, b1, c21);                \
    ai = _mm256_broadcast_ss(a + (P)*MR + 3);          \
    c30 = _mm256_fmadd_ps(ai, b0, c30);                \
    c31 = _mm256_fmadd_ps(ai, b1, c31);                \
    ai = _mm256_broadcast_ss(a + (P)*MR + 4);          \
    c40 = _mm256_fmadd_ps(ai, b0, c40);                \
    c41 = _mm256_fmadd_ps(ai, b1, c41);                \
    ai = _mm256_broadcast_ss(a + (P)*MR + 5);          \
    c50 = _mm256_fmadd_ps(ai, b0, c50);                \
    c51 = _mm256_fmadd_ps(ai, b1, c51);                \
  } while (0)

  std::int64_t p = 0;
  for (; p + 4 <= kc; p += 4) {
    _mm_prefetch(reinterpret_cast<const char*>(b + 8 * NR), _MM_HINT_T0);
    NMLP_STEP(0);
    NMLP_STEP(1);
    NMLP_STEP(2);
    NMLP_STEP(3);
    a += 4 * MR;
    b += 4 * NR;
  }
  for (; p < kc; ++p) {
    NMLP_STEP(0);
    a += MR;
    b += NR;
  }
#undef NMLP_STEP

#define NMLP_STORE(I, X0, X1)                          \
  do {                                                 \
    float* ci = c + (I)*ldc;                           \
    if (accumulate) {                                  \
      X0 = _mm256_add_ps(_mm256_loadu_ps(ci), X0);     \
      X1 = _mm256_add_ps(_mm256_loadu_ps(ci + 8), X1); \
    }                                                  \
    _mm256_storeu_ps(ci, X0);                          \
    _mm256_storeu_ps(ci + 8, X1);                      \
  } while (0)
  NMLP_STORE(0, c00, c01);
  NMLP_STORE(1, c10, c11);
  NMLP_STORE(2, c20, c21);
  NMLP_STORE(3, c30, c31);
  NMLP_STORE(4, c40, c41);
  NMLP_STORE(5, c50, c51);
#undef NMLP_STORE
}

// KC = 256: the B micro-panel (256 x 16 floats = 16 KiB) fills half of a 32 KiB L1, the other half
// holds the streamed A micro-panel (6 KiB) and the C tile.
// MC = 144 (multiple of 6): the packed A block (144 x 256 floats = 144 KiB) fits a 256 KiB L2.
// NC = 2048: the packed B block (256 x 2048 floats = 2 MiB) fits a shared L3.
constexpr KernelInfo kInfo = {"avx2", MR, NR, 256, 144, 2048, &kernel_6x16, nullptr};

}  // namespace

const KernelInfo* kernel_avx2() { return &kInfo; }

}  // namespace nmlp
