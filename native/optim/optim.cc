#include "optim/optim.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "platform/fp_mode.h"
#include "optim/optim_loops.h"
#include "platform/thread_pool.h"

namespace nmlp {
namespace {

// Below this many parameters an update stays on the calling thread: waking a worker costs a few
// microseconds, about what 64k elements of Adam take on one core.
constexpr i64 kMinParallel = 1 << 16;
// Thread ranges start on 64-byte boundaries (16 floats) so no cache line is written by two threads.
constexpr i64 kAlign = 16;

template <typename Args, void (*Range)(const Args&, i64, i64)>
struct Job {
  const Args* args;
  i64 n;
  static void run(void* ctx, int tid, int nt) {
    const FlushDenormals flush;  // as on the caller (run() below), on every participant
    const Job& job = *static_cast<const Job*>(ctx);
    const i64 blocks = (job.n + kAlign - 1) / kAlign;
    const i64 lo = std::min(job.n, blocks * tid / nt * kAlign);
    const i64 hi = std::min(job.n, blocks * (tid + 1) / nt * kAlign);
    Range(*job.args, lo, hi);
  }
};

// Runs Range over [0, n), split across the pool when n is large and the pool is free and useful.
// With flush-to-zero and denormals-are-zero on every participant (fp_mode.h), whoever calls: the
// TypeScript twins emulate exactly that mode (src/backend/js/optim.ts), so the bits are the same.
template <typename Args, void (*Range)(const Args&, i64, i64)>
void run(const Args& args, i64 n, double flops_per_element) {
  const FlushDenormals flush;
  const int want = get_threads() < 2 || n < kMinParallel
                       ? 1
                       : static_cast<int>(std::min<i64>(get_threads(), n / (kMinParallel / 2)));
  if (want <= 1) {
    Range(args, 0, n);
    return;
  }
  PoolLease lease(CallKind::elementwise);
  const int nt = lease.acquired() ? lease.prepare(want) : 1;
  const auto start = std::chrono::steady_clock::now();
  if (nt <= 1) {
    Range(args, 0, n);
  } else {
    Job<Args, Range> job{&args, n};
    lease.run(nt, &Job<Args, Range>::run, &job);
  }
  if (lease.acquired()) {
    lease.report(nt, flops_per_element * static_cast<double>(n),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
}

}  // namespace

void momentum_update(float* w, const float* g, float* velocity, i64 n, double lr, double momentum,
                     double weight_decay, bool nesterov, bool avx2) {
  MomentumArgs a{w,
                 g,
                 velocity,
                 static_cast<float>(lr),
                 static_cast<float>(momentum),
                 static_cast<float>(weight_decay),
                 nesterov};
#if defined(NATIVE_MLP_X86)
  if (avx2) return run<MomentumArgs, momentum_range_avx2>(a, n, 6.0);
#endif
  run<MomentumArgs, momentum_range>(a, n, 6.0);
}

void adam_update(float* w, const float* g, float* m, float* v, i64 n, double lr, double beta1, double beta2,
                 double eps, double weight_decay, bool decoupled, i64 t, bool avx2) {
  const double c1 = 1.0 - std::pow(beta1, static_cast<double>(t));
  const double c2 = 1.0 - std::pow(beta2, static_cast<double>(t));
  AdamArgs a;
  a.w = w;
  a.g = g;
  a.m = m;
  a.v = v;
  a.beta1 = static_cast<float>(beta1);
  a.one_minus_beta1 = static_cast<float>(1.0 - beta1);
  a.beta2 = static_cast<float>(beta2);
  a.one_minus_beta2 = static_cast<float>(1.0 - beta2);
  a.eps = static_cast<float>(eps);
  a.wd = static_cast<float>(weight_decay);
  a.decay = static_cast<float>(1.0 - lr * weight_decay);
  a.step_size = static_cast<float>(lr / c1);
  a.rsqrt_c2 = static_cast<float>(1.0 / std::sqrt(c2));
  a.decoupled = decoupled;
#if defined(NATIVE_MLP_X86)
  if (avx2) return run<AdamArgs, adam_range_avx2>(a, n, 14.0);
#endif
  run<AdamArgs, adam_range>(a, n, 14.0);
}

}  // namespace nmlp
