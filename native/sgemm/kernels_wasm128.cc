// WebAssembly SIMD128 micro-kernel, 4 x 8, for the WASM build (-msimd128). Register blocking
// after XNNPACK's f32-gemm wasmsimd "splat" kernels: per depth step, two 4-lane loads of the B
// row, one splat per A value, and 8 independent multiply-add chains. WASM SIMD128 has no fused
// multiply-add (relaxed-simd's is not deterministic across engines), so each step is a mul and an
// add, two roundings, like the TypeScript backend's float32 products.
#include <wasm_simd128.h>

#include "sgemm/kernels.h"

namespace nmlp {
namespace {

// MR = 4, NR = 8: 8 accumulators + 2 B vectors + 1 splat = 11 vectors, which V8 and
// SpiderMonkey keep in the 16 XMM (x86-64) or 32 NEON (arm64) registers without spilling; a
// 6 x 8 or 4 x 16 tile spills on x86-64 and loses more than its extra reuse gains.
constexpr int MR = 4;
constexpr int NR = 8;

void kernel_4x8(std::int64_t kc, const float* a, const float* b, float* c, std::int64_t ldc,
                bool accumulate) {
  v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00;
  v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (std::int64_t p = 0; p < kc; ++p) {
    const v128_t b0 = wasm_v128_load(b);
    const v128_t b1 = wasm_v128_load(b + 4);
    v128_t ai = wasm_v128_load32_splat(a + 0);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(ai, b0));
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(ai, b1));
    ai = wasm_v128_load32_splat(a + 1);
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(ai, b0));
    c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(ai, b1));
    ai = wasm_v128_load32_splat(a + 2);
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(ai, b0));
    c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(ai, b1));
    ai = wasm_v128_load32_splat(a + 3);
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(ai, b0));
    c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(ai, b1));
    a += MR;
    b += NR;
  }
  float* c0 = c;
  float* c1 = c + ldc;
  float* c2 = c + 2 * ldc;
  float* c3 = c + 3 * ldc;
  if (accumulate) {
    c00 = wasm_f32x4_add(c00, wasm_v128_load(c0));
    c01 = wasm_f32x4_add(c01, wasm_v128_load(c0 + 4));
    c10 = wasm_f32x4_add(c10, wasm_v128_load(c1));
    c11 = wasm_f32x4_add(c11, wasm_v128_load(c1 + 4));
    c20 = wasm_f32x4_add(c20, wasm_v128_load(c2));
    c21 = wasm_f32x4_add(c21, wasm_v128_load(c2 + 4));
    c30 = wasm_f32x4_add(c30, wasm_v128_load(c3));
    c31 = wasm_f32x4_add(c31, wasm_v128_load(c3 + 4));
  }
  wasm_v128_store(c0, c00);
  wasm_v128_store(c0 + 4, c01);
  wasm_v128_store(c1, c10);
  wasm_v128_store(c1 + 4, c11);
  wasm_v128_store(c2, c20);
  wasm_v128_store(c2 + 4, c21);
  wasm_v128_store(c3, c30);
  wasm_v128_store(c3 + 4, c31);
}

// Block sizes as the generic kernel's (same 4 x 8 tile): KC = 256 keeps the B micro-panel
// (8 KiB) in L1, MC = 128 the packed A block (128 KiB) in L2, NC = 2048 the packed B block in L3.
constexpr KernelInfo kInfo = {"wasm-simd128", MR, NR, 256, 128, 2048, &kernel_4x8, nullptr};

}  // namespace

const KernelInfo* kernel_wasm128() { return &kInfo; }

}  // namespace nmlp
