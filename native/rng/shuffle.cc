#include "rng/shuffle.h"

namespace nmlp {
namespace {

// A 128-bit unsigned integer as two 64-bit halves (portable: no __int128 on every compiler).
struct U128 {
  std::uint64_t hi, lo;
};

// The full 128-bit product of two 64-bit numbers, from 32-bit pieces.
U128 mul64(std::uint64_t a, std::uint64_t b) {
  const std::uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
  const std::uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const std::uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
  return {p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32), (mid << 32) | (p00 & 0xffffffffu)};
}

// PCG_DEFAULT_MULTIPLIER_128.
constexpr U128 kMultiplier = {2549297995355413924ULL, 4865540595714422341ULL};

// One LCG step (state * multiplier + inc, mod 2^128), then the XSL-RR output of the new state.
std::uint64_t next64(U128& s, const U128& inc) {
  U128 p = mul64(s.lo, kMultiplier.lo);
  p.hi += s.lo * kMultiplier.hi + s.hi * kMultiplier.lo;  // the cross terms' low halves (mod 2^128)
  const std::uint64_t lo = p.lo + inc.lo;
  s.hi = p.hi + inc.hi + (lo < p.lo ? 1 : 0);
  s.lo = lo;
  const std::uint64_t x = s.hi ^ s.lo;
  const unsigned rot = static_cast<unsigned>(s.hi >> 58);
  return (x >> rot) | (x << ((64 - rot) & 63));
}

}  // namespace

void pcg64_permutation(std::uint32_t* out, std::uint64_t n, Pcg64State* g) {
  U128 state{g->state_hi, g->state_lo};
  const U128 inc{g->inc_hi, g->inc_lo};
  bool has = g->has_uint32;
  std::uint32_t buffered = g->uinteger;
  auto next32 = [&]() -> std::uint32_t {
    if (has) {
      has = false;
      return buffered;
    }
    const std::uint64_t v = next64(state, inc);
    has = true;
    buffered = static_cast<std::uint32_t>(v >> 32);
    return static_cast<std::uint32_t>(v);
  };
  for (std::uint64_t i = 0; i < n; ++i) out[i] = static_cast<std::uint32_t>(i);
  for (std::uint64_t i = n > 0 ? n - 1 : 0; i >= 1; --i) {
    const auto top = static_cast<std::uint32_t>(i);
    std::uint32_t mask = top;  // the smallest 2^b - 1 >= i
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    std::uint32_t j;
    do {
      j = next32() & mask;
    } while (j > top);
    const std::uint32_t t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  g->state_hi = state.hi;
  g->state_lo = state.lo;
  g->has_uint32 = has;
  g->uinteger = buffered;
}

}  // namespace nmlp
