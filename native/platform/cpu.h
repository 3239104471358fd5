// Run-time CPU feature detection: which micro-kernels this machine (CPU and OS) can execute, and
// the choice of one under a cap the caller sets (the addon's setIsa; nothing here reads the
// environment).
#ifndef NATIVE_MLP_CPU_H
#define NATIVE_MLP_CPU_H

#include "sgemm/kernels.h"

namespace nmlp {

// True when the CPU has AVX2 and FMA and the OS saves the YMM state (XCR0 bits 1-2).
bool cpu_has_avx2_fma();
// True when the CPU has AVX-512 F/VL/BW/DQ (plus AVX2/FMA) and the OS saves the ZMM/opmask state
// (XCR0 bits 1-2 and 5-7).
bool cpu_has_avx512();

// The kernels this machine can run, best first (the last is always generic). Sets *count.
const KernelInfo* const* supported_kernels(int* count);

// The best kernel this machine supports at or below `cap` ("avx512", "avx2", "neon", "generic").
// A cap can only lower the choice, never raise it past what the CPU supports, so it cannot cause
// SIGILL; an ISA of another architecture (neon on x86-64, avx2 on arm64) caps to generic.
// Returns null for a name that is none of these.
const KernelInfo* select_kernel(const char* cap);

// True when `k` is an x86 kernel whose ISA includes AVX2 and FMA (avx2, avx512): the AVX2 builds
// of the sparse and optimizer loops may run beside it, with the same FMA arithmetic.
bool runs_avx2(const KernelInfo& k);

// The best kernel this machine supports (no cap).
const KernelInfo* best_kernel();

}  // namespace nmlp

#endif
