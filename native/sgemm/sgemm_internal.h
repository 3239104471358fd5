// Internal interface between the layers of sgemm (see sgemm.h): the front end (sgemm.cc) makes a
// Plan and decides the threading; the loop nest (sgemm_loops.cc) runs a range of C on one
// thread; the packers (sgemm_pack.cc) fill its micro-panels. Baseline code only: included by no
// ISA file.
#ifndef NATIVE_MLP_SGEMM_INTERNAL_H
#define NATIVE_MLP_SGEMM_INTERNAL_H

#include <cstdint>

#include "sgemm/kernels.h"
#include "sgemm/sgemm.h"

namespace nmlp {
namespace sgemm_detail {

using i64 = std::int64_t;

constexpr int kMaxMR = 16;
constexpr int kMaxNR = 32;

inline i64 ceil_div(i64 a, i64 b) { return (a + b - 1) / b; }
inline i64 round_up(i64 a, i64 b) { return ceil_div(a, b) * b; }

// Splits `total` into ceil(total / max_block) nearly equal blocks (a multiple of `unit` each,
// except the last): 784 with max 256 gives 4 x 196 rather than 256, 256, 256, 16.
inline i64 even_block(i64 total, i64 max_block, i64 unit) {
  if (total <= 0) return unit;
  const i64 blocks = ceil_div(total, max_block);
  return round_up(ceil_div(total, blocks), unit);
}

// Packers: op(A) rows [i0, i0 + mc) x depth [p0, p0 + kc), times alpha, into MR-row micro-panels;
// op(B) depth [p0, p0 + kc) x columns [j0, j0 + nc) into NR-column micro-panels (sgemm_pack.cc).
using PackAFn = void (*)(float* dst, const SgemmArgs& s, float alpha, i64 i0, i64 mc, i64 p0, i64 kc);
using PackBFn = void (*)(float* dst, const SgemmArgs& s, i64 p0, i64 kc, i64 j0, i64 nc);

struct Packers {
  PackAFn a;
  PackBFn b;
};

// The packers for a kernel's MR / NR; false when there are none (the front end then falls back
// to the generic kernel).
bool packers_for(const KernelInfo& k, Packers* out);

struct Plan {
  const KernelInfo* kernel;
  Packers pack;
  SgemmArgs s;
  float alpha;
  bool first_accumulate;  // how the first depth block treats C (false: overwrite, beta == 0)
  i64 kcb;                // depth block
  i64 ncb;                // column block (multiple of NR)
  i64 mc_max;             // row block limit (multiple of MR)
};

// Rows [m0, m1) x columns [n0, n1) of C on the calling thread, with packing space ap (at least
// a_space(pl, m1 - m0) floats) and bp (at least b_space(pl, n1 - n0)).
void gemm_serial(const Plan& pl, i64 m0, i64 m1, i64 n0, i64 n1, float* ap, float* bp);

// Floats of packing space gemm_serial needs for `rows` rows (one A block) and `cols` columns
// (one B block).
i64 a_space(const Plan& pl, i64 rows);
i64 b_space(const Plan& pl, i64 cols);

}  // namespace sgemm_detail
}  // namespace nmlp

#endif
