// The per-element loops of the optimizer updates (native/optim/optim.h), included by optim.cc (baseline
// ISA) and optim_avx2.cc (compiled with -mavx2, called only when the CPU has it). Everything here
// has internal linkage, so each file gets its own copy built for its own ISA: the linker can never
// pick an AVX2 copy for the baseline code. Same IEEE operations in the same order in both (no FMA
// contraction: -ffp-contract=off), so both give the same bits.
#ifndef NATIVE_MLP_OPTIM_LOOPS_H
#define NATIVE_MLP_OPTIM_LOOPS_H

#include <cfloat>
#include <cmath>
#include <cstdint>

#include "optim/optim_args.h"

namespace nmlp {
namespace {

using i64 = std::int64_t;

// State that decays (velocity, Adam's moments) is stored as +0 once its magnitude falls below the
// smallest normal float32: subnormal arithmetic is slow on many CPUs, and this explicit flush,
// unlike a hardware mode, is the same in every backend (src/backend/js/optim.ts: flushTiny).
inline float flush_tiny(float x) { return std::fabs(x) < FLT_MIN ? 0.0f : x; }

// Separate loops per case, so each vectorises without a branch per element.
void momentum_range(const MomentumArgs& a, i64 lo, i64 hi) {
  float* w = a.w;
  const float* g = a.g;
  float* vel = a.vel;
  const float lr = a.lr, mu = a.momentum, wd = a.wd;
  if (mu == 0.0f) {
    if (wd == 0.0f) {
      for (i64 i = lo; i < hi; ++i) w[i] = w[i] - lr * g[i];
    } else {
      for (i64 i = lo; i < hi; ++i) w[i] = w[i] - lr * (g[i] + wd * w[i]);
    }
    return;
  }
  if (a.nesterov) {
    for (i64 i = lo; i < hi; ++i) {
      const float gi = wd == 0.0f ? g[i] : g[i] + wd * w[i];
      const float vi = flush_tiny(mu * vel[i] + gi);
      vel[i] = vi;
      w[i] = w[i] - lr * (gi + mu * vi);
    }
  } else {
    for (i64 i = lo; i < hi; ++i) {
      const float gi = wd == 0.0f ? g[i] : g[i] + wd * w[i];
      const float vi = flush_tiny(mu * vel[i] + gi);
      vel[i] = vi;
      w[i] = w[i] - lr * vi;
    }
  }
}

template <bool kL2, bool kDecoupled>
void adam_loop(const AdamArgs& a, i64 lo, i64 hi) {
  float* w = a.w;
  const float* g = a.g;
  float* m = a.m;
  float* v = a.v;
  const float b1 = a.beta1, c1 = a.one_minus_beta1, b2 = a.beta2, c2 = a.one_minus_beta2;
  const float eps = a.eps, wd = a.wd, decay = a.decay, step = a.step_size, r = a.rsqrt_c2;
  for (i64 i = lo; i < hi; ++i) {
    float wi = w[i];
    float gi = g[i];
    if (kDecoupled) wi = wi * decay;
    if (kL2) gi = gi + wd * wi;
    const float mi = flush_tiny(b1 * m[i] + c1 * gi);
    const float vi = flush_tiny(b2 * v[i] + c2 * (gi * gi));
    m[i] = mi;
    v[i] = vi;
    w[i] = wi - step * (mi / (std::sqrt(vi) * r + eps));
  }
}

void adam_range(const AdamArgs& a, i64 lo, i64 hi) {
  if (a.decoupled && a.wd != 0.0f) adam_loop<false, true>(a, lo, hi);
  else if (a.wd != 0.0f) adam_loop<true, false>(a, lo, hi);
  else adam_loop<false, false>(a, lo, hi);
}

}  // namespace
}  // namespace nmlp

#endif
