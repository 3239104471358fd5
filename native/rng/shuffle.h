// The training loop's epoch order: NumPy's Generator(PCG64).permutation(n), drawn from a PCG64
// state the caller passes in and gets back advanced, so the TypeScript generator (src/rng/) and
// this draw one stream. The same numbers as src/rng/generator.ts's permutationInto (its twin),
// without the 20 ms V8 spends running that loop before it is compiled, once per process.
#ifndef NATIVE_MLP_SHUFFLE_H
#define NATIVE_MLP_SHUFFLE_H

#include <cstdint>

namespace nmlp {

// NumPy's bit_generator.state of a PCG64, 128-bit words as two 64-bit halves.
struct Pcg64State {
  std::uint64_t state_hi, state_lo;
  std::uint64_t inc_hi, inc_lo;  // odd
  bool has_uint32;
  std::uint32_t uinteger;
};

// out[0..n) = a permutation of 0..n-1 as rng.permutation(n) draws it: out[i] = i, then for
// i = n - 1 down to 1, swap out[i] with out[j], j uniform in [0, i] by masked rejection on
// 32-bit draws (next_uint32, with NumPy's buffering of the high half).
void pcg64_permutation(std::uint32_t* out, std::uint64_t n, Pcg64State* g);

}  // namespace nmlp

#endif
