// AVX-512 micro-kernel, 8 x 32. Compiled with -mavx512f/vl/bw/dq; only reached when
// cpu_has_avx512() says the CPU and OS support it. Keep this file free of inline functions or
// templates shared with other files (see kernels.h).
#include <immintrin.h>

#include "sgemm/kernels.h"

namespace nmlp {
namespace {

// MR = 8, NR = 32: 16 ZMM accumulators (2 per row). Two FMA pipes with 4-cycle latency need >= 8
// independent chains; 16 leave slack. Per k step: 2 vector loads of B + 8 broadcasts of A feed 16
// FMAs. MR = 8 divides the training shapes (128 and 784 rows) so no edge tiles are wasted there.
constexpr int MR = 8;
constexpr int NR = 32;

void kernel_8x32(std::int64_t kc, const float* a, const float* b, float* c, std::int64_t ldc,
                 bool accumulate) {
  __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps();
  __m512 c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps();
  __m512 c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps();
  __m512 c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps();
  __m512 c40 = _mm512_setzero_ps(), c41 = _mm512_setzero_ps();
  __m512 c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();
  __m512 c60 = _mm512_setzero_ps(), c61 = _mm512_setzero_ps();
  __m512 c70 = _mm512_setzero_ps(), c71 = _mm512_setzero_ps();

  for (int i = 0; i < MR; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + NR - 1), _MM_HINT_T0);
  }

#define NMLP_ROW(I, X0, X1)             \
  ai = _mm512_set1_ps(a[(P)*MR + (I)]); \
  X0 = _mm512_fmadd_ps(ai, b0, X0);     \
  X1 = _mm512_fmadd_ps(ai, b1, X1);
#define NMLP_STEP(PP)                                   \
  do {                                                  \
    constexpr int P = (PP);                             \
    const __m512 b0 = _mm512_loadu_ps(b + P * NR);      \
    const __m512 b1 = _mm512_loadu_ps(b + P * NR + 16); \
    __m512 ai;                                          \
    NMLP_ROW(0, c00, c01)                               \
    NMLP_ROW(1, c10, c11)                               \
    NMLP_ROW(2, c20, c21)                               \
    NMLP_ROW(3, c30, c31)                               \
    NMLP_ROW(4, c40, c41)                               \
    NMLP_ROW(5, c50, c51)                               \
    NMLP_ROW(6, c60, c61)                               \
    NMLP_ROW(7, c70, c71)                               \
  } while (0)

  std::int64_t p = 0;
  for (; p + 4 <= kc; p += 4) {
    _mm_prefetch(reinterpret_cast<const char*>(b + 8 * NR), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(b + 8 * NR + 16), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(b + 9 * NR), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(b + 9 * NR + 16), _MM_HINT_T0);
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
#undef NMLP_ROW

#define NMLP_STORE(I, X0, X1)                           \
  do {                                                  \
    float* ci = c + (I)*ldc;                            \
    if (accumulate) {                                   \
      X0 = _mm512_add_ps(_mm512_loadu_ps(ci), X0);      \
      X1 = _mm512_add_ps(_mm512_loadu_ps(ci + 16), X1); \
    }                                                   \
    _mm512_storeu_ps(ci, X0);                           \
    _mm512_storeu_ps(ci + 16, X1);                      \
  } while (0)
  NMLP_STORE(0, c00, c01);
  NMLP_STORE(1, c10, c11);
  NMLP_STORE(2, c20, c21);
  NMLP_STORE(3, c30, c31);
  NMLP_STORE(4, c40, c41);
  NMLP_STORE(5, c50, c51);
  NMLP_STORE(6, c60, c61);
  NMLP_STORE(7, c70, c71);
#undef NMLP_STORE
}

// Narrow variant, 16 x 16, for n <= 16 (the 10-class output layer): one ZMM of B per k step and 16
// row accumulators, so a 10-column C wastes 6 of 16 lanes instead of 22 of 32. 16 independent
// FMA chains still cover the FMA latency; per k step 1 vector load + 16 broadcasts (embedded in
// the FMAs) stay within two to three loads per cycle.
constexpr int MRN = 16;
constexpr int NRN = 16;

void kernel_16x16(std::int64_t kc, const float* a, const float* b, float* c, std::int64_t ldc,
                  bool accumulate) {
  __m512 c0 = _mm512_setzero_ps(), c1 = _mm512_setzero_ps(), c2 = _mm512_setzero_ps(),
         c3 = _mm512_setzero_ps(), c4 = _mm512_setzero_ps(), c5 = _mm512_setzero_ps(),
         c6 = _mm512_setzero_ps(), c7 = _mm512_setzero_ps(), c8 = _mm512_setzero_ps(),
         c9 = _mm512_setzero_ps(), c10 = _mm512_setzero_ps(), c11 = _mm512_setzero_ps(),
         c12 = _mm512_setzero_ps(), c13 = _mm512_setzero_ps(), c14 = _mm512_setzero_ps(),
         c15 = _mm512_setzero_ps();
  for (int i = 0; i < MRN; ++i) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
// The step's 16 FMAs in rows of four: clang-format's layout of them is not stable.
// clang-format off
#define NMLP_N(I, X) X = _mm512_fmadd_ps(_mm512_set1_ps(a[(P) * MRN + (I)]), b0, X);
#define NMLP_STEPN(PP)                                                          \
  do {                                                                          \
    constexpr int P = (PP);                                                     \
    const __m512 b0 = _mm512_loadu_ps(b + P * NRN);                             \
    NMLP_N(0, c0) NMLP_N(1, c1) NMLP_N(2, c2) NMLP_N(3, c3)                     \
    NMLP_N(4, c4) NMLP_N(5, c5) NMLP_N(6, c6) NMLP_N(7, c7)                     \
    NMLP_N(8, c8) NMLP_N(9, c9) NMLP_N(10, c10) NMLP_N(11, c11)                 \
    NMLP_N(12, c12) NMLP_N(13, c13) NMLP_N(14, c14) NMLP_N(15, c15)             \
  } while (0)
  // clang-format on
  std::int64_t p = 0;
  for (; p + 4 <= kc; p += 4) {
    _mm_prefetch(reinterpret_cast<const char*>(a + 8 * MRN), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(a + 9 * MRN), _MM_HINT_T0);
    NMLP_STEPN(0);
    NMLP_STEPN(1);
    NMLP_STEPN(2);
    NMLP_STEPN(3);
    a += 4 * MRN;
    b += 4 * NRN;
  }
  for (; p < kc; ++p) {
    NMLP_STEPN(0);
    a += MRN;
    b += NRN;
  }
#undef NMLP_STEPN
#undef NMLP_N
#define NMLP_STOREN(I, X)                                      \
  do {                                                         \
    float* ci = c + (I)*ldc;                                   \
    if (accumulate) X = _mm512_add_ps(_mm512_loadu_ps(ci), X); \
    _mm512_storeu_ps(ci, X);                                   \
  } while (0)
  NMLP_STOREN(0, c0);
  NMLP_STOREN(1, c1);
  NMLP_STOREN(2, c2);
  NMLP_STOREN(3, c3);
  NMLP_STOREN(4, c4);
  NMLP_STOREN(5, c5);
  NMLP_STOREN(6, c6);
  NMLP_STOREN(7, c7);
  NMLP_STOREN(8, c8);
  NMLP_STOREN(9, c9);
  NMLP_STOREN(10, c10);
  NMLP_STOREN(11, c11);
  NMLP_STOREN(12, c12);
  NMLP_STOREN(13, c13);
  NMLP_STOREN(14, c14);
  NMLP_STOREN(15, c15);
#undef NMLP_STOREN
}

// Narrow: KC = 256 keeps the A micro-panel (256 x 16 floats = 16 KiB) and the B micro-panel
// (16 KiB) in L1 together; MC = 256 and NC = 2048 as below.
constexpr KernelInfo kNarrow = {"avx512", MRN, NRN, 256, 256, 2048, &kernel_16x16, nullptr};

// KC = 256: the B micro-panel (256 x 32 floats = 32 KiB) stays in a 48 KiB L1 (Zen 4/5, Ice Lake+)
// while the A micro-panel (8 KiB) streams past it.
// MC = 256: the packed A block (256 x 256 floats = 256 KiB) stays in a 1-2 MiB L2.
// NC = 2048: the packed B block (256 x 2048 floats = 2 MiB) stays in L3.
constexpr KernelInfo kInfo = {"avx512", MR, NR, 256, 256, 2048, &kernel_8x32, &kNarrow};

}  // namespace

const KernelInfo* kernel_avx512() { return &kInfo; }

}  // namespace nmlp
