// A float32 result below the smallest normal float32 as a zero of its sign: what the native
// calls' flush-to-zero mode does in hardware (platform/fp_mode.h), written out so that WASM (which
// has no such mode) and the TypeScript twins give the same bits. Baseline code only: included by
// no ISA file.
#ifndef NATIVE_MLP_NN_FLUSH_H
#define NATIVE_MLP_NN_FLUSH_H

#include <cstdint>

namespace nmlp {

constexpr float kMinNormal = 1.17549435e-38f;

inline float flushed(float r) {
  if (!(r > -kMinNormal && r < kMinNormal)) return r;
  std::uint32_t bits;
  __builtin_memcpy(&bits, &r, sizeof bits);
  return (bits >> 31) != 0 ? -0.0f : 0.0f;
}

}  // namespace nmlp

#endif
