// N-API wrappers of the optimizer updates over the parameter arena (optim.h): argument checks,
// then the call. The addon class in binding.cc registers them with its instance's ISA choice.
#include "napi/binding_optim.h"

#include <cstdint>
#include <string>

#include "napi/args.h"
#include "optim/optim.h"

namespace nmlp_binding {
namespace {

using nmlp_args::Args;
using nmlp_args::guarded;
using nmlp_args::i64;
using nmlp_args::throw_range;

// Throws unless [a, a + n) and [b, b + n) are disjoint (an update never reads what it wrote).
void require_disjoint(napi_env env, const float* a, const char* an, const float* b, const char* bn, i64 n) {
  const auto pa = reinterpret_cast<std::uintptr_t>(a), pb = reinterpret_cast<std::uintptr_t>(b);
  const auto bytes = static_cast<std::uintptr_t>(n) * sizeof(float);
  if (n > 0 && pa < pb + bytes && pb < pa + bytes) {
    throw_range(env, std::string("Expected ") + an + " and " + bn + " not to overlap (they share memory)");
  }
}

}  // namespace

// momentumUpdate(w, g, velocity, n, lr, momentum, weightDecay, nesterov)
Napi::Value MomentumUpdate(const Napi::CallbackInfo& info, bool wide_loops) {
  Args args(info, "momentumUpdate", 8, "w, g, velocity, n, lr, momentum, weightDecay, nesterov");
  napi_env env = args.env();
  const i64 n = args.dim(3, "n");
  const double lr = args.finite(4, "lr");
  const double momentum = args.finite(5, "momentum");
  const double wd = args.finite(6, "weightDecay");
  const bool nesterov = args.boolean(7, "nesterov");
  const std::uint64_t need = static_cast<std::uint64_t>(n);
  float* w = args.f32(0, "w", need).data;
  const float* g = args.f32(1, "g", need).data;
  float* vel = args.f32(2, "velocity", momentum != 0.0 ? need : 0).data;
  require_disjoint(env, w, "w", g, "g", n);
  if (momentum != 0.0) {
    require_disjoint(env, w, "w", vel, "velocity", n);
    require_disjoint(env, g, "g", vel, "velocity", n);
  }
  guarded(env, "momentumUpdate",
          [&] { nmlp::momentum_update(w, g, vel, n, lr, momentum, wd, nesterov, wide_loops); });
  return info.Env().Undefined();
}

// adamUpdate(w, g, m, v, n, lr, beta1, beta2, eps, weightDecay, decoupled, step)
Napi::Value AdamUpdate(const Napi::CallbackInfo& info, bool wide_loops) {
  Args args(info, "adamUpdate", 12, "w, g, m, v, n, lr, beta1, beta2, eps, weightDecay, decoupled, step");
  napi_env env = args.env();
  const i64 n = args.dim(4, "n");
  const double lr = args.finite(5, "lr");
  const double beta1 = args.finite(6, "beta1");
  const double beta2 = args.finite(7, "beta2");
  const double eps = args.finite(8, "eps");
  const double wd = args.finite(9, "weightDecay");
  const bool decoupled = args.boolean(10, "decoupled");
  const i64 step = args.dim(11, "step");
  if (step < 1) throw_range(env, "Expected step to be an integer >= 1 but received 0");
  const std::uint64_t need = static_cast<std::uint64_t>(n);
  float* w = args.f32(0, "w", need).data;
  const float* g = args.f32(1, "g", need).data;
  float* m = args.f32(2, "m", need).data;
  float* v = args.f32(3, "v", need).data;
  require_disjoint(env, w, "w", g, "g", n);
  require_disjoint(env, w, "w", m, "m", n);
  require_disjoint(env, w, "w", v, "v", n);
  require_disjoint(env, g, "g", m, "m", n);
  require_disjoint(env, g, "g", v, "v", n);
  require_disjoint(env, m, "m", v, "v", n);
  guarded(env, "adamUpdate",
          [&] { nmlp::adam_update(w, g, m, v, n, lr, beta1, beta2, eps, wd, decoupled, step, wide_loops); });
  return info.Env().Undefined();
}

}  // namespace nmlp_binding
