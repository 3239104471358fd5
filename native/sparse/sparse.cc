// Front end of the sparse-input products (sparse.h): depth blocks as sgemm's, the ISA's kernel
// (sparse_kernels.h), the transposed copy X^T for the weight product, and the split between the
// pool's participants (the thread count comes from threads_wanted in sgemm.cc, the one place that
// decides it).
#include "sparse/sparse.h"

#include <algorithm>
#include <chrono>

#include "platform/cpu.h"
#include "nn/fused.h"
#include "sgemm/sgemm.h"
#include "sparse/sparse_kernels.h"
#include "platform/thread_pool.h"

namespace nmlp {
namespace {

using i64 = std::int64_t;

SparseDotFn dot_for(const KernelInfo& kernel) {
#if defined(NATIVE_MLP_WASM)
  return sparse_dot_wasm128();  // the build's only sgemm kernel is kernels_wasm128.cc: same arithmetic
#else
#if defined(NATIVE_MLP_X86)
  if (runs_avx2(kernel))
    return sparse_dot_avx2();  // the same FMA chain per element as both ISAs' sgemm kernels
#endif
  return sparse_dot_generic();
#endif
}

// The slice kernel (sparse_kernels.h) where the ISA has one, else null (row by row).
SparseBlockFn block_for(const KernelInfo& kernel) {
#if defined(NATIVE_MLP_X86) && !defined(NATIVE_MLP_WASM)
  if (runs_avx2(kernel)) return sparse_block32_avx2();
#else
  (void)kernel;
#endif
  return nullptr;
}

CompactRowFn compact_for(const KernelInfo& kernel) {
#if defined(NATIVE_MLP_X86)
  if (runs_avx2(kernel)) return compact_row_avx2();
#endif
  return compact_row_generic();
}

// C = beta * C through sgemm's front end (alpha = 0 reads neither operand): beta is handled in
// one place.
void scale(float* c, i64 rows, i64 n, double beta) {
  SgemmArgs s{
      false, false, rows, n, 0, 0.0, nullptr, 1, nullptr, std::max<i64>(n, 1), beta, c, std::max<i64>(n, 1)};
  sgemm(*kernel_generic(), s);
}

// Splits `units` items with cumulative work ptr[0..units] into nt ranges of nearly equal work:
// the first item of range tid. (Splitting the output columns instead, so that each core keeps
// its own half of W1 in its L2, measured slower on the 784-128 layer: every core then walks every
// row's index list.)
i64 split_point(const std::int32_t* ptr, i64 units, int tid, int nt) {
  if (tid <= 0) return 0;
  if (tid >= nt) return units;
  const i64 target = static_cast<i64>(ptr[units]) * tid / nt;
  // The first item whose cumulative work reaches the target (a binary search; ptr never decreases).
  i64 lo = 0, hi = units;
  while (lo < hi) {
    const i64 mid = lo + (hi - lo) / 2;
    if (ptr[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Runs job(ctx, tid, nt) on the pool for `flops` of work in `units` pieces (or on the caller).
// The call's time per flop feeds the pool's pool-or-alone choice like an sgemm call's: on the
// sparse path the big products are these, and without their reports the pool would never learn
// that a busy machine makes it lose (a descheduled worker stalls a statically split call).
void run_split(double flops, int want, JobFn job, void* ctx) {
  if (want <= 1) {
    job(ctx, 0, 1);
    return;
  }
  PoolLease lease(CallKind::sparse);  // busy (another JS thread is using it) -> this thread alone
  const int nt = lease.acquired() ? lease.prepare(want) : 1;
  const auto start = std::chrono::steady_clock::now();
  lease.run(nt, job, ctx);
  lease.report(nt, flops, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

// The end of a depth block in a list of ascending indices from t to end: the first entry at or
// past `limit`, or end for the last block (limit >= depth). Counts without a branch per entry
// (a scan that stops at the block's end mispredicts once per row and block).
i64 block_end(const std::int32_t* index, i64 t, i64 end, i64 limit, i64 depth) {
  if (limit >= depth) return end;
  // 32-bit compares and count (indices are int32; limit < depth), which vectorize.
  const std::int32_t lim = static_cast<std::int32_t>(std::min<i64>(limit, INT32_MAX));
  std::int32_t count = 0;
  for (i64 v = t; v < end; ++v) count += index[v] < lim;
  return t + count;
}

// Units (rows of c) handled together by the slice kernel: their list bounds live on the stack.
constexpr i64 kGroup = 1024;
// Columns of one slice (the slice kernel's width).
constexpr i64 kSlice = 32;

// c row u (leading dimension n) (= or +=) the sum over unit u's list of val[t] * b row idx[t], for
// units [lo, hi), whose lists (ascending indices in [0, depth)) `bounds(u, first, last)` gives.
// Depth blocks of kcb as sgemm's (the first overwrites unless accumulate_first, the others add),
// and within a block the columns slice by slice, every unit of a group walking the same slice of
// b before the next: the same sums as row by row, in the same order. Each slice (kcb x 32 floats)
// is first copied into `packed` (depth x 32 floats, rows contiguous): in place, with b's rows
// 512 bytes apart, a slice's lines would fall into an eighth of L1's sets and evict each other.
template <typename Bounds>
void sliced_units(SparseDotFn dot, SparseBlockFn block, Bounds bounds, const std::int32_t* idx,
                  const float* val, i64 depth, i64 kcb, const float* b, i64 n, float* c, i64 lo, i64 hi,
                  bool accumulate_first, float* packed) {
  std::int32_t beg[kGroup], end[kGroup], last[kGroup];
  for (i64 g = lo; g < hi; g += kGroup) {
    const i64 units = std::min(kGroup, hi - g);
    for (i64 u = 0; u < units; ++u) bounds(g + u, beg[u], last[u]);
    for (i64 blk = 0; blk < depth; blk += kcb) {
      for (i64 u = 0; u < units; ++u) {
        end[u] = static_cast<std::int32_t>(block_end(idx, beg[u], last[u], blk + kcb, depth));
      }
      const bool accumulate = blk > 0 || accumulate_first;
      float* cg = c + g * n;
      i64 j = 0;
      const i64 rows_in_block = std::min(kcb, depth - blk);
      for (; j + kSlice <= n; j += kSlice) {
        const float* src = b + blk * n + j;
        float* dst = packed + blk * kSlice;
        for (i64 r = 0; r < rows_in_block; ++r) {
          for (i64 q = 0; q < kSlice; ++q) dst[r * kSlice + q] = src[r * n + q];
        }
        block(units, beg, end, val, idx, packed, cg + j, n, accumulate);
      }
      if (j < n) {
        for (i64 u = 0; u < units; ++u) {
          dot(end[u] - beg[u], val + beg[u], idx + beg[u], b + j, n, n - j, cg + u * n + j, accumulate);
        }
      }
      for (i64 u = 0; u < units; ++u) beg[u] = end[u];
    }
  }
}

// ---------------------------------------------------------------------------------------------
// c = X b

struct ForwardCall {
  SparseBlockFn block;  // null: row by row
  float* packs;         // with block: k x 32 floats per participant
  SparseDotFn dot;
  CsrBatch x;
  const float* b;
  i64 n;
  i64 kcb;
  float* c;
};

void forward_job(void* ctx, int tid, int nt) {
  const ForwardCall& f = *static_cast<const ForwardCall*>(ctx);
  const CsrBatch& x = f.x;
  const i64 lo = split_point(x.row_ptr, x.rows, tid, nt);
  const i64 hi = split_point(x.row_ptr, x.rows, tid + 1, nt);
  if (f.block != nullptr && f.n >= kSlice) {
    // Clamped to the checked non-zeros: X is shared memory a racing thread could change.
    auto bounds = [&x](i64 i, std::int32_t& first, std::int32_t& last) {
      const i64 t = std::min<i64>(std::max<i64>(x.row_ptr[i], 0), x.nnz);
      first = static_cast<std::int32_t>(t);
      last = static_cast<std::int32_t>(std::min<i64>(std::max<i64>(x.row_ptr[i + 1], t), x.nnz));
    };
    sliced_units(f.dot, f.block, bounds, x.cols, x.values, x.k, f.kcb, f.b, f.n, f.c, lo, hi, false,
                 f.packs + static_cast<i64>(tid) * x.k * kSlice);
    return;
  }
  for (i64 i = lo; i < hi; ++i) {
    float* ci = f.c + i * f.n;
    // Clamped to the checked non-zeros: X is shared memory a racing thread could change.
    i64 t = std::min<i64>(std::max<i64>(x.row_ptr[i], 0), x.nnz);
    const i64 end = std::min<i64>(std::max<i64>(x.row_ptr[i + 1], t), x.nnz);
    // The depth blocks of sgemm: the first overwrites, the others add (an empty one adds 0).
    for (i64 blk = 0; blk < x.k; blk += f.kcb) {
      const i64 u = block_end(x.cols, t, end, blk + f.kcb, x.k);
      f.dot(u - t, x.values + t, x.cols + t, f.b, f.n, f.n, ci, blk > 0);
      t = u;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// c = alpha X^T d + beta c, on X^T in compressed sparse columns (alpha folded into the values as
// sgemm's packing folds it into A).

struct Transposed {
  std::int32_t* col_ptr;  // k + 1
  std::int32_t* next;     // k, fill positions
  std::int32_t* row_idx;  // nnz
  float* values;          // nnz, times alpha
  std::int32_t* cols;     // nnz, X's column indices, copied once
};

// The transposed copy, in the calling thread's packing space (4-byte elements each): no other
// user of that space runs during a sparse product (its participants use the pool's own spaces).
// Throws std::bad_alloc.
Transposed transposed_space(i64 k, i64 nnz) {
  float* p = thread_workspace().b.ensure(static_cast<std::size_t>(2 * k + 1 + 3 * nnz));
  auto* ints = reinterpret_cast<std::int32_t*>(p);
  return {ints, ints + k + 1, ints + 2 * k + 1, p + 2 * k + 1 + nnz, ints + 2 * k + 1 + 2 * nnz};
}

// Packing space for the slices of b: `participants` x depth x 32 floats in the calling thread's
// A space (its B space holds the transposed copy). Throws std::bad_alloc.
float* slice_space(int participants, i64 depth) {
  return thread_workspace().a.ensure(static_cast<std::size_t>(participants) *
                                     static_cast<std::size_t>(depth) * kSlice);
}

// Counting sort by column, in two halves. count_columns (on the caller) reads each column index
// once into private memory (`cols`) and makes the buckets (col_ptr, next); scatter_columns then
// fills the buckets of columns [lo, hi), each participant of the weight product its own, so the
// copy is made in parallel without two threads writing one bucket. Every write stays within the
// buckets the counts made, even if a racing thread changed X (shared memory) after the binding
// checked it.
void count_columns(const CsrBatch& x, const Transposed& out) {
  std::int32_t* col_ptr = out.col_ptr;
  std::int32_t* cols = out.cols;
  // The private copy first, an index out of range as column 0 (one unsigned compare per entry, a
  // loop that vectorizes), then the counts from the copy.
  const std::uint32_t limit = x.k > INT32_MAX ? 0x80000000u : static_cast<std::uint32_t>(x.k);
  for (i64 t = 0; t < x.nnz; ++t) {
    const std::int32_t j = x.cols[t];
    cols[t] = static_cast<std::uint32_t>(j) < limit ? j : 0;
  }
  for (i64 j = 0; j <= x.k; ++j) col_ptr[j] = 0;
  for (i64 t = 0; t < x.nnz; ++t) ++col_ptr[cols[t] + 1];
  for (i64 j = 0; j < x.k; ++j) col_ptr[j + 1] += col_ptr[j];
  for (i64 j = 0; j < x.k; ++j) out.next[j] = col_ptr[j];
}

// kAll: this participant owns every column (one thread), so no entry is skipped.
template <bool kAll>
void scatter_range(const CsrBatch& x, float alpha, const Transposed& out, i64 lo, i64 hi) {
  const std::int32_t* cols = out.cols;
  std::int32_t* next = out.next;
  std::int32_t* row_idx = out.row_idx;
  float* values = out.values;
  i64 t = 0;
  for (i64 i = 0; i < x.rows; ++i) {
    // Row i's non-zeros, clamped (a racing thread may have changed row_ptr): every t < nnz is
    // placed exactly once, by the participant that owns its column, so each bucket is filled.
    const i64 end = i + 1 < x.rows ? std::min<i64>(std::max<i64>(x.row_ptr[i + 1], t), x.nnz) : x.nnz;
    for (; t < end; ++t) {
      const std::int32_t j = cols[t];
      if (!kAll && (j < lo || j >= hi)) continue;
      const std::int32_t pos = next[j]++;
      row_idx[pos] = static_cast<std::int32_t>(i);
      values[pos] = alpha * x.values[t];
    }
  }
}

void scatter_columns(const CsrBatch& x, float alpha, const Transposed& out, i64 lo, i64 hi) {
  if (lo <= 0 && hi >= x.k) scatter_range<true>(x, alpha, out, lo, hi);
  else scatter_range<false>(x, alpha, out, lo, hi);
}

struct WeightCall {
  SparseBlockFn block;  // null: row by row
  float* packs;         // with block: rows x 32 floats per participant
  SparseDotFn dot;
  const CsrBatch* x;
  float alpha;
  const Transposed* xt;
  i64 k;
  i64 rows;
  const float* d;
  i64 n;
  i64 kcb;
  bool overwrite_first;  // beta == 0
  float* c;
};

void weight_job(void* ctx, int tid, int nt) {
  const WeightCall& w = *static_cast<const WeightCall*>(ctx);
  const std::int32_t* col_ptr = w.xt->col_ptr;
  const std::int32_t* row_idx = w.xt->row_idx;
  const float* values = w.xt->values;
  const i64 lo = split_point(col_ptr, w.k, tid, nt);
  const i64 hi = split_point(col_ptr, w.k, tid + 1, nt);
  scatter_columns(*w.x, w.alpha, *w.xt, lo, hi);
  if (w.block != nullptr && w.n >= kSlice) {
    auto bounds = [col_ptr](i64 j, std::int32_t& first, std::int32_t& last) {
      first = col_ptr[j];
      last = col_ptr[j + 1];
    };
    sliced_units(w.dot, w.block, bounds, row_idx, values, w.rows, w.kcb, w.d, w.n, w.c, lo, hi,
                 !w.overwrite_first, w.packs + static_cast<i64>(tid) * w.rows * kSlice);
    return;
  }
  for (i64 j = lo; j < hi; ++j) {
    float* cj = w.c + j * w.n;
    i64 t = col_ptr[j];
    const i64 end = col_ptr[j + 1];
    for (i64 blk = 0; blk < w.rows; blk += w.kcb) {
      const i64 u = block_end(row_idx, t, end, blk + w.kcb, w.rows);
      w.dot(u - t, values + t, row_idx + t, w.d, w.n, w.n, cj, blk > 0 || !w.overwrite_first);
      t = u;
    }
  }
}

}  // namespace

i64 first_bad_column(const std::int32_t* cols, i64 nnz, i64 k) {
  // One unsigned 32-bit compare per entry (negative ones wrap past any k), which vectorizes; a
  // k past INT32_MAX leaves only the negative ones bad.
  const std::uint32_t limit = k > INT32_MAX ? 0x80000000u : static_cast<std::uint32_t>(std::max<i64>(k, 0));
  std::uint32_t bad = 0;
  for (i64 t = 0; t < nnz; ++t) bad |= static_cast<std::uint32_t>(cols[t]) >= limit;
  for (i64 t = 0; bad && t < nnz; ++t) {
    if (cols[t] < 0 || cols[t] >= k) return t;
  }
  return -1;
}

void sparse_matmul(const KernelInfo& kernel, const CsrBatch& x, const float* b, i64 n, float* c) {
  if (x.rows == 0 || n == 0) return;
  if (x.k == 0) {
    scale(c, x.rows, n, 0.0);
    return;
  }
  const KernelInfo& kn = sgemm_kernel_for(kernel, n);
  const double flops = 2.0 * static_cast<double>(x.nnz) * static_cast<double>(n);
  const int want = threads_wanted(flops, x.rows);
  const SparseBlockFn block = n >= kSlice ? block_for(kn) : nullptr;
  // The slices' packing space, one per participant, on the caller (no other user of its A space
  // runs during the product).
  float* packs = block != nullptr ? slice_space(want, x.k) : nullptr;
  ForwardCall f{block, packs, dot_for(kn), x, b, n, sgemm_depth_block(kernel, n, x.k), c};
  run_split(flops, want, &forward_job, &f);
}

void sparse_matmul_t(const KernelInfo& kernel, const CsrBatch& x, const float* d, i64 n, double alpha,
                     double beta, float* c) {
  if (x.k == 0 || n == 0) return;
  // As sgemm: alpha == 0 or no depth reads neither operand; beta other than 0 and 1 scales first.
  if (alpha == 0.0 || x.rows == 0) {
    scale(c, x.k, n, beta);
    return;
  }
  if (beta != 0.0 && beta != 1.0) scale(c, x.k, n, beta);
  const Transposed xt = transposed_space(x.k, x.nnz);
  count_columns(x, xt);
  const KernelInfo& kn = sgemm_kernel_for(kernel, n);
  const double flops = 2.0 * static_cast<double>(x.nnz) * static_cast<double>(n);
  const int want = threads_wanted(flops, x.k);
  const SparseBlockFn block = n >= kSlice ? block_for(kn) : nullptr;
  float* packs = block != nullptr ? slice_space(want, x.rows) : nullptr;
  WeightCall w{block,
               packs,
               dot_for(kn),
               &x,
               static_cast<float>(alpha),
               &xt,
               x.k,
               x.rows,
               d,
               n,
               sgemm_depth_block(kernel, n, x.rows),
               beta == 0.0,
               c};
  run_split(flops, want, &weight_job, &w);
}

i64 gather_sparse(const KernelInfo& kernel, float* values, std::int32_t* cols, std::int32_t* row_ptr,
                  const std::uint8_t* images, std::uint64_t image_count, const std::uint32_t* index,
                  i64 index_length, i64 start, i64 rows, i64 features) {
  const CompactRowFn compact = compact_for(kernel);
  i64 q = 0;
  row_ptr[0] = 0;
  for (i64 r = 0; r < rows; ++r) {
    prefetch_ahead(images, image_count, index, index_length, start, rows, r, features);
    // Read once and checked again: index may be shared memory another thread writes after the
    // binding's check (a gather in the background runs while JavaScript goes on). Such a row
    // comes out empty.
    const std::uint32_t image = index[start + r];
    if (image < image_count)
      q += compact(images + static_cast<i64>(image) * features, features, values + q, cols + q);
    row_ptr[r + 1] = static_cast<std::int32_t>(q);
  }
  prefetch_images(images, image_count, index, index_length, start + rows, start + 2 * rows, features);
  return q;
}

}  // namespace nmlp
