// Layer 2 of sgemm: the loop nest over NC / KC / MC blocks and NR x MR tiles on one thread.
// Block sizes come from the kernel descriptor (kernels.h explains each); the threading decision
// is not made here but in the front end (sgemm.cc).
#include <algorithm>

#include "sgemm/sgemm_internal.h"

namespace nmlp {
namespace sgemm_detail {
namespace {

// Macro-kernel: C[0:mc, 0:nc] (+)= packed A block (mc x kc) * packed B block (kc x nc).
// Loop jr outside ir so one B micro-panel (kc x NR) stays in L1 while the A micro-panels stream.
void macro_kernel(const Plan& pl, const float* ap, const float* bp, i64 mc, i64 nc, i64 kc, float* c,
                  bool accumulate) {
  const int MR = pl.kernel->mr;
  const int NR = pl.kernel->nr;
  const i64 ldc = pl.s.ldc;
  alignas(64) float tile[kMaxMR * kMaxNR];
  for (i64 jr = 0; jr < nc; jr += NR) {
    const i64 nr = std::min<i64>(NR, nc - jr);
    const float* bpanel = bp + jr * kc;
    for (i64 ir = 0; ir < mc; ir += MR) {
      const i64 mr = std::min<i64>(MR, mc - ir);
      const float* apanel = ap + ir * kc;
      float* cc = c + ir * ldc + jr;
      if (mr == MR && nr == NR) {
        pl.kernel->kernel(kc, apanel, bpanel, cc, ldc, accumulate);
      } else {
        // Edge tile: compute the full padded tile aside, then write back only the valid part.
        pl.kernel->kernel(kc, apanel, bpanel, tile, NR, false);
        for (i64 i = 0; i < mr; ++i) {
          float* ci = cc + i * ldc;
          const float* ti = tile + i * NR;
          if (accumulate) {
            for (i64 j = 0; j < nr; ++j) ci[j] += ti[j];
          } else {
            for (i64 j = 0; j < nr; ++j) ci[j] = ti[j];
          }
        }
      }
    }
  }
}

}  // namespace

// Rows [m0, m1) x columns [n0, n1) of C on one thread, the classic five loops: for each NC block
// of columns, for each KC block of depth, pack that B block once, then for each MC block of rows
// pack the A block and run the macro-kernel. Used for single-threaded calls.
void gemm_serial(const Plan& pl, i64 m0, i64 m1, i64 n0, i64 n1, float* ap, float* bp) {
  const SgemmArgs& s = pl.s;
  const i64 rows = m1 - m0;
  if (rows <= 0 || n1 <= n0) return;
  const i64 mcb = even_block(rows, pl.mc_max, pl.kernel->mr);
  for (i64 jc = n0; jc < n1; jc += pl.ncb) {
    const i64 nc = std::min(pl.ncb, n1 - jc);
    for (i64 pc = 0; pc < s.k; pc += pl.kcb) {
      const i64 kc = std::min(pl.kcb, s.k - pc);
      pl.pack.b(bp, s, pc, kc, jc, nc);
      const bool accumulate = pc > 0 || pl.first_accumulate;
      for (i64 ic = m0; ic < m1; ic += mcb) {
        const i64 mc = std::min(mcb, m1 - ic);
        pl.pack.a(ap, s, pl.alpha, ic, mc, pc, kc);
        macro_kernel(pl, ap, bp, mc, nc, kc, s.c + ic * s.ldc + jc, accumulate);
      }
    }
  }
}

// Floats of packing space gemm_serial needs for `rows` rows (one A block: its row block
// even_block(rows, mc_max, MR) never exceeds min(round_up(rows, MR), mc_max), a bound that grows
// with `rows`, so the largest share covers all) and `cols` columns (one B block).
i64 a_space(const Plan& pl, i64 rows) {
  const i64 MR = pl.kernel->mr;
  return std::max<i64>(MR, std::min(round_up(rows, MR), pl.mc_max)) * pl.kcb;
}
i64 b_space(const Plan& pl, i64 cols) {
  return round_up(std::max<i64>(1, std::min(pl.ncb, cols)), pl.kernel->nr) * pl.kcb;
}

}  // namespace sgemm_detail
}  // namespace nmlp
