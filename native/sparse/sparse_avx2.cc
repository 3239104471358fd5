// AVX2 + FMA sparse-input kernels (see sparse_kernels.h). Compiled with -mavx2 -mfma; only reached
// when cpu_has_avx2_fma() says the CPU and OS support it. No inline functions or templates shared
// with other files.
#include <immintrin.h>

#include "sparse/sparse_kernels.h"

namespace nmlp {
namespace {

// 64 columns per pass = 8 YMM accumulators (8 independent FMA chains).
void dot_64(std::int64_t cnt, const float* val, const std::int32_t* idx, const float* b, std::int64_t ldb,
            float* out, bool accumulate) {
  __m256 c0 = _mm256_setzero_ps(), c1 = _mm256_setzero_ps(), c2 = _mm256_setzero_ps(),
         c3 = _mm256_setzero_ps(), c4 = _mm256_setzero_ps(), c5 = _mm256_setzero_ps(),
         c6 = _mm256_setzero_ps(), c7 = _mm256_setzero_ps();
  for (std::int64_t t = 0; t < cnt; ++t) {
    const __m256 v = _mm256_set1_ps(val[t]);
    const float* row = b + static_cast<std::int64_t>(idx[t]) * ldb;
    c0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row), c0);
    c1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 8), c1);
    c2 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 16), c2);
    c3 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 24), c3);
    c4 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 32), c4);
    c5 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 40), c5);
    c6 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 48), c6);
    c7 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 56), c7);
  }
  if (accumulate) {
    c0 = _mm256_add_ps(_mm256_loadu_ps(out), c0);
    c1 = _mm256_add_ps(_mm256_loadu_ps(out + 8), c1);
    c2 = _mm256_add_ps(_mm256_loadu_ps(out + 16), c2);
    c3 = _mm256_add_ps(_mm256_loadu_ps(out + 24), c3);
    c4 = _mm256_add_ps(_mm256_loadu_ps(out + 32), c4);
    c5 = _mm256_add_ps(_mm256_loadu_ps(out + 40), c5);
    c6 = _mm256_add_ps(_mm256_loadu_ps(out + 48), c6);
    c7 = _mm256_add_ps(_mm256_loadu_ps(out + 56), c7);
  }
  _mm256_storeu_ps(out, c0);
  _mm256_storeu_ps(out + 8, c1);
  _mm256_storeu_ps(out + 16, c2);
  _mm256_storeu_ps(out + 24, c3);
  _mm256_storeu_ps(out + 32, c4);
  _mm256_storeu_ps(out + 40, c5);
  _mm256_storeu_ps(out + 48, c6);
  _mm256_storeu_ps(out + 56, c7);
}

// Up to 8 columns (masked loads and stores): the remainder of n after the 64-column passes.
void dot_8(std::int64_t cnt, const float* val, const std::int32_t* idx, const float* b, std::int64_t ldb,
           std::int64_t w, float* out, bool accumulate) {
  alignas(32) static const std::int32_t kLanes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  const __m256i m = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kLanes + 8 - w));
  __m256 c = _mm256_setzero_ps();
  for (std::int64_t t = 0; t < cnt; ++t) {
    const float* row = b + static_cast<std::int64_t>(idx[t]) * ldb;
    c = _mm256_fmadd_ps(_mm256_set1_ps(val[t]), _mm256_maskload_ps(row, m), c);
  }
  if (accumulate) c = _mm256_add_ps(_mm256_maskload_ps(out, m), c);
  _mm256_maskstore_ps(out, m, c);
}

void sparse_dot(std::int64_t cnt, const float* val, const std::int32_t* idx, const float* b, std::int64_t ldb,
                std::int64_t n, float* out, bool accumulate) {
  std::int64_t j = 0;
  for (; j + 64 <= n; j += 64) dot_64(cnt, val, idx, b + j, ldb, out + j, accumulate);
  for (; j < n; j += 8) {
    const std::int64_t w = n - j < 8 ? n - j : 8;
    dot_8(cnt, val, idx, b + j, ldb, w, out + j, accumulate);
  }
}

// The slice kernels' b: a packed slice, row r of 32 floats at b + 32 r.
constexpr std::int64_t kSliceWidth = 32;

// One unit's 32 columns: 4 accumulators (a latency-bound chain; used for a unit without a partner).
void block_one(std::int32_t t, std::int32_t end, const float* val, const std::int32_t* idx, const float* b,
               float* out, bool accumulate) {
  __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(),
         a3 = _mm256_setzero_ps();
  for (; t < end; ++t) {
    const __m256 v = _mm256_set1_ps(val[t]);
    const float* row = b + static_cast<std::int64_t>(idx[t]) * kSliceWidth;
    a0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row), a0);
    a1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 8), a1);
    a2 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 16), a2);
    a3 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 24), a3);
  }
  if (accumulate) {
    a0 = _mm256_add_ps(_mm256_loadu_ps(out), a0);
    a1 = _mm256_add_ps(_mm256_loadu_ps(out + 8), a1);
    a2 = _mm256_add_ps(_mm256_loadu_ps(out + 16), a2);
    a3 = _mm256_add_ps(_mm256_loadu_ps(out + 24), a3);
  }
  _mm256_storeu_ps(out, a0);
  _mm256_storeu_ps(out + 8, a1);
  _mm256_storeu_ps(out + 16, a2);
  _mm256_storeu_ps(out + 24, a3);
}

// Two units at once: 8 independent chains, so the FMAs' latency is covered while both lists
// last; the longer list's tail runs alone.
void block_two(std::int32_t t, std::int32_t t_end, std::int32_t s, std::int32_t s_end, const float* val,
               const std::int32_t* idx, const float* b, float* out_t, float* out_s, bool accumulate) {
  __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(),
         a3 = _mm256_setzero_ps(), c0 = _mm256_setzero_ps(), c1 = _mm256_setzero_ps(),
         c2 = _mm256_setzero_ps(), c3 = _mm256_setzero_ps();
  const std::int32_t both = t_end - t < s_end - s ? t_end - t : s_end - s;
  for (std::int32_t q = 0; q < both; ++q, ++t, ++s) {
    const __m256 v = _mm256_set1_ps(val[t]);
    const float* row = b + static_cast<std::int64_t>(idx[t]) * kSliceWidth;
    const __m256 w = _mm256_set1_ps(val[s]);
    const float* other = b + static_cast<std::int64_t>(idx[s]) * kSliceWidth;
    a0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row), a0);
    c0 = _mm256_fmadd_ps(w, _mm256_loadu_ps(other), c0);
    a1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 8), a1);
    c1 = _mm256_fmadd_ps(w, _mm256_loadu_ps(other + 8), c1);
    a2 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 16), a2);
    c2 = _mm256_fmadd_ps(w, _mm256_loadu_ps(other + 16), c2);
    a3 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 24), a3);
    c3 = _mm256_fmadd_ps(w, _mm256_loadu_ps(other + 24), c3);
  }
  for (; t < t_end; ++t) {
    const __m256 v = _mm256_set1_ps(val[t]);
    const float* row = b + static_cast<std::int64_t>(idx[t]) * kSliceWidth;
    a0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row), a0);
    a1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 8), a1);
    a2 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 16), a2);
    a3 = _mm256_fmadd_ps(v, _mm256_loadu_ps(row + 24), a3);
  }
  for (; s < s_end; ++s) {
    const __m256 w = _mm256_set1_ps(val[s]);
    const float* other = b + static_cast<std::int64_t>(idx[s]) * kSliceWidth;
    c0 = _mm256_fmadd_ps(w, _mm256_loadu_ps(other), c0);
    c1 = _mm256_fmadd_ps(w, _mm256_loadu_ps(other + 8), c1);
    c2 = _mm256_fmadd_ps(w, _mm256_loadu_ps(other + 16), c2);
    c3 = _mm256_fmadd_ps(w, _mm256_loadu_ps(other + 24), c3);
  }
  if (accumulate) {
    a0 = _mm256_add_ps(_mm256_loadu_ps(out_t), a0);
    a1 = _mm256_add_ps(_mm256_loadu_ps(out_t + 8), a1);
    a2 = _mm256_add_ps(_mm256_loadu_ps(out_t + 16), a2);
    a3 = _mm256_add_ps(_mm256_loadu_ps(out_t + 24), a3);
    c0 = _mm256_add_ps(_mm256_loadu_ps(out_s), c0);
    c1 = _mm256_add_ps(_mm256_loadu_ps(out_s + 8), c1);
    c2 = _mm256_add_ps(_mm256_loadu_ps(out_s + 16), c2);
    c3 = _mm256_add_ps(_mm256_loadu_ps(out_s + 24), c3);
  }
  _mm256_storeu_ps(out_t, a0);
  _mm256_storeu_ps(out_t + 8, a1);
  _mm256_storeu_ps(out_t + 16, a2);
  _mm256_storeu_ps(out_t + 24, a3);
  _mm256_storeu_ps(out_s, c0);
  _mm256_storeu_ps(out_s + 8, c1);
  _mm256_storeu_ps(out_s + 16, c2);
  _mm256_storeu_ps(out_s + 24, c3);
}

void sparse_block32(std::int64_t units, const std::int32_t* beg, const std::int32_t* end, const float* val,
                    const std::int32_t* idx, const float* b, float* out, std::int64_t ldo, bool accumulate) {
  std::int64_t u = 0;
  for (; u + 2 <= units; u += 2) {
    block_two(beg[u], end[u], beg[u + 1], end[u + 1], val, idx, b, out + u * ldo, out + (u + 1) * ldo,
              accumulate);
  }
  if (u < units) block_one(beg[u], end[u], val, idx, b, out + u * ldo, accumulate);
}

// For each 8-bit mask: the positions of its set bits, 3 bits each from the lowest, and their
// count in bits 24-27. Expanded into a lane permutation by compact_row.
struct Compaction {
  std::uint32_t packed[256];
  constexpr Compaction() : packed() {
    for (std::uint32_t m = 0; m < 256; ++m) {
      std::uint32_t word = 0, count = 0;
      for (std::uint32_t bit = 0; bit < 8; ++bit) {
        if (m & (1u << bit)) word |= bit << (3 * count++);
      }
      packed[m] = word | count << 24;
    }
  }
};
constexpr Compaction kCompaction;

// compact_row, 8 pixels per step without a branch per pixel: the non-zero mask of 8 bytes picks
// a permutation that moves their values and column indices to the front of 8 lanes, which are
// stored whole (the lanes past the non-zeros are scratch the next step overwrites). float(x) / 255
// is one correctly rounded division per lane, the same bits as the scalar division.
std::int64_t compact_row(const std::uint8_t* src, std::int64_t features, float* values, std::int32_t* cols) {
  const __m256i shifts = _mm256_setr_epi32(0, 3, 6, 9, 12, 15, 18, 21);
  const __m256i seven = _mm256_set1_epi32(7);
  const __m256 scale = _mm256_set1_ps(255.0f);
  std::int64_t q = 0;
  std::int64_t p = 0;
  for (; p + 32 <= features; p += 32) {
    const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + p));
    const std::uint32_t zero =
        static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(bytes, _mm256_setzero_si256())));
    if (zero == 0xffffffffu) continue;  // 32 zero pixels (the borders of an image)
    for (int g = 0; g < 4; ++g) {
      const std::uint32_t packed = kCompaction.packed[(~zero >> (8 * g)) & 0xffu];
      const __m256i perm =
          _mm256_and_si256(_mm256_srlv_epi32(_mm256_set1_epi32(static_cast<int>(packed)), shifts), seven);
      const __m256i x =
          _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + p + 8 * g)));
      const __m256 v = _mm256_div_ps(_mm256_cvtepi32_ps(x), scale);
      _mm256_storeu_ps(values + q, _mm256_permutevar8x32_ps(v, perm));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(cols + q),
                          _mm256_add_epi32(perm, _mm256_set1_epi32(static_cast<int>(p + 8 * g))));
      q += packed >> 24;
    }
  }
  for (; p < features; ++p) {  // the last features % 32 pixels, branch-free as the generic kernel
    const std::uint8_t x = src[p];
    values[q] = static_cast<float>(x) / 255.0f;
    cols[q] = static_cast<std::int32_t>(p);
    q += x != 0;
  }
  return q;
}

}  // namespace

SparseDotFn sparse_dot_avx2() { return &sparse_dot; }
SparseBlockFn sparse_block32_avx2() { return &sparse_block32; }
CompactRowFn compact_row_avx2() { return &compact_row; }

}  // namespace nmlp
