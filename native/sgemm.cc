#include "sgemm.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstring>

#include "thread_pool.h"

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>  // SSE/SSE2: part of the x86-64 baseline, no run-time check needed
#define NMLP_SSE 1
#endif

namespace nmlp {
namespace {

using i64 = std::int64_t;

constexpr int kMaxMR = 16;
constexpr int kMaxNR = 32;

// Below this many flops (2mnk) a call stays on the calling thread: waking a worker and splitting
// the packing costs a few microseconds, more than it saves on e.g. the 128x10x128 output layer.
constexpr double kMinFlopsPerThread = 1.5e6;

i64 ceil_div(i64 a, i64 b) { return (a + b - 1) / b; }
i64 round_up(i64 a, i64 b) { return ceil_div(a, b) * b; }

// Splits `total` into ceil(total / max_block) nearly equal blocks (a multiple of `unit` each,
// except the last): 784 with max 256 gives 4 x 196 rather than 256, 256, 256, 16.
i64 even_block(i64 total, i64 max_block, i64 unit) {
  if (total <= 0) return unit;
  const i64 blocks = ceil_div(total, max_block);
  return round_up(ceil_div(total, blocks), unit);
}

// ----------------------------------------------------------------------------------------------
// Layer 1 helper: C = beta * C for an m x n block (beta == 0 writes zeros, never reads C).

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

// ----------------------------------------------------------------------------------------------
// Layer 3: packing.

// Interleaves `rows` (a multiple of 4) source rows, each read at src[r * ld + p] for p < kc,
// into dst[p * width + r] (times scale): the strided gather both non-transposed A (width MR) and
// transposed B (width NR) need. SSE path: 4x4 register transposes, 4 rows x 4 depth steps at a
// time; scalar elsewhere and for the depth remainder.
void interleave_rows(float* dst, int width, const float* src, i64 ld, int rows, i64 kc, float scale) {
  i64 p = 0;
#if defined(NMLP_SSE)
  const __m128 vs = _mm_set1_ps(scale);
  for (; p + 4 <= kc; p += 4) {
    for (int r = 0; r < rows; r += 4) {
      __m128 r0 = _mm_loadu_ps(src + (r + 0) * ld + p);
      __m128 r1 = _mm_loadu_ps(src + (r + 1) * ld + p);
      __m128 r2 = _mm_loadu_ps(src + (r + 2) * ld + p);
      __m128 r3 = _mm_loadu_ps(src + (r + 3) * ld + p);
      _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
      float* d = dst + p * width + r;
      _mm_storeu_ps(d, _mm_mul_ps(r0, vs));
      _mm_storeu_ps(d + width, _mm_mul_ps(r1, vs));
      _mm_storeu_ps(d + 2 * width, _mm_mul_ps(r2, vs));
      _mm_storeu_ps(d + 3 * width, _mm_mul_ps(r3, vs));
    }
  }
#endif
  for (; p < kc; ++p)
    for (int r = 0; r < rows; ++r) dst[p * width + r] = scale * src[r * ld + p];
}
//
// pack_a: rows [i0, i0 + mc) x depth [p0, p0 + kc) of op(A), times alpha, into ceil(mc / MR)
// micro-panels of kc x MR floats: dst[panel][p][i] = alpha * op(A)(i0 + panel*MR + i, p0 + p),
// rows past mc zero-filled. op(A)(i, p) = A[i*lda + p], or A[p*lda + i] when transposed.
template <int MR>
void pack_a(float* dst, const SgemmArgs& s, float alpha, i64 i0, i64 mc, i64 p0, i64 kc) {
  for (i64 r = 0; r < mc; r += MR) {
    const int mr = static_cast<int>(std::min<i64>(MR, mc - r));
    float* d = dst + r * kc;
    if (s.trans_a) {
      // op(A) row i is column i of the stored A: MR consecutive floats per depth step.
      const float* src = s.a + p0 * s.lda + (i0 + r);
      if (mr == MR) {
        for (i64 p = 0; p < kc; ++p) {
          const float* sp = src + p * s.lda;
          for (int i = 0; i < MR; ++i) d[p * MR + i] = alpha * sp[i];
        }
      } else {
        for (i64 p = 0; p < kc; ++p) {
          const float* sp = src + p * s.lda;
          for (int i = 0; i < mr; ++i) d[p * MR + i] = alpha * sp[i];
          for (int i = mr; i < MR; ++i) d[p * MR + i] = 0.0f;
        }
      }
    } else {
      // op(A) row i is row i of the stored A: read MR rows side by side, write interleaved.
      const float* src = s.a + (i0 + r) * s.lda + p0;
      if (mr == MR && MR % 4 == 0) {
        interleave_rows(d, MR, src, s.lda, MR, kc, alpha);
      } else if (mr == MR) {
        const float* rows[MR];
        for (int i = 0; i < MR; ++i) rows[i] = src + i * s.lda;
        for (i64 p = 0; p < kc; ++p)
          for (int i = 0; i < MR; ++i) d[p * MR + i] = alpha * rows[i][p];
      } else {
        for (i64 p = 0; p < kc; ++p) {
          for (int i = 0; i < mr; ++i) d[p * MR + i] = alpha * src[i * s.lda + p];
          for (int i = mr; i < MR; ++i) d[p * MR + i] = 0.0f;
        }
      }
    }
  }
}

// pack_b: depth [p0, p0 + kc) x columns [j0, j0 + nc) of op(B) into ceil(nc / NR) micro-panels
// of kc x NR floats: dst[q][p][j] = op(B)(p0 + p, j0 + q*NR + j), columns past nc zero-filled.
// op(B)(p, j) = B[p*ldb + j], or B[j*ldb + p] when transposed.
template <int NR>
void pack_b(float* dst, const SgemmArgs& s, i64 p0, i64 kc, i64 j0, i64 nc) {
  const i64 panels = ceil_div(nc, NR);
  for (i64 q = 0; q < panels; ++q) {
    const int nr = static_cast<int>(std::min<i64>(NR, nc - q * NR));
    float* d = dst + q * NR * kc;
    const i64 j = j0 + q * NR;
    if (!s.trans_b) {
      const float* src = s.b + p0 * s.ldb + j;
      if (nr == NR) {
        for (i64 p = 0; p < kc; ++p) std::memcpy(d + p * NR, src + p * s.ldb, NR * sizeof(float));
      } else {
        for (i64 p = 0; p < kc; ++p) {
          const float* sp = src + p * s.ldb;
          for (int jj = 0; jj < nr; ++jj) d[p * NR + jj] = sp[jj];
          for (int jj = nr; jj < NR; ++jj) d[p * NR + jj] = 0.0f;
        }
      }
    } else {
      // op(B) column j is row j of the stored B: read nr rows side by side.
      const float* src = s.b + j * s.ldb + p0;
      const int full = nr & ~3;  // rows of B in groups of 4 through the transposing path
      if (full > 0) interleave_rows(d, NR, src, s.ldb, full, kc, 1.0f);
      for (i64 p = 0; p < kc; ++p) {
        for (int jj = full; jj < nr; ++jj) d[p * NR + jj] = src[jj * s.ldb + p];
        for (int jj = nr; jj < NR; ++jj) d[p * NR + jj] = 0.0f;
      }
    }
  }
}

using PackAFn = void (*)(float*, const SgemmArgs&, float, i64, i64, i64, i64);
using PackBFn = void (*)(float*, const SgemmArgs&, i64, i64, i64, i64);

struct Packers {
  PackAFn a;
  PackBFn b;
};

// The packers for a kernel's MR / NR (compile-time widths let the compiler unroll them).
bool packers_for(const KernelInfo& k, Packers* out) {
  if (k.mr == 8 && k.nr == 32) { *out = {&pack_a<8>, &pack_b<32>}; return true; }
  if (k.mr == 16 && k.nr == 16) { *out = {&pack_a<16>, &pack_b<16>}; return true; }
  if (k.mr == 6 && k.nr == 16) { *out = {&pack_a<6>, &pack_b<16>}; return true; }
  if (k.mr == 4 && k.nr == 8) { *out = {&pack_a<4>, &pack_b<8>}; return true; }
  return false;
}

// ----------------------------------------------------------------------------------------------
// Layer 2: the loop nest.

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

// Macro-kernel: C[0:mc, 0:nc] (+)= packed A block (mc x kc) * packed B block (kc x nc).
// Loop jr outside ir so one B micro-panel (kc x NR) stays in L1 while the A micro-panels stream.
void macro_kernel(const Plan& pl, const float* ap, const float* bp, i64 mc, i64 nc, i64 kc,
                  float* c, bool accumulate) {
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

void run_single(const Plan& pl) {
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

// ----------------------------------------------------------------------------------------------
// Layer 1: the front end.

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
  pl.kernel = kernel.narrow != nullptr && s.n <= kernel.narrow->nr ? kernel.narrow : &kernel;
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

  // Threads: one per ~kMinFlopsPerThread of work, at most the setting, at most one per panel.
  const double flops = 2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) *
                       static_cast<double>(s.k);
  const i64 m_panels = ceil_div(s.m, MR);
  const i64 n_panels = ceil_div(s.n, NR);
  i64 want = std::min<i64>(get_threads(), static_cast<i64>(flops / kMinFlopsPerThread));
  want = std::min(want, std::max(m_panels, n_panels));
  if (want <= 1) {
    run_single(pl);
    return;
  }

  PoolLease lease;  // busy (another JS thread is using it) -> run on this thread alone
  const int nt = lease.acquired() ? lease.prepare(static_cast<int>(want)) : 1;
  const auto start = std::chrono::steady_clock::now();
  auto report = [&] {
    lease.report(nt, flops,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
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
