// The narrow-C sgemm (small.h) with AVX2 + FMA. Compiled with -mavx2 -mfma; only reached when
// cpu_has_avx2_fma() says the CPU and OS support it. Nothing is packed but op(B) when it is
// transposed (for a 10-column C, packing the A block costs as much as the product). Two loops:
//   - op(A) rows contiguous in memory (A transposed): 8 rows of C per vector, one accumulator
//     per column of C, op(B) values broadcast, alpha folded into the 8 A values with one multiply;
//   - otherwise: rows of C six at a time, each row's op(A) values broadcast straight from A, a
//     row of C in one or two registers of Q quarters (4 columns each, Q = ceil(n / 4)).
#include <immintrin.h>

#include <algorithm>

#include "sgemm/small.h"

namespace nmlp {
namespace {

using i64 = std::int64_t;

alignas(32) constexpr std::int32_t kLanes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

// Lanes [0, w) of a vector, w in [0, 8].
__m256i lanes8(i64 w) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kLanes + 8 - w)); }

// op(B) (k x n) into rows of w floats, the columns past n zero.
void pack_rows(float* dst, const SgemmArgs& s, int w) {
  for (i64 p = 0; p < s.k; ++p) {
    float* d = dst + p * w;
    for (int j = 0; j < w; ++j) d[j] = 0.0f;
  }
  for (i64 j = 0; j < s.n; ++j) {
    const float* src = s.b + j * s.ldb;
    for (i64 p = 0; p < s.k; ++p) dst[p * w + j] = src[p];
  }
}

// ---------------------------------------------------------------------------------------------
// A transposed: C rows [i0, i0 + 8) as N column vectors.

constexpr int kRowsT = 8;

// op(B)(p, j) at b[p * rb + j * cb]; A row p (of the stored A) holds op(A)(i, p) for every i.
template <int N, bool kScale>
void columns_t(const SgemmArgs& s, float alpha, i64 kcb, bool first_accumulate, const float* b, i64 rb,
               i64 cb) {
  const __m256 va = _mm256_set1_ps(alpha);
  for (i64 i0 = 0; i0 < s.m; i0 += kRowsT) {
    const i64 mr = std::min<i64>(kRowsT, s.m - i0);
    const __m256i mask = lanes8(mr);
    const float* a = s.a + i0;
    for (i64 p0 = 0; p0 < s.k; p0 += kcb) {
      const i64 p1 = std::min(s.k, p0 + kcb);
      __m256 acc[N];
#pragma GCC unroll 16
      for (int j = 0; j < N; ++j) acc[j] = _mm256_setzero_ps();
      for (i64 p = p0; p < p1; ++p) {
        const float* ap = a + p * s.lda;
        __m256 av = mr == kRowsT ? _mm256_loadu_ps(ap) : _mm256_maskload_ps(ap, mask);
        if (kScale) av = _mm256_mul_ps(av, va);
        const float* bp = b + p * rb;
#pragma GCC unroll 16
        for (int j = 0; j < N; ++j) acc[j] = _mm256_fmadd_ps(av, _mm256_broadcast_ss(bp + j * cb), acc[j]);
      }
      alignas(32) float t[N][kRowsT];
#pragma GCC unroll 16
      for (int j = 0; j < N; ++j) _mm256_store_ps(t[j], acc[j]);
      const bool accumulate = p0 > 0 || first_accumulate;
      for (i64 r = 0; r < mr; ++r) {
        float* c = s.c + (i0 + r) * s.ldc;
        if (accumulate) {
          for (int j = 0; j < N; ++j) c[j] += t[j][r];
        } else {
          for (int j = 0; j < N; ++j) c[j] = t[j][r];
        }
      }
    }
  }
}

template <int N>
void columns_t_n(const SgemmArgs& s, float alpha, i64 kcb, bool first_accumulate, const float* b, i64 rb,
                 i64 cb) {
  if (alpha == 1.0f) columns_t<N, false>(s, alpha, kcb, first_accumulate, b, rb, cb);
  else columns_t<N, true>(s, alpha, kcb, first_accumulate, b, rb, cb);
}

// The widest C this loop takes: N accumulators, the A vector and a broadcast in 16 registers.
constexpr i64 kMaxColumnsT = 12;

void small_t(const SgemmArgs& s, float alpha, i64 kcb, bool first_accumulate) {
  // op(B)(p, j) = b[p * ldb + j], or b[j * ldb + p] transposed: broadcast from where it lies.
  const i64 rb = s.trans_b ? 1 : s.ldb;
  const i64 cb = s.trans_b ? s.ldb : 1;
  switch (s.n) {
#define NMLP_CASE(N) \
  case N: columns_t_n<N>(s, alpha, kcb, first_accumulate, s.b, rb, cb); break;
    NMLP_CASE(1)
    NMLP_CASE(2)
    NMLP_CASE(3)
    NMLP_CASE(4)
    NMLP_CASE(5)
    NMLP_CASE(6)
    NMLP_CASE(7)
    NMLP_CASE(8)
    NMLP_CASE(9)
    NMLP_CASE(10)
    NMLP_CASE(11)
    default: columns_t_n<12>(s, alpha, kcb, first_accumulate, s.b, rb, cb); break;
#undef NMLP_CASE
  }
}

// ---------------------------------------------------------------------------------------------
// A not transposed: C rows six at a time, A values broadcast.

constexpr int MR = 6;

// One row of C from its accumulators: the first 8 columns straight from y (when n >= 8), the rest
// through a small buffer. Adding in scalar or vector gives the same bits.
void store_row(float* c, i64 n, const float* t, __m256 y, bool full8, bool accumulate) {
  i64 j = 0;
  if (full8) {
    if (accumulate) y = _mm256_add_ps(_mm256_loadu_ps(c), y);
    _mm256_storeu_ps(c, y);
    j = 8;
  }
  if (accumulate) {
    for (; j < n; ++j) c[j] += t[j];
  } else {
    for (; j < n; ++j) c[j] = t[j];
  }
}

// Q quarters of 4 columns per row (kTransA: A transposed, for a C wider than kMaxColumnsT): x holds columns
// 0-3 (Q = 1) or 8-11 (Q = 3), y columns 0-7 (Q >= 2), z columns 8-15 (Q = 4). op(B) row p at b + p * ldb
// (its lanes past n masked off). kScale: alpha != 1, folded into each A value before its multiply-adds as the
// packing folds it.
template <int Q, bool kScale, bool kTransA>
void rows_n(const SgemmArgs& s, float alpha, i64 kcb, bool first_accumulate, const float* b, i64 ldb) {
  constexpr bool kX = Q == 1 || Q == 3, kY = Q >= 2, kZ = Q == 4;
  const __m256 va = _mm256_set1_ps(alpha);
  const i64 rs = kTransA ? 1 : s.lda;  // op(A)(i, p) = a[i * rs + p * cs]
  const i64 cs = kTransA ? s.lda : 1;
  // The lanes of the last register that hold columns (n may end inside it).
  const i64 n_last = s.n - (Q - 1) / 2 * 8;
  const __m256i mask = lanes8(std::min<i64>(n_last, 8));
  const bool masked = n_last < (kX ? 4 : 8);
  const __m128i mask4 = _mm256_castsi256_si128(mask);
  // The last op(B) row whose unmasked loads (Q * 4 floats) stay within B's (k - 1) * ldb + n.
  const i64 over = 4 * Q - s.n;
  const i64 last_whole = masked ? s.k - 1 - (over + ldb - 1) / ldb : s.k - 1;
  for (i64 i0 = 0; i0 < s.m; i0 += MR) {
    const int mr = static_cast<int>(std::min<i64>(MR, s.m - i0));
    // Rows past m repeat the last row (computed, never stored): one loop for every group.
    const float* ar[MR];
    for (int r = 0; r < MR; ++r) ar[r] = s.a + (i0 + std::min(r, mr - 1)) * rs;
    for (i64 p0 = 0; p0 < s.k; p0 += kcb) {
      const i64 p1 = std::min(s.k, p0 + kcb);
      __m128 x[MR];
      __m256 y[MR], z[MR];
#pragma GCC unroll 6
      for (int r = 0; r < MR; ++r) {
        x[r] = _mm_setzero_ps();
        y[r] = _mm256_setzero_ps();
        z[r] = _mm256_setzero_ps();
      }
      for (i64 p = p0; p < p1; ++p) {
        const float* brow = b + p * ldb;
        __m128 bx = _mm_setzero_ps();
        __m256 by = _mm256_setzero_ps(), bz = _mm256_setzero_ps();
        // Lanes past n hold whatever follows in B (never stored); only the last rows, where
        // they could lie past the end of B, are loaded masked.
        const bool m_last = p > last_whole;
        if (kY) by = Q == 2 && m_last ? _mm256_maskload_ps(brow, mask) : _mm256_loadu_ps(brow);
        if (kX) {
          const float* bq = brow + (Q == 3 ? 8 : 0);
          bx = m_last ? _mm_maskload_ps(bq, mask4) : _mm_loadu_ps(bq);
        }
        if (kZ) bz = m_last ? _mm256_maskload_ps(brow + 8, mask) : _mm256_loadu_ps(brow + 8);
#pragma GCC unroll 6
        for (int r = 0; r < MR; ++r) {
          __m256 av = _mm256_broadcast_ss(ar[r] + p * cs);
          if (kScale) av = _mm256_mul_ps(av, va);
          if (kY) y[r] = _mm256_fmadd_ps(av, by, y[r]);
          if (kX) x[r] = _mm_fmadd_ps(_mm256_castps256_ps128(av), bx, x[r]);
          if (kZ) z[r] = _mm256_fmadd_ps(av, bz, z[r]);
        }
      }
      const bool accumulate = p0 > 0 || first_accumulate;
      // Every row index a constant after unrolling (a loop to mr would keep the accumulators in
      // memory), rows past m skipped.
#pragma GCC unroll 6
      for (int r = 0; r < MR; ++r) {
        if (r >= mr) break;
        alignas(32) float t[16];
        if (kY) _mm256_store_ps(t, y[r]);
        if (kX) _mm_store_ps(t + (Q == 3 ? 8 : 0), x[r]);
        if (kZ) _mm256_store_ps(t + 8, z[r]);
        store_row(s.c + (i0 + r) * s.ldc, s.n, t, y[r], kY && s.n >= 8, accumulate);
      }
    }
  }
}

template <int Q>
void rows_q(const SgemmArgs& s, float alpha, i64 kcb, bool first_accumulate, const float* b, i64 ldb) {
  if (s.trans_a) {  // only for n past kMaxColumnsT
    rows_n<Q, true, true>(s, alpha, kcb, first_accumulate, b, ldb);
  } else if (alpha == 1.0f) {
    rows_n<Q, false, false>(s, alpha, kcb, first_accumulate, b, ldb);
  } else {
    rows_n<Q, true, false>(s, alpha, kcb, first_accumulate, b, ldb);
  }
}

void small_n(const SgemmArgs& s, float alpha, i64 kcb, bool first_accumulate, float* bpack) {
  const int q = static_cast<int>((s.n + 3) / 4);
  const float* b = s.b;
  i64 ldb = s.ldb;
  if (s.trans_b) {  // op(B) rows are strided: packed into rows of 4q floats
    pack_rows(bpack, s, 4 * q);
    b = bpack;
    ldb = 4 * q;
  }
  switch (q) {
    case 1: rows_q<1>(s, alpha, kcb, first_accumulate, b, ldb); break;
    case 2: rows_q<2>(s, alpha, kcb, first_accumulate, b, ldb); break;
    case 3: rows_q<3>(s, alpha, kcb, first_accumulate, b, ldb); break;
    default: rows_q<4>(s, alpha, kcb, first_accumulate, b, ldb); break;
  }
}

void sgemm_small(const SgemmArgs& s, float alpha, i64 kcb, bool first_accumulate, float* bpack) {
  if (s.trans_a && s.n <= kMaxColumnsT) small_t(s, alpha, kcb, first_accumulate);
  else small_n(s, alpha, kcb, first_accumulate, bpack);
}

}  // namespace

SmallGemmFn sgemm_small_n_avx2() { return &sgemm_small; }

}  // namespace nmlp
