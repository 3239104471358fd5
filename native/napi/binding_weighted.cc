// N-API wrappers of the weighted loss heads. Weights are checked here, not trusted: a NaN,
// infinite or negative weight, or weights sharing du's memory (du is written while they are
// read), is a RangeError with the TypeScript checks' wording.
#include "napi/binding_weighted.h"

#include <cstdint>
#include <string>

#include "napi/args.h"
#include "nn/weighted_loss.h"

namespace nmlp_binding {
namespace {

using nmlp_args::Args;
using nmlp_args::block;
using nmlp_args::i64;
using nmlp_args::throw_range;

constexpr float kMaxFloat = 3.40282347e38f;

const float* checked_weights(const Args& args, std::size_t i, i64 rows, const float* du,
                             std::uint64_t du_len) {
  const float* w = args.f32(i, "weights", static_cast<std::uint64_t>(rows)).data;
  for (i64 r = 0; r < rows; ++r) {
    // Read as bits: the call runs with denormals-are-zero, and the check must see the value passed.
    std::uint32_t bits;
    __builtin_memcpy(&bits, &w[r], sizeof bits);
    const bool negative = (bits >> 31) != 0 && (bits & 0x7fffffffu) != 0;
    const bool non_finite = (bits & 0x7f800000u) == 0x7f800000u;
    if (negative || non_finite) {
      throw_range(args.env(), "Expected every weight to be a finite number >= 0 but weights[" +
                                  std::to_string(r) + "] is " +
                                  nmlp_args::js_number(static_cast<double>(w[r])));
    }
  }
  const auto w0 = reinterpret_cast<std::uintptr_t>(w), d0 = reinterpret_cast<std::uintptr_t>(du);
  const std::uintptr_t w1 = w0 + 4 * static_cast<std::uintptr_t>(rows),
                       d1 = d0 + 4 * static_cast<std::uintptr_t>(du_len);
  if (rows > 0 && du_len > 0 && w0 < d1 && d0 < w1) {
    throw_range(args.env(), "Expected weights not to overlap du (du is written while weights are read)");
  }
  return w;
}

}  // namespace

Napi::Value SoftmaxXentGradWeighted(const Napi::CallbackInfo& info) {
  Args args(info, "softmaxXentGradWeighted", 6, "du, logits, labels, weights, rows, cols");
  const i64 rows = args.dim(4, "rows");
  const i64 cols = args.dim(5, "cols");
  const std::uint64_t size = block(rows, cols);
  float* du = args.f32(0, "du", size).data;
  const float* logits = args.f32(1, "logits", size).data;
  const std::uint32_t* labels = args.labels(2, rows, cols);
  if (rows > 0 && cols == 0) throw_range(args.env(), "Expected cols >= 1 (the class count) but received 0");
  const float* weights = checked_weights(args, 3, rows, du, size);
  return Napi::Number::New(info.Env(),
                           nmlp::softmax_xent_grad_weighted(du, logits, labels, weights, rows, cols));
}

Napi::Value MseGradWeighted(const Napi::CallbackInfo& info) {
  Args args(info, "mseGradWeighted", 6, "du, pred, target, weights, rows, cols");
  const i64 rows = args.dim(4, "rows");
  const i64 cols = args.dim(5, "cols");
  const std::uint64_t size = block(rows, cols);
  float* du = args.f32(0, "du", size).data;
  const float* pred = args.f32(1, "pred", size).data;
  const float* target = args.f32(2, "target", size).data;
  const float* weights = checked_weights(args, 3, rows, du, size);
  return Napi::Number::New(info.Env(), nmlp::mse_grad_weighted(du, pred, target, weights, rows, cols));
}

}  // namespace nmlp_binding
