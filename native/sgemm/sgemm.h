// Single-precision GEMM, CBLAS row-major semantics:
//   C = alpha * op(A) * op(B) + beta * C,  op(A) m x k, op(B) k x n, C m x n.
//
// Layers (each with its own contract): front end sgemm.cc, loop nest sgemm_loops.cc, packing
// sgemm_pack.cc, shared through sgemm_internal.h; micro-kernels in kernels_<isa>.cc.
//   1. front end   sgemm(): early exits, beta handling (the only place beta is looked at),
//                  thread count and work split (contiguous MR row panels, or NR column panels
//                  when rows are few, per thread; results are bitwise the same for any thread
//                  count, since every element is summed in the same order).
//   2. loop nest   NC (columns of C) -> KC (depth) -> MC (rows of C) -> NR -> MR, BLIS style.
//   3. packing     op(A) blocks into MR-row micro-panels (alpha folded in), op(B) blocks into
//                  NR-column micro-panels, both zero-padded; transposes are handled by the
//                  packing strides, whole matrices are never copied.
//   4. micro-kernel one MR x NR tile per ISA (kernels.h), edge tiles through a small temp tile.
// A call on one thread whose C has at most kSmallN columns skips layers 2-4 on AVX2 / AVX-512
// machines (small.h): same sums, no packing of op(A).
#ifndef NATIVE_MLP_SGEMM_H
#define NATIVE_MLP_SGEMM_H

#include <cstdint>

#include "sgemm/kernels.h"

namespace nmlp {

struct SgemmArgs {
  bool trans_a;
  bool trans_b;
  std::int64_t m, n, k;
  double alpha;
  const float* a;
  std::int64_t lda;
  const float* b;
  std::int64_t ldb;
  double beta;
  float* c;
  std::int64_t ldc;
};

// Preconditions (the binding checks them; nothing here re-validates):
//   0 <= m, n, k < 2^31; lda >= max(1, cols of A as stored), same for ldb, ldc >= max(1, n);
//   C holds (m - 1) * ldc + n floats when m, n > 0; A and B hold their extents whenever
//   alpha != 0 and k, m, n > 0 (otherwise they are not read and may be null).
// beta == 0: C is written without being read. alpha == 0 or k == 0: C = beta * C only.
// Throws only std::bad_alloc (growing the packing buffers on the first call of a new shape).
void sgemm(const KernelInfo& kernel, const SgemmArgs& args);

// The threading decision, shared by sgemm and the sparse products (sparse.cc): how many
// participants to ask the pool for, for `flops` of work that splits into at most `units` pieces
// (1 = stay on the calling thread).
int threads_wanted(double flops, std::int64_t units);

// The micro-kernel sgemm runs for an n-column C on `kernel` (its narrow variant for small n), and
// the depth block it splits k into: the sparse products sum over the same blocks, so they match
// sgemm bit for bit.
const KernelInfo& sgemm_kernel_for(const KernelInfo& kernel, std::int64_t n);
std::int64_t sgemm_depth_block(const KernelInfo& kernel, std::int64_t n, std::int64_t k);

}  // namespace nmlp

#endif
