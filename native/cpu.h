// Run-time CPU feature detection: which micro-kernel this machine (CPU and OS) can execute.
#ifndef NATIVE_MLP_CPU_H
#define NATIVE_MLP_CPU_H

#include "kernels.h"

namespace nmlp {

// True when the CPU has AVX2 and FMA and the OS saves the YMM state (XCR0 bits 1-2).
bool cpu_has_avx2_fma();
// True when the CPU has AVX-512 F/VL/BW/DQ (plus AVX2/FMA) and the OS saves the ZMM/opmask state
// (XCR0 bits 1-2 and 5-7).
bool cpu_has_avx512();

// The best kernel this machine supports, optionally capped by `cap` ("avx512", "avx2",
// "generic"; null or unknown = no cap). A cap can only lower the choice, never raise it past what
// the CPU supports, so it cannot cause SIGILL. The addon passes getenv("NATIVE_MLP_ISA").
const KernelInfo* select_kernel(const char* cap);

}  // namespace nmlp

#endif
