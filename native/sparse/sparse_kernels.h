// Per-ISA kernels of the sparse-input products (sparse.cc), in their own files like the sgemm
// micro-kernels (kernels.h), and under the same rule: this header stays free of inline functions
// and templates, since the ISA files are compiled with -mavx2 / -mavx512f.
#ifndef NATIVE_MLP_SPARSE_KERNELS_H
#define NATIVE_MLP_SPARSE_KERNELS_H

#include <cstdint>

namespace nmlp {

// out[j] (= or +=) sum over t < cnt of val[t] * b[idx[t] * ldb + j], for j < n.
// Each out[j] is summed in t order from 0 with the arithmetic of the same ISA's sgemm
// micro-kernel: acc = fma(val, b, acc) on AVX2 / AVX-512, acc = acc + val * b (two roundings) on
// generic; accumulate = true then adds acc to out once, false stores it. So a sparse product run
// over the same depth blocks as sgemm equals the dense product bit for bit (the zeros a dense
// product multiplies add exactly nothing). cnt may be 0. idx[t] * ldb + n must be within b.
using SparseDotFn = void (*)(std::int64_t cnt, const float* val, const std::int32_t* idx, const float* b,
                             std::int64_t ldb, std::int64_t n, float* out, bool accumulate);

// The same sums as SparseDotFn for the 32 columns of a packed slice of b (row r of 32 floats at
// b + 32 r), for several units (rows of out) at once: for u < units, out[u * ldo + j] (= or +=)
// the sum over t in [beg[u], end[u]) of val[t] * b[idx[t] * 32 + j], j < 32, each summed in t
// order from 0 with the same arithmetic as the ISA's SparseDotFn (same bits). The caller walks
// every unit over one slice (a depth block of b's rows, 32 columns) before the next, so the slice
// stays in L1; units are taken in pairs to keep 8 chains of multiply-adds in flight.
using SparseBlockFn = void (*)(std::int64_t units, const std::int32_t* beg, const std::int32_t* end,
                               const float* val, const std::int32_t* idx, const float* b, float* out,
                               std::int64_t ldo, bool accumulate);

// Compacts one row of `features` bytes: for every p with src[p] != 0, in order, writes
// values[q] = float(src[p]) / 255 and cols[q] = p, and returns q (the row's non-zeros).
// values and cols may be written up to `features` elements past q (scratch the caller owns).
using CompactRowFn = std::int64_t (*)(const std::uint8_t* src, std::int64_t features, float* values,
                                      std::int32_t* cols);

SparseDotFn sparse_dot_generic();
CompactRowFn compact_row_generic();
#if defined(NATIVE_MLP_WASM)
SparseDotFn sparse_dot_wasm128();  // the WASM build's (sparse_wasm128.cc)
#endif
#if defined(NATIVE_MLP_X86)
// Only call when cpu_has_avx2_fma(). Also serves the AVX-512 sgemm: its micro-kernels sum with the
// same FMA chain per element, so the results are the same bits; the sparse products are bound by
// loading scattered rows, where 256-bit loads keep up (and an AVX-512 variant could not be tested
// on the machine this was written on).
SparseDotFn sparse_dot_avx2();
SparseBlockFn sparse_block32_avx2();
CompactRowFn compact_row_avx2();  // needs AVX2 only
#endif

}  // namespace nmlp

#endif
