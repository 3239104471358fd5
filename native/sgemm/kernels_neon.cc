// AArch64 Advanced SIMD (NEON) micro-kernel, 6 x 16. Only built for arm64 (CMakeLists.txt), where
// NEON is part of the armv8-a baseline: no compiler flag and no run-time check are needed, so
// cpu.cc picks it whenever the build has it (NATIVE_MLP_ISA=generic still caps it). Keep this file
// free of inline functions or templates shared with other files (see kernels.h).
#include <arm_neon.h>

#include "sgemm/kernels.h"

namespace nmlp {
namespace {

// MR = 6, NR = 16: 6 rows x 4 quad registers = 24 accumulators, plus 4 B vectors and 2 A vectors
// (the 6 A values of one depth step as a quad and a pair) = 30 of the 32 vector registers. Each
// depth step is 4 + 2 loads for 24 FMAs by lane (fmla v.4s, v.4s, v.s[i]), no broadcasts. The
// shape is also one the sgemm front end already packs for (pack_a<6>, pack_b<16>, as AVX2).
constexpr int MR = 6;
constexpr int NR = 16;

void kernel_6x16(std::int64_t kc, const float* a, const float* b, float* c, std::int64_t ldc,
                 bool accumulate) {
  float32x4_t c00 = vdupq_n_f32(0.0f), c01 = c00, c02 = c00, c03 = c00;
  float32x4_t c10 = c00, c11 = c00, c12 = c00, c13 = c00;
  float32x4_t c20 = c00, c21 = c00, c22 = c00, c23 = c00;
  float32x4_t c30 = c00, c31 = c00, c32 = c00, c33 = c00;
  float32x4_t c40 = c00, c41 = c00, c42 = c00, c43 = c00;
  float32x4_t c50 = c00, c51 = c00, c52 = c00, c53 = c00;

  for (std::int64_t p = 0; p < kc; ++p) {
    const float32x4_t b0 = vld1q_f32(b);
    const float32x4_t b1 = vld1q_f32(b + 4);
    const float32x4_t b2 = vld1q_f32(b + 8);
    const float32x4_t b3 = vld1q_f32(b + 12);
    const float32x4_t a03 = vld1q_f32(a);     // rows 0-3
    const float32x2_t a45 = vld1_f32(a + 4);  // rows 4-5
    c00 = vfmaq_laneq_f32(c00, b0, a03, 0);
    c01 = vfmaq_laneq_f32(c01, b1, a03, 0);
    c02 = vfmaq_laneq_f32(c02, b2, a03, 0);
    c03 = vfmaq_laneq_f32(c03, b3, a03, 0);
    c10 = vfmaq_laneq_f32(c10, b0, a03, 1);
    c11 = vfmaq_laneq_f32(c11, b1, a03, 1);
    c12 = vfmaq_laneq_f32(c12, b2, a03, 1);
    c13 = vfmaq_laneq_f32(c13, b3, a03, 1);
    c20 = vfmaq_laneq_f32(c20, b0, a03, 2);
    c21 = vfmaq_laneq_f32(c21, b1, a03, 2);
    c22 = vfmaq_laneq_f32(c22, b2, a03, 2);
    c23 = vfmaq_laneq_f32(c23, b3, a03, 2);
    c30 = vfmaq_laneq_f32(c30, b0, a03, 3);
    c31 = vfmaq_laneq_f32(c31, b1, a03, 3);
    c32 = vfmaq_laneq_f32(c32, b2, a03, 3);
    c33 = vfmaq_laneq_f32(c33, b3, a03, 3);
    c40 = vfmaq_lane_f32(c40, b0, a45, 0);
    c41 = vfmaq_lane_f32(c41, b1, a45, 0);
    c42 = vfmaq_lane_f32(c42, b2, a45, 0);
    c43 = vfmaq_lane_f32(c43, b3, a45, 0);
    c50 = vfmaq_lane_f32(c50, b0, a45, 1);
    c51 = vfmaq_lane_f32(c51, b1, a45, 1);
    c52 = vfmaq_lane_f32(c52, b2, a45, 1);
    c53 = vfmaq_lane_f32(c53, b3, a45, 1);
    a += MR;
    b += NR;
  }

#define NMLP_STORE(I, X0, X1, X2, X3)         \
  do {                                        \
    float* ci = c + (I)*ldc;                  \
    if (accumulate) {                         \
      X0 = vaddq_f32(vld1q_f32(ci), X0);      \
      X1 = vaddq_f32(vld1q_f32(ci + 4), X1);  \
      X2 = vaddq_f32(vld1q_f32(ci + 8), X2);  \
      X3 = vaddq_f32(vld1q_f32(ci + 12), X3); \
    }                                         \
    vst1q_f32(ci, X0);                        \
    vst1q_f32(ci + 4, X1);                    \
    vst1q_f32(ci + 8, X2);                    \
    vst1q_f32(ci + 12, X3);                   \
  } while (0)
  NMLP_STORE(0, c00, c01, c02, c03);
  NMLP_STORE(1, c10, c11, c12, c13);
  NMLP_STORE(2, c20, c21, c22, c23);
  NMLP_STORE(3, c30, c31, c32, c33);
  NMLP_STORE(4, c40, c41, c42, c43);
  NMLP_STORE(5, c50, c51, c52, c53);
#undef NMLP_STORE
}

// KC = 256: the B micro-panel (256 x 16 floats = 16 KiB) fits half of the 32-64 KiB L1 data cache
// of current arm64 cores (Cortex-A72/A76, Neoverse N1, Apple and Graviton cores), next to the
// streamed A micro-panel (6 KiB) and the C tile.
// MC = 144 (multiple of 6): the packed A block (144 x 256 floats = 144 KiB) fits a 256 KiB-1 MiB L2.
// NC = 2048: the packed B block (256 x 2048 floats = 2 MiB) fits a shared L3 or system cache.
constexpr KernelInfo kInfo = {"neon", MR, NR, 256, 144, 2048, &kernel_6x16, nullptr};

}  // namespace

const KernelInfo* kernel_neon() { return &kInfo; }

}  // namespace nmlp
