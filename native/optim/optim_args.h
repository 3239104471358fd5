// Arguments of the optimizer loops (optim_loops.h), shared by the baseline and AVX2 builds.
// Plain data only: no functions, so nothing ISA-specific can be shared between the two files.
#ifndef NATIVE_MLP_OPTIM_ARGS_H
#define NATIVE_MLP_OPTIM_ARGS_H

#include <cstdint>

namespace nmlp {

struct MomentumArgs {
  float* w;
  const float* g;
  float* vel;
  float lr, momentum, wd;
  bool nesterov;
};

struct AdamArgs {
  float* w;
  const float* g;
  float* m;
  float* v;
  float beta1, one_minus_beta1, beta2, one_minus_beta2, eps, wd, decay, step_size, rsqrt_c2;
  bool decoupled;
};

#if defined(NATIVE_MLP_X86)
// optim_avx2.cc: the same loops built for AVX2; call only when cpu_has_avx2_fma().
void momentum_range_avx2(const MomentumArgs& a, std::int64_t lo, std::int64_t hi);
void adam_range_avx2(const AdamArgs& a, std::int64_t lo, std::int64_t hi);
#endif

}  // namespace nmlp

#endif
