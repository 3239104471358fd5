// N-API wrappers of the activation kernels (activation.h) and dropout (dropout.h). Element-wise kernels may
// write in place (an output that is exactly an input) but an output that partly overlaps an input would read
// elements already overwritten: refused, as the TypeScript checks refuse it.
#include "napi/binding_act.h"

#include <cstdint>
#include <string>

#include "nn/activation.h"
#include "napi/args.h"
#include "nn/dropout.h"

namespace nmlp_binding {
namespace {

using nmlp_args::Args;
using nmlp_args::block;
using nmlp_args::i64;
using nmlp_args::throw_range;

// Throws when [a, a + n) and [b, b + n) overlap without being the same range.
void require_same_or_disjoint(napi_env env, const float* a, const char* an, const float* b, const char* bn,
                              std::uint64_t n) {
  if (n == 0 || a == b) return;
  const auto pa = reinterpret_cast<std::uintptr_t>(a), pb = reinterpret_cast<std::uintptr_t>(b);
  const auto bytes = static_cast<std::uintptr_t>(n) * sizeof(float);
  if (pa < pb + bytes && pb < pa + bytes) {
    throw_range(env, std::string("Expected ") + an + " to be " + bn +
                         " itself or not to overlap it (they share part of their memory)");
  }
}

int activation_code(const Args& args, std::size_t i) {
  return static_cast<int>(args.dim(i, "act", nmlp::kActivationCount - 1));
}

}  // namespace

Napi::Value BiasAct(const Napi::CallbackInfo& info) {
  Args args(info, "biasAct", 6, "h, u, bias, rows, cols, act");
  const i64 rows = args.dim(3, "rows");
  const i64 cols = args.dim(4, "cols");
  const int act = activation_code(args, 5);
  const std::uint64_t size = block(rows, cols);
  float* h = args.f32(0, "h", size).data;
  float* u = args.f32(1, "u", size).data;
  const float* bias = args.f32(2, "bias", static_cast<std::uint64_t>(cols)).data;
  require_same_or_disjoint(args.env(), h, "h", u, "u", size);
  require_same_or_disjoint(args.env(), h, "h", bias, "bias", cols);
  require_same_or_disjoint(args.env(), u, "u", bias, "bias", cols);
  nmlp::bias_act(h, u, bias, rows, cols, act);
  return info.Env().Undefined();
}

Napi::Value ActBackward(const Napi::CallbackInfo& info) {
  Args args(info, "actBackward", 6, "dx, dy, u, h, n, act");
  const i64 n = args.dim(4, "n");
  const int act = activation_code(args, 5);
  const std::uint64_t need = static_cast<std::uint64_t>(n);
  float* dx = args.f32(0, "dx", need).data;
  const float* dy = args.f32(1, "dy", need).data;
  const float* u = args.f32(2, "u", need).data;
  const float* h = args.f32(3, "h", need).data;
  require_same_or_disjoint(args.env(), dx, "dx", dy, "dy", need);
  require_same_or_disjoint(args.env(), dx, "dx", u, "u", need);
  require_same_or_disjoint(args.env(), dx, "dx", h, "h", need);
  nmlp::act_backward(dx, dy, u, h, n, act);
  return info.Env().Undefined();
}

Napi::Value Dropout(const Napi::CallbackInfo& info) {
  Args args(info, "dropout", 6, "out, x, n, p, key0, key1");
  const i64 n = args.dim(2, "n");
  const double p = args.finite(3, "p");
  if (!(p >= 0.0 && p < 1.0)) {
    throw_range(args.env(), "Expected p to be a number in [0, 1) but received " + nmlp_args::js_number(p));
  }
  const auto key0 = static_cast<std::uint32_t>(args.dim(4, "key0", 4294967295.0));
  const auto key1 = static_cast<std::uint32_t>(args.dim(5, "key1", 4294967295.0));
  const std::uint64_t need = static_cast<std::uint64_t>(n);
  float* out = args.f32(0, "out", need).data;
  const float* x = args.f32(1, "x", need).data;
  require_same_or_disjoint(args.env(), out, "out", x, "x", need);
  nmlp::dropout(out, x, n, p, key0, key1);
  return info.Env().Undefined();
}

}  // namespace nmlp_binding
