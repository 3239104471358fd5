#include "sgemm.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "thread_pool.h"

namespace nmlp {
namespace {

using i64 = std::int64_t;

constexpr int kMaxMR = 8;
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
      if (mr == MR) {
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

// pack_b: depth [p0, p0 + kc) x columns [j0 + q*NR, ...) of op(B) for the micro-panels q with
// q % stride == first (threads share the packing of one block), each kc x NR floats:
// dst[q][p][j] = op(B)(p0 + p, j0 + q*NR + j), columns past nc zero-filled.
// op(B)(p, j) = B[p*ldb + j], or B[j*ldb + p] when transposed.
template <int NR>
void pack_b(float* dst, const SgemmArgs& s, i64 p0, i64 kc, i64 j0, i64 nc, int first,
            int stride) {
  const i64 panels = ceil_div(nc, NR);
  for (i64 q = first; q < panels; q += stride) {
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
      for (i64 p = 0; p < kc; ++p) {
        for (int jj = 0; jj < nr; ++jj) d[p * NR + jj] = src[jj * s.ldb + p];
        for (int jj = nr; jj < NR; ++jj) d[p * NR + jj] = 0.0f;
      }
    }
  }
}

using PackAFn = void (*)(float*, const SgemmArgs&, float, i64, i64, i64, i64);
using PackBFn = void (*)(float*, const SgemmArgs&, i64, i64, i64, i64, int, int);

struct Packers {
  PackAFn a;
  PackBFn b;
};

// The packers for a kernel's MR / NR (compile-time widths let the compiler unroll them).
bool packers_for(const KernelInfo& k, Packers* out) {
  if (k.mr == 8 && k.nr == 32) { *out = {&pack_a<8>, &pack_b<32>}; return true; }
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
// pack the A block and run the macro-kernel. Used for single-threaded calls and for each column
// chunk of a column-split parallel call.
void gemm_serial(const Plan& pl, i64 m0, i64 m1, i64 n0, i64 n1, float* ap, float* bp) {
  const SgemmArgs& s = pl.s;
  const i64 rows = m1 - m0;
  if (rows <= 0 || n1 <= n0) return;
  const i64 mcb = even_block(rows, pl.mc_max, pl.kernel->mr);
  for (i64 jc = n0; jc < n1; jc += pl.ncb) {
    const i64 nc = std::min(pl.ncb, n1 - jc);
    for (i64 pc = 0; pc < s.k; pc += pl.kcb) {
      const i64 kc = std::min(pl.kcb, s.k - pc);
      pl.pack.b(bp, s, pc, kc, jc, nc, 0, 1);
      const bool accumulate = pc > 0 || pl.first_accumulate;
      for (i64 ic = m0; ic < m1; ic += mcb) {
        const i64 mc = std::min(mcb, m1 - ic);
        pl.pack.a(ap, s, pl.alpha, ic, mc, pc, kc);
        macro_kernel(pl, ap, bp, mc, nc, kc, s.c + ic * s.ldc + jc, accumulate);
      }
    }
  }
}

// Floats of packing space for `rows` rows (one A block) and `cols` columns (one B block).
// gemm_serial's row block even_block(rows, mc_max, MR) never exceeds min(round_up(rows, MR),
// mc_max), and that bound grows with `rows`, so sizing for the largest share covers all.
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
// Parallel calls. Work is handed out dynamically through atomic tickets, never by thread id:
// pool workers may join late (asleep, or descheduled on a busy machine) and whoever is running
// takes the next task, so one slow thread cannot stall the others for long.
//
// Row split (the usual case, enough rows for every thread): the packed B is shared. The call is
// a sequence of rounds, one per NC column block and group of KC depth blocks whose packed B fits
// kRoundBudget (the training shapes are a single round). A round:
//   1. pack tasks: one per (depth block, NR micro-panel) of the round's B, claimed by ticket;
//   2. wait until every pack task is done (the only wait inside a round);
//   3. row tasks: chunks of rows; per chunk and depth block, pack A and run the macro-kernel.
// Before the next round overwrites the B buffer, every row task of this round must be done.
// Column split (fewer MR panels than threads): column chunks are independent; each task packs its
// own B columns and all of the (few) rows of A.

constexpr i64 kRoundBudget = i64{1} << 19;  // floats of shared packed B per round (2 MiB)

struct ParallelCall {
  const Plan* plan;
  PoolLease* lease;
  bool split_rows;
  // Row split.
  i64 round_k;        // depth covered by one round (a multiple of kcb)
  i64 chunk_rows;     // rows per row task (a multiple of MR)
  i64 chunks;         // row tasks per round
  float* shared_b;    // the round's packed B: depth block d at d * kcb * ncb_pad
  // Column split.
  i64 chunk_cols;     // columns per column task (a multiple of NR)
  // Tickets and completion counters, monotonic over the whole call.
  std::atomic<i64> pack_next{0};
  std::atomic<i64> pack_done{0};
  std::atomic<i64> task_next{0};
  std::atomic<i64> task_done{0};
  Waiter waiter;
};

// Claims the next ticket below `end`, or returns -1.
i64 claim(std::atomic<i64>& next, i64 end) {
  i64 t = next.load(std::memory_order_relaxed);
  while (t < end) {
    if (next.compare_exchange_weak(t, t + 1, std::memory_order_acq_rel)) return t;
  }
  return -1;
}

void finish(ParallelCall& pc, std::atomic<i64>& done) {
  done.fetch_add(1);  // seq_cst, then notify: see Waiter
  pc.waiter.notify();
}

void run_rows(ParallelCall& call, Workspace& ws) {
  const Plan& pl = *call.plan;
  const SgemmArgs& s = pl.s;
  const i64 NR = pl.kernel->nr;
  i64 pack_base = 0, task_base = 0;
  bool first_round = true;
  for (i64 jc = 0; jc < s.n; jc += pl.ncb) {
    const i64 nc = std::min(pl.ncb, s.n - jc);
    const i64 panels = ceil_div(nc, NR);
    const i64 block_stride = pl.kcb * panels * NR;  // floats per packed depth block
    for (i64 k0 = 0; k0 < s.k; k0 += call.round_k) {
      const i64 k1 = std::min(s.k, k0 + call.round_k);
      const i64 depth_blocks = ceil_div(k1 - k0, pl.kcb);
      // The previous round's row tasks still read the B buffer: wait for them.
      if (!first_round) {
        const i64 until = task_base;
        call.waiter.wait([&] { return call.task_done.load() >= until; });
      }
      first_round = false;
      // 1. Pack tasks.
      const i64 pack_end = pack_base + depth_blocks * panels;
      for (i64 t; (t = claim(call.pack_next, pack_end)) >= 0;) {
        const i64 d = (t - pack_base) / panels;
        const i64 q = (t - pack_base) % panels;
        const i64 pc = k0 + d * pl.kcb;
        const i64 kc = std::min(pl.kcb, k1 - pc);
        pl.pack.b(call.shared_b + d * block_stride, s, pc, kc, jc, nc, static_cast<int>(q),
                  static_cast<int>(panels));
        finish(call, call.pack_done);
      }
      // 2. Wait for the whole B of this round.
      call.waiter.wait([&] { return call.pack_done.load() >= pack_end; });
      // 3. Row tasks.
      const i64 task_end = task_base + call.chunks;
      for (i64 t; (t = claim(call.task_next, task_end)) >= 0;) {
        const i64 r0 = (t - task_base) * call.chunk_rows;
        const i64 rows = std::min(call.chunk_rows, s.m - r0);
        float* ap = ws.a.data();
        for (i64 d = 0; d < depth_blocks; ++d) {
          const i64 pc = k0 + d * pl.kcb;
          const i64 kc = std::min(pl.kcb, k1 - pc);
          pl.pack.a(ap, s, pl.alpha, r0, rows, pc, kc);
          macro_kernel(pl, ap, call.shared_b + d * block_stride, rows, nc, kc,
                       s.c + r0 * s.ldc + jc, pc > 0 || pl.first_accumulate);
        }
        finish(call, call.task_done);
      }
      pack_base = pack_end;
      task_base = task_end;
    }
  }
}

void run_cols(ParallelCall& call, Workspace& ws) {
  const Plan& pl = *call.plan;
  const i64 tasks = ceil_div(pl.s.n, call.chunk_cols);
  for (i64 t; (t = claim(call.task_next, tasks)) >= 0;) {
    const i64 n0 = t * call.chunk_cols;
    const i64 n1 = std::min(pl.s.n, n0 + call.chunk_cols);
    gemm_serial(pl, 0, pl.s.m, n0, n1, ws.a.data(), ws.b.data());
  }
}

void run_parallel_job(void* ctx, int tid, int /*nt*/) {
  ParallelCall& call = *static_cast<ParallelCall*>(ctx);
  Workspace& ws = call.lease->workspace(tid);
  if (call.split_rows) {
    run_rows(call, ws);
  } else {
    run_cols(call, ws);
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
  pl.kernel = &kernel;
  if (!packers_for(kernel, &pl.pack)) {
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
  if (nt <= 1) {
    run_single(pl);
    return;
  }
  ParallelCall call;
  call.plan = &pl;
  call.lease = &lease;
  // Split rows when every participant gets at least one MR panel: B's packing is then shared.
  // Otherwise (very few rows) split columns; each task packs its own B and all of A.
  call.split_rows = m_panels >= nt;
  if (call.split_rows) {
    const i64 ncb_pad = round_up(std::min(pl.ncb, s.n), NR);
    call.round_k = std::max<i64>(1, kRoundBudget / (ncb_pad * pl.kcb)) * pl.kcb;
    // About two row tasks per thread: enough to even out a late or slow thread, few enough that
    // each task still reuses every B micro-panel from L1 over several MR panels.
    call.chunk_rows = std::min(pl.mc_max, round_up(ceil_div(s.m, 2 * static_cast<i64>(nt)), MR));
    call.chunks = ceil_div(s.m, call.chunk_rows);
    const i64 depth_blocks = ceil_div(std::min(call.round_k, s.k), pl.kcb);
    call.shared_b = lease.workspace(0).b.ensure(
        static_cast<std::size_t>(depth_blocks * pl.kcb * ncb_pad));
    for (int t = 0; t < nt; ++t)
      lease.workspace(t).a.ensure(static_cast<std::size_t>(call.chunk_rows * pl.kcb));
  } else {
    call.chunk_cols = round_up(ceil_div(s.n, 2 * static_cast<i64>(nt)), NR);
    for (int t = 0; t < nt; ++t) {
      Workspace& ws = lease.workspace(t);
      ws.a.ensure(static_cast<std::size_t>(a_space(pl, s.m)));
      ws.b.ensure(static_cast<std::size_t>(b_space(pl, call.chunk_cols)));
    }
  }
  lease.run(nt, &run_parallel_job, &call);
}

}  // namespace nmlp
