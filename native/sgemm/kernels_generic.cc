// Portable micro-kernel: plain C++ compiled for the baseline ISA (SSE2 on x86-64, NEON-free
// AArch64 code elsewhere). The compiler keeps the 4 x 8 accumulator tile in vector registers.
#include "sgemm/kernels.h"

namespace nmlp {
namespace {

// MR = 4, NR = 8: 32 accumulators = 8 SSE registers, leaving room for the B row and broadcasts
// within the 16 XMM registers of x86-64.
constexpr int MR = 4;
constexpr int NR = 8;

void kernel_4x8(std::int64_t kc, const float* a, const float* b, float* c, std::int64_t ldc,
                bool accumulate) {
  float t[MR][NR];
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) t[i][j] = 0.0f;
  for (std::int64_t p = 0; p < kc; ++p) {
    for (int i = 0; i < MR; ++i) {
      const float ai = a[i];
      for (int j = 0; j < NR; ++j) t[i][j] += ai * b[j];
    }
    a += MR;
    b += NR;
  }
  for (int i = 0; i < MR; ++i) {
    float* ci = c + i * ldc;
    if (accumulate) {
      for (int j = 0; j < NR; ++j) ci[j] += t[i][j];
    } else {
      for (int j = 0; j < NR; ++j) ci[j] = t[i][j];
    }
  }
}

// KC = 256: the B micro-panel (256 x 8 floats = 8 KiB) stays in a 32 KiB L1 next to A's stream.
// MC = 128: the packed A block (128 x 256 floats = 128 KiB) fits a 256 KiB L2.
// NC = 2048: the packed B block (256 x 2048 floats = 2 MiB) fits a shared L3.
constexpr KernelInfo kInfo = {"generic", MR, NR, 256, 128, 2048, &kernel_4x8, nullptr};

}  // namespace

const KernelInfo* kernel_generic() { return &kInfo; }

}  // namespace nmlp
