// sgemm for a C of at most kSmallN columns (the output layer's classes) on one thread, without
// packing op(A): the products whose C is too narrow for the micro-kernels' 16-column tiles (most
// of each tile would be padding) and too small for the pool (sgemm.cc decides when it runs).
// Same rule as kernels.h: no inline functions or templates here, the ISA file is built with -mavx2.
#ifndef NATIVE_MLP_SGEMM_SMALL_H
#define NATIVE_MLP_SGEMM_SMALL_H

#include <cstdint>

#include "sgemm/sgemm.h"

namespace nmlp {

constexpr std::int64_t kSmallN = 16;

// C (= or +=) alpha op(A) op(B) for s.n <= kSmallN, over the depth blocks of kcb that sgemm's loop
// nest uses, with the arithmetic of the FMA micro-kernels (avx2, avx512): every element is summed
// from 0 in depth order as acc = fma(float(alpha * a), b, acc) within a block, and the block's acc
// stored (the first block when !first_accumulate) or added to C. So the result equals the packed
// path's bit for bit. beta is already applied by the front end. bpack: s.k * kSmallN floats,
// 32-byte aligned, scratch.
using SmallGemmFn = void (*)(const SgemmArgs& s, float alpha, std::int64_t kcb, bool first_accumulate,
                             float* bpack);

#if defined(NATIVE_MLP_X86)
SmallGemmFn sgemm_small_n_avx2();  // only call when cpu_has_avx2_fma()
#endif

}  // namespace nmlp

#endif
