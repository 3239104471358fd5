// Inverted dropout (src/backend/js/dropout.ts is the specification, operation for operation):
// out[i] = x[i] * m[i], m[i] = float(1 / (1 - p)) where element i is kept, 0 where it is dropped;
// kept when fmix32(fmix32(key0 ^ (i * 0x9E3779B1)) ^ key1) >= floor(p * 2^32), on uint32 with
// wrap-around, so every backend and thread count drops the same elements. Inputs and results
// below the smallest normal float are zeros of their sign (written out for WASM; the native calls'
// flush-to-zero mode does the same). Preconditions (checked by the binding): 0 <= p < 1, out and
// x hold n elements, out is x or disjoint from it.
#ifndef NATIVE_MLP_DROPOUT_H
#define NATIVE_MLP_DROPOUT_H

#include <cstdint>

namespace nmlp {

void dropout(float* out, const float* x, std::int64_t n, double p, std::uint32_t key0, std::uint32_t key1);

}  // namespace nmlp

#endif
