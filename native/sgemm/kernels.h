// Micro-kernel interface shared by sgemm.cc and the per-ISA kernel files.
//
// Contract of a micro-kernel (one MR x NR tile of C):
//   C[i*ldc + j] (= or +=) sum_{p < kc} a[p*MR + i] * b[p*NR + j]    for i < MR, j < NR
// where `a` is one packed A micro-panel (kc columns of MR values, alpha already folded in) and `b`
// one packed B micro-panel (kc rows of NR values); both are zero-padded to full MR / NR, so the
// kernel always computes a full tile. accumulate = false overwrites C without reading it (beta = 0);
// true adds to it. kc may be 0 (then the kernel writes zeros or leaves C unchanged).
// Pointers: a and b are 64-byte aligned; c is any float pointer with MR rows of NR writable floats.
//
// This header must stay free of inline functions and templates: the ISA files are compiled with
// -mavx2 / -mavx512f, and an inline function emitted there could be picked by the linker for the
// baseline code too (a SIGILL on an older CPU). The kernel files include only this header and
// <immintrin.h>, and keep everything else in an anonymous namespace.
#ifndef NATIVE_MLP_KERNELS_H
#define NATIVE_MLP_KERNELS_H

#include <cstddef>
#include <cstdint>

namespace nmlp {

using MicroKernelFn = void (*)(std::int64_t kc, const float* a, const float* b, float* c, std::int64_t ldc,
                               bool accumulate);

struct KernelInfo {
  const char* isa;  // "avx512", "avx2", "neon", "generic"
  int mr;           // rows of the C tile (broadcast dimension, A micro-panel width)
  int nr;           // columns of the C tile (vector dimension, B micro-panel width)
  int kc;           // max depth of one packed block (B micro-panel kc x nr stays in L1)
  int mc;           // max rows of a packed A block (mc x kc stays in L2); multiple of mr
  int nc;           // max columns of a packed B block (kc x nc stays in L3); multiple of nr
  MicroKernelFn kernel;
  // Optional variant for narrow C (n <= narrow->nr), e.g. the 10-class output layer, where most
  // lanes of a wide NR tile would be padding. Null when the ISA has none.
  const KernelInfo* narrow;
};

// Each returns a pointer to a constant-initialised descriptor (no code runs at load time).
const KernelInfo* kernel_generic();
#if defined(NATIVE_MLP_X86)
const KernelInfo* kernel_avx2();    // only call when cpu_has_avx2_fma()
const KernelInfo* kernel_avx512();  // only call when cpu_has_avx512()
#endif
#if defined(NATIVE_MLP_NEON)
const KernelInfo* kernel_neon();
#endif
#if defined(__wasm_simd128__)
const KernelInfo* kernel_wasm128();  // the WASM build's kernel (kernels_wasm128.cc, -msimd128)
#endif

}  // namespace nmlp

#endif
