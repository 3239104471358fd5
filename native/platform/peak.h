// The machine's fp32 FMA limit, measured (for the bench's "fraction of peak"): independent FMA
// chains in registers, nothing loaded or stored, on `threads` threads at once.
#ifndef NATIVE_MLP_PEAK_H
#define NATIVE_MLP_PEAK_H

#include <cstdint>

namespace nmlp {

// Runs `iterations` rounds of the ISA's widest FMA loop; returns the flops done (2 per lane per
// FMA) and a value that depends on every result, so the loop cannot be optimised away.
struct PeakRun {
  double flops;
  float sink;
};
using PeakLoopFn = PeakRun (*)(std::int64_t iterations);

PeakLoopFn peak_loop_generic();
#if defined(NATIVE_MLP_X86)
PeakLoopFn peak_loop_avx2();    // only call when cpu_has_avx2_fma()
PeakLoopFn peak_loop_avx512();  // only call when cpu_has_avx512()
#endif

// GFLOP/s of `isa`'s FMA loop ("avx512", "avx2", else the generic multiply-add) on `threads`
// threads (1..256) running together for about `seconds`. May throw std::system_error.
double fma_peak_gflops(const char* isa, int threads, double seconds);

}  // namespace nmlp

#endif
