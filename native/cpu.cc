#include "cpu.h"

#include <cstring>

#if defined(NATIVE_MLP_X86) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#define NMLP_HAVE_CPUID 1
#endif

namespace nmlp {

#if defined(NMLP_HAVE_CPUID)
namespace {

struct Features {
  bool avx2_fma = false;
  bool avx512 = false;
};

// XGETBV(0): which register states the OS saves on context switch. Only valid when
// CPUID.1:ECX.OSXSAVE is set. Written as raw bytes-free inline asm so this file needs no -mxsave.
unsigned long long xgetbv0() {
  unsigned int eax = 0, edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<unsigned long long>(edx) << 32) | eax;
}

Features detect() {
  Features f;
  unsigned int eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const bool osxsave = (ecx & bit_OSXSAVE) != 0;
  const bool avx = (ecx & bit_AVX) != 0;
  const bool fma = (ecx & bit_FMA) != 0;
  if (!osxsave || !avx) return f;
  const unsigned long long xcr0 = xgetbv0();
  const bool os_ymm = (xcr0 & 0x6) == 0x6;            // SSE + AVX state
  const bool os_zmm = (xcr0 & 0xe6) == 0xe6;          // + opmask, ZMM_Hi256, Hi16_ZMM
  if (__get_cpuid_max(0, nullptr) < 7) return f;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  const bool avx2 = (ebx & bit_AVX2) != 0;
  const bool avx512f = (ebx & (1u << 16)) != 0;
  const bool avx512dq = (ebx & (1u << 17)) != 0;
  const bool avx512bw = (ebx & (1u << 30)) != 0;
  const bool avx512vl = (ebx & (1u << 31)) != 0;
  f.avx2_fma = avx2 && fma && os_ymm;
  f.avx512 = f.avx2_fma && os_zmm && avx512f && avx512dq && avx512bw && avx512vl;
  return f;
}

const Features& features() {
  static const Features f = detect();
  return f;
}

}  // namespace

bool cpu_has_avx2_fma() { return features().avx2_fma; }
bool cpu_has_avx512() { return features().avx512; }

#else

bool cpu_has_avx2_fma() { return false; }
bool cpu_has_avx512() { return false; }

#endif

const KernelInfo* select_kernel(const char* cap) {
  int max_level = 2;  // 2 = avx512, 1 = avx2, 0 = generic
  if (cap != nullptr) {
    if (std::strcmp(cap, "generic") == 0) max_level = 0;
    else if (std::strcmp(cap, "avx2") == 0) max_level = 1;
    else if (std::strcmp(cap, "neon") == 0) max_level = 1;
  }
#if defined(NATIVE_MLP_X86)
  if (max_level >= 2 && cpu_has_avx512()) return kernel_avx512();
  if (max_level >= 1 && cpu_has_avx2_fma()) return kernel_avx2();
#endif
#if defined(NATIVE_MLP_NEON)
  if (max_level >= 1) return kernel_neon();
#endif
  return kernel_generic();
}

}  // namespace nmlp
