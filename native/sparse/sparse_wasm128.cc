// WebAssembly SIMD128 sparse-input kernel (see sparse_kernels.h), for the WASM build only
// (-msimd128). The arithmetic of kernels_wasm128.cc, a multiply then an add per element (two
// roundings), so the sparse products equal that build's dense sgemm bit for bit.
#include <wasm_simd128.h>

#include "sparse/sparse_kernels.h"

namespace nmlp {
namespace {

// 32 columns per pass: 8 accumulators in registers (the dense 4 x 8 kernel's count: no spills on
// x86-64's 16 XMM registers), one splat of the value, 8 loads of the named row.
void dot_32(std::int64_t cnt, const float* val, const std::int32_t* idx, const float* b, std::int64_t ldb,
            float* out, bool accumulate) {
  v128_t c0 = wasm_f32x4_splat(0.0f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
  for (std::int64_t t = 0; t < cnt; ++t) {
    const v128_t v = wasm_v128_load32_splat(val + t);
    const float* row = b + static_cast<std::int64_t>(idx[t]) * ldb;
    c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(v, wasm_v128_load(row)));
    c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(v, wasm_v128_load(row + 4)));
    c2 = wasm_f32x4_add(c2, wasm_f32x4_mul(v, wasm_v128_load(row + 8)));
    c3 = wasm_f32x4_add(c3, wasm_f32x4_mul(v, wasm_v128_load(row + 12)));
    c4 = wasm_f32x4_add(c4, wasm_f32x4_mul(v, wasm_v128_load(row + 16)));
    c5 = wasm_f32x4_add(c5, wasm_f32x4_mul(v, wasm_v128_load(row + 20)));
    c6 = wasm_f32x4_add(c6, wasm_f32x4_mul(v, wasm_v128_load(row + 24)));
    c7 = wasm_f32x4_add(c7, wasm_f32x4_mul(v, wasm_v128_load(row + 28)));
  }
  v128_t* acc[8] = {&c0, &c1, &c2, &c3, &c4, &c5, &c6, &c7};
  for (int i = 0; i < 8; ++i) {
    v128_t x = *acc[i];
    if (accumulate) x = wasm_f32x4_add(x, wasm_v128_load(out + 4 * i));
    wasm_v128_store(out + 4 * i, x);
  }
}

// 4 columns (one accumulator): the remainder of n after the 32-column passes.
void dot_4(std::int64_t cnt, const float* val, const std::int32_t* idx, const float* b, std::int64_t ldb,
           float* out, bool accumulate) {
  v128_t c = wasm_f32x4_splat(0.0f);
  for (std::int64_t t = 0; t < cnt; ++t) {
    const float* row = b + static_cast<std::int64_t>(idx[t]) * ldb;
    c = wasm_f32x4_add(c, wasm_f32x4_mul(wasm_v128_load32_splat(val + t), wasm_v128_load(row)));
  }
  if (accumulate) c = wasm_f32x4_add(c, wasm_v128_load(out));
  wasm_v128_store(out, c);
}

void sparse_dot(std::int64_t cnt, const float* val, const std::int32_t* idx, const float* b, std::int64_t ldb,
                std::int64_t n, float* out, bool accumulate) {
  std::int64_t j = 0;
  for (; j + 32 <= n; j += 32) dot_32(cnt, val, idx, b + j, ldb, out + j, accumulate);
  for (; j + 4 <= n; j += 4) dot_4(cnt, val, idx, b + j, ldb, out + j, accumulate);
  for (; j < n; ++j) {  // the last n % 4 columns, one chain each
    float acc = 0.0f;
    for (std::int64_t t = 0; t < cnt; ++t) acc += val[t] * b[static_cast<std::int64_t>(idx[t]) * ldb + j];
    out[j] = accumulate ? out[j] + acc : acc;
  }
}

}  // namespace

SparseDotFn sparse_dot_wasm128() { return &sparse_dot; }

}  // namespace nmlp
