// Layer 1 of sgemm: the front end. Early exits, beta handling (the only place beta is looked
// at), the plan, and THE threading decision: how many participants a call uses and how the work
// is split between them. The loop nest and packing live in sgemm_loops.cc and sgemm_pack.cc.
#include "sgemm/sgemm.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstring>

#include "sgemm/sgemm_internal.h"
#include "sgemm/small.h"
#include "platform/cpu.h"
#include "platform/thread_pool.h"

namespace nmlp {
namespace {

using namespace sgemm_detail;

// Below this many flops (2mnk) a call stays on the calling thread: waking a worker and splitting
// the packing costs a few microseconds, more than it saves on e.g. the 128x10x128 output layer.
constexpr double kMinFlopsPerThread = 1.5e6;

// C = beta * C for an m x n block (beta == 0 writes zeros, never reads C).
void scale_c(float* c, i64 m, i64 n, i64 ldc, double beta) {
  if (beta == 1.0) return;
  const float fb = static_cast<float>(beta);
  for (i64 i = 0; i < m; ++i) {
    float* ci = c + i * ldc;
    if (beta == 0.0) {
      std::memset(ci, 0, static_cast<std::size_t>(n) * sizeof(float));
    } else {
      for (i64 j = 0; j < n; ++j) ci[j] *= fb;
    }
  }
}

// The narrow-C path (small.h) for a call that stays on this thread, where the ISA has one (null:
// the packed path). Its sums are the packed path's, so which of the two runs changes no bit.
SmallGemmFn small_for(const Plan& pl) {
#if defined(NATIVE_MLP_X86) && !defined(NATIVE_MLP_WASM)
  if (pl.s.n <= kSmallN && runs_avx2(*pl.kernel)) return sgemm_small_n_avx2();
#else
  (void)pl;
#endif
  return nullptr;
}

void run_single(const Plan& pl) {
  if (const SmallGemmFn small = small_for(pl)) {
    float* bp = thread_workspace().b.ensure(static_cast<std::size_t>(pl.s.k * kSmallN));
    small(pl.s, pl.alpha, pl.kcb, pl.first_accumulate, bp);
    return;
  }
  Workspace& ws = thread_workspace();
  float* ap = ws.a.ensure(static_cast<std::size_t>(a_space(pl, pl.s.m)));
  float* bp = ws.b.ensure(static_cast<std::size_t>(b_space(pl, pl.s.n)));
  gemm_serial(pl, 0, pl.s.m, 0, pl.s.n, ap, bp);
}

// ----------------------------------------------------------------------------------------------
// Parallel calls. Each participant takes one contiguous range of whole MR row panels (or, when
// there are fewer row panels than threads, of NR column panels) and runs gemm_serial on it with
// its own packing buffers: participants share nothing but the read-only A and B and never wait
// for each other; the only synchronisation is the pool's final join. Splitting rows packs A (the
// larger operand of the training shapes' row-heavy products) exactly once and B once per thread;
// a shared packed B would save that second packing but costs more in cross-core cache traffic
// (and makes every thread wait for the slowest packer). Whether a split pays at all on a busy
// machine is the pool's call (see PoolLease::prepare).

struct ParallelCall {
  const Plan* plan;
  PoolLease* lease;
  bool split_rows;
  i64 panels;  // MR row panels (split_rows) or NR column panels to share out
};

void run_parallel_job(void* ctx, int tid, int nt) {
  const ParallelCall& call = *static_cast<const ParallelCall*>(ctx);
  // A private copy: the caller's stack, where the plan lives, is written by the caller while it
  // works on its own share; reading the plan from there in the inner loops would bounce lines.
  const Plan pl = *call.plan;
  Workspace& ws = call.lease->workspace(tid);
  const i64 unit = call.split_rows ? pl.kernel->mr : pl.kernel->nr;
  const i64 extent = call.split_rows ? pl.s.m : pl.s.n;
  const i64 lo = std::min(extent, call.panels * tid / nt * unit);
  const i64 hi = std::min(extent, call.panels * (tid + 1) / nt * unit);
  if (call.split_rows) {
    gemm_serial(pl, lo, hi, 0, pl.s.n, ws.a.data(), ws.b.data());
  } else {
    gemm_serial(pl, 0, pl.s.m, lo, hi, ws.a.data(), ws.b.data());
  }
}

}  // namespace

int threads_wanted(double flops, i64 units) {
  // One per ~kMinFlopsPerThread of work, at most the setting, at most one per unit.
  i64 want = std::min<i64>(get_threads(), static_cast<i64>(flops / kMinFlopsPerThread));
  want = std::min(want, units);
  return static_cast<int>(std::max<i64>(want, 1));
}

const KernelInfo& sgemm_kernel_for(const KernelInfo& kernel, i64 n) {
  return kernel.narrow != nullptr && n <= kernel.narrow->nr ? *kernel.narrow : kernel;
}

i64 sgemm_depth_block(const KernelInfo& kernel, i64 n, i64 k) {
  return even_block(k, sgemm_kernel_for(kernel, n).kc, 1);
}

void sgemm(const KernelInfo& kernel, const SgemmArgs& s) {
  if (s.m == 0 || s.n == 0) return;
  // alpha == 0 or k == 0: A and B are not read.
  if (s.alpha == 0.0 || s.k == 0) {
    scale_c(s.c, s.m, s.n, s.ldc, s.beta);
    return;
  }
  // beta: 0 -> the first depth block overwrites C (stale NaN never read); 1 -> accumulate;
  // anything else -> scale C once here, then accumulate.
  bool first_accumulate = true;
  if (s.beta == 0.0) {
    first_accumulate = false;
  } else if (s.beta != 1.0) {
    scale_c(s.c, s.m, s.n, s.ldc, s.beta);
  }

  Plan pl;
  pl.kernel = &sgemm_kernel_for(kernel, s.n);
  if (!packers_for(*pl.kernel, &pl.pack)) {
    pl.kernel = kernel_generic();
    packers_for(*pl.kernel, &pl.pack);
  }
  pl.s = s;
  pl.alpha = static_cast<float>(s.alpha);
  pl.first_accumulate = first_accumulate;
  const i64 MR = pl.kernel->mr;
  const i64 NR = pl.kernel->nr;
  pl.kcb = even_block(s.k, pl.kernel->kc, 1);
  pl.ncb = round_up(std::min<i64>(s.n, pl.kernel->nc), NR);
  pl.mc_max = std::max<i64>(MR, pl.kernel->mc / MR * MR);

  const double flops = 2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k);
  const i64 m_panels = ceil_div(s.m, MR);
  const i64 n_panels = ceil_div(s.n, NR);
  const int want = threads_wanted(flops, std::max(m_panels, n_panels));
  if (want <= 1) {
    run_single(pl);
    return;
  }

  PoolLease lease(CallKind::sgemm);  // busy (another JS thread is using it) -> run on this thread alone
  const int nt = lease.acquired() ? lease.prepare(want) : 1;
  const auto start = std::chrono::steady_clock::now();
  auto report = [&] {
    lease.report(nt, flops, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  };
  if (nt <= 1) {
    run_single(pl);
    report();
    return;
  }
  ParallelCall call;
  call.plan = &pl;
  call.lease = &lease;
  call.split_rows = m_panels >= nt;
  call.panels = call.split_rows ? m_panels : n_panels;
  const i64 share = ceil_div(call.panels, nt);  // the largest range, in panels
  const i64 rows = call.split_rows ? share * MR : s.m;
  const i64 cols = call.split_rows ? s.n : share * NR;
  for (int t = 0; t < nt; ++t) {
    Workspace& ws = lease.workspace(t);
    ws.a.ensure(static_cast<std::size_t>(a_space(pl, rows)));
    ws.b.ensure(static_cast<std::size_t>(b_space(pl, cols)));
  }
  lease.run(nt, &run_parallel_job, &call);
  report();
}

}  // namespace nmlp
