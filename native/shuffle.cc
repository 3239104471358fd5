#include "shuffle.h"

namespace nmlp {
namespace {

using u128 = unsigned __int128;

// PCG_DEFAULT_MULTIPLIER_128.
constexpr u128 kMultiplier = (static_cast<u128>(2549297995355413924ULL) << 64) | 4865540595714422341ULL;

// One LCG step, then the XSL-RR output of the new state.
std::uint64_t next64(u128& state, u128 inc) {
  state = state * kMultiplier + inc;
  const auto hi = static_cast<std::uint64_t>(state >> 64);
  const auto x = hi ^ static_cast<std::uint64_t>(state);
  const unsigned rot = static_cast<unsigned>(hi >> 58);
  return (x >> rot) | (x << ((64 - rot) & 63));
}

}  // namespace

void pcg64_permutation(std::uint32_t* out, std::uint64_t n, Pcg64State* g) {
  u128 state = (static_cast<u128>(g->state_hi) << 64) | g->state_lo;
  const u128 inc = (static_cast<u128>(g->inc_hi) << 64) | g->inc_lo;
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
    const std::uint32_t mask = 0xffffffffu >> __builtin_clz(top);  // the smallest 2^b - 1 >= i
    std::uint32_t j;
    do {
      j = next32() & mask;
    } while (j > top);
    const std::uint32_t t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  g->state_hi = static_cast<std::uint64_t>(state >> 64);
  g->state_lo = static_cast<std::uint64_t>(state);
  g->has_uint32 = has;
  g->uinteger = buffered;
}

}  // namespace nmlp
