// The optimizer loops built for AVX2 (8 floats per sqrt and division instead of 4); the same
// operations as the baseline build, so the same bits. Called only when the CPU has AVX2.
#include "optim/optim_loops.h"

namespace nmlp {

void momentum_range_avx2(const MomentumArgs& a, std::int64_t lo, std::int64_t hi) {
  momentum_range(a, lo, hi);
}

void adam_range_avx2(const AdamArgs& a, std::int64_t lo, std::int64_t hi) { adam_range(a, lo, hi); }

}  // namespace nmlp
