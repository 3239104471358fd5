#include "nn/dropout.h"

#include "nn/flush.h"

namespace nmlp {
namespace {

// MurmurHash3's 32-bit finalizer: a bijection of uint32 with full avalanche.
inline std::uint32_t fmix32(std::uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

}  // namespace

void dropout(float* out, const float* x, std::int64_t n, double p, std::uint32_t key0, std::uint32_t key1) {
  // p * 2^32 is exact in double and below 2^32, so the cast truncates as floor does.
  const std::uint32_t threshold = static_cast<std::uint32_t>(p * 4294967296.0);
  const float scale = static_cast<float>(1.0 / (1.0 - p));
  for (std::int64_t i = 0; i < n; ++i) {
    const std::uint32_t bits = fmix32(fmix32(key0 ^ (static_cast<std::uint32_t>(i) * 0x9e3779b1u)) ^ key1);
    const float m = bits >= threshold ? scale : 0.0f;
    out[i] = flushed(flushed(x[i]) * m);
  }
}

}  // namespace nmlp
