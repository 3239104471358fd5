#include "platform/cpu.h"

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
  const bool os_ymm = (xcr0 & 0x6) == 0x6;    // SSE + AVX state
  const bool os_zmm = (xcr0 & 0xe6) == 0xe6;  // + opmask, ZMM_Hi256, Hi16_ZMM
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

namespace {

// This architecture's ISAs from best to worst, with the rank a cap by that name allows.
struct Level {
  const char* name;
  int rank;
};
#if defined(NATIVE_MLP_X86)
constexpr Level kLevels[] = {{"avx512", 2}, {"avx2", 1}, {"generic", 0}};
#elif defined(NATIVE_MLP_NEON)
constexpr Level kLevels[] = {{"neon", 1}, {"generic", 0}};
#else
constexpr Level kLevels[] = {{"generic", 0}};
#endif
constexpr const char* kKnown[] = {"avx512", "avx2", "neon", "generic"};

const KernelInfo* kernel_at(int rank) {
#if defined(NATIVE_MLP_X86)
  if (rank >= 2 && cpu_has_avx512()) return kernel_avx512();
  if (rank >= 1 && cpu_has_avx2_fma()) return kernel_avx2();
#elif defined(NATIVE_MLP_NEON)
  if (rank >= 1) return kernel_neon();  // Advanced SIMD is part of the arm64 baseline
#endif
  (void)rank;
  return kernel_generic();
}

struct Supported {
  const KernelInfo* list[4];
  int count = 0;
};

Supported detect_supported() {
  Supported s;
  for (const Level& level : kLevels) {
    const KernelInfo* k = kernel_at(level.rank);
    if (std::strcmp(k->isa, level.name) == 0) s.list[s.count++] = k;
  }
  return s;
}

}  // namespace

const KernelInfo* const* supported_kernels(int* count) {
  static const Supported s = detect_supported();
  *count = s.count;
  return s.list;
}

const KernelInfo* select_kernel(const char* cap) {
  bool known = false;
  for (const char* name : kKnown) known = known || std::strcmp(cap, name) == 0;
  if (!known) return nullptr;
  int rank = 0;  // another architecture's ISA: generic
  for (const Level& level : kLevels) {
    if (std::strcmp(cap, level.name) == 0) rank = level.rank;
  }
  return kernel_at(rank);
}

const KernelInfo* best_kernel() { return kernel_at(1 << 20); }

bool runs_avx2(const KernelInfo& k) {
  return std::strcmp(k.isa, "avx512") == 0 || std::strcmp(k.isa, "avx2") == 0;
}

}  // namespace nmlp
