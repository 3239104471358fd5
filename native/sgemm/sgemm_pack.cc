// Layer 3 of sgemm: packing op(A) and op(B) blocks into zero-padded micro-panels, the layout the
// micro-kernels read (kernels.h). Transposes are handled here, by strides.
#include <algorithm>
#include <cstring>

#include "sgemm/sgemm_internal.h"

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>  // SSE/SSE2: part of the x86-64 baseline, no run-time check needed
#define NMLP_SSE 1
#endif
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>  // the WASM build (-msimd128): the same 4x4 transposes with shuffles
#endif

namespace nmlp {
namespace sgemm_detail {
namespace {

// Interleaves `rows` (a multiple of 4) source rows, each read at src[r * ld + p] for p < kc,
// into dst[p * width + r] (times scale): the strided gather both non-transposed A (width MR) and
// transposed B (width NR) need. SSE (and WASM SIMD128) path: 4x4 register transposes, 4 rows x
// 4 depth steps at a time; scalar elsewhere and for the depth remainder.
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
#elif defined(__wasm_simd128__)
  const v128_t vs = wasm_f32x4_splat(scale);
  for (; p + 4 <= kc; p += 4) {
    for (int r = 0; r < rows; r += 4) {
      const v128_t r0 = wasm_v128_load(src + (r + 0) * ld + p);
      const v128_t r1 = wasm_v128_load(src + (r + 1) * ld + p);
      const v128_t r2 = wasm_v128_load(src + (r + 2) * ld + p);
      const v128_t r3 = wasm_v128_load(src + (r + 3) * ld + p);
      const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5);  // a0 b0 a1 b1
      const v128_t t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);  // c0 d0 c1 d1
      const v128_t t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);  // a2 b2 a3 b3
      const v128_t t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);  // c2 d2 c3 d3
      float* d = dst + p * width + r;
      wasm_v128_store(d, wasm_f32x4_mul(wasm_i64x2_shuffle(t0, t1, 0, 2), vs));
      wasm_v128_store(d + width, wasm_f32x4_mul(wasm_i64x2_shuffle(t0, t1, 1, 3), vs));
      wasm_v128_store(d + 2 * width, wasm_f32x4_mul(wasm_i64x2_shuffle(t2, t3, 0, 2), vs));
      wasm_v128_store(d + 3 * width, wasm_f32x4_mul(wasm_i64x2_shuffle(t2, t3, 1, 3), vs));
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
      if (mr == MR) {
        // Rows in fours by 4x4 transposes; the rest (2 of MR = 6) one at a time: a scalar loop
        // over all six rows was 37 % of a 128x10x128 product's time (perf), as long as its kernel.
        constexpr int kQuads = MR / 4 * 4;
        if (kQuads > 0) interleave_rows(d, MR, src, s.lda, kQuads, kc, alpha);
        for (int i = kQuads; i < MR; ++i) {
          const float* row = src + i * s.lda;
          for (i64 p = 0; p < kc; ++p) d[p * MR + i] = alpha * row[p];
        }
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

}  // namespace

// The packers for a kernel's MR / NR (compile-time widths let the compiler unroll them).
bool packers_for(const KernelInfo& k, Packers* out) {
  if (k.mr == 8 && k.nr == 32) {
    *out = {&pack_a<8>, &pack_b<32>};
    return true;
  }
  if (k.mr == 16 && k.nr == 16) {
    *out = {&pack_a<16>, &pack_b<16>};
    return true;
  }
  if (k.mr == 6 && k.nr == 16) {
    *out = {&pack_a<6>, &pack_b<16>};
    return true;
  }
  if (k.mr == 4 && k.nr == 8) {
    *out = {&pack_a<4>, &pack_b<8>};
    return true;
  }
  return false;
}

}  // namespace sgemm_detail
}  // namespace nmlp
