// The N-API wrappers of the addon (with args.*, the only files that include napi.h): for each
// export, validate every argument exactly as binding.d.ts documents (readers in args.h), unwrap
// the typed arrays, call the plain C++ kernel. Nothing here touches array memory before all
// checks have passed.
// Errors: TypeError for a wrong type, a missing argument or a detached buffer; RangeError for a
// size, stride, length or name out of range.
#include <napi.h>

#include <cstdint>
#include <string>

#include "napi/args.h"
#include "napi/binding_gather.h"
#include "napi/binding_act.h"
#include "napi/binding_optim.h"
#include "napi/binding_sparse.h"
#include "napi/binding_weighted.h"
#include "platform/cpu.h"
#include "platform/peak.h"
#include "nn/fused.h"
#include "optim/optim.h"
#include "sgemm/sgemm.h"
#include "rng/shuffle.h"
#include "platform/thread_pool.h"

namespace {

using nmlp_args::Args;
using nmlp_args::block;
using nmlp_args::extent;
using nmlp_args::guarded;
using nmlp_args::i64;
using nmlp_args::throw_range;

// ---------------------------------------------------------------------------------------------
// The addon. One instance per JavaScript environment (main thread, each worker_thread).

// sgemm's C may not share memory with A or B, whatever views or threads the arrays came from:
// the touched element ranges (from each pointer, len floats) are compared as addresses.
static void check_no_overlap(napi_env env, const char* name, const float* x, std::uint64_t x_len,
                             const float* c, std::uint64_t c_len) {
  if (x_len == 0 || c_len == 0) return;
  const std::uintptr_t x0 = reinterpret_cast<std::uintptr_t>(x), c0 = reinterpret_cast<std::uintptr_t>(c);
  const std::uintptr_t x1 = x0 + 4 * x_len, c1 = c0 + 4 * c_len;
  if (x0 < c1 && c0 < x1) {
    nmlp_args::throw_range(
        env,
        std::string("Expected c not to overlap ") + name +
            " (sgemm's output must not alias an input) but they share memory; write into a separate array");
  }
}

class NativeMlp : public Napi::Addon<NativeMlp> {
 public:
  NativeMlp(Napi::Env env, Napi::Object exports) : kernel_(nmlp::best_kernel()) {
    DefineAddon(
        exports,
        {
            InstanceMethod("sgemm", &NativeMlp::Sgemm, napi_default_jsproperty),
            InstanceMethod("biasRelu", &NativeMlp::BiasRelu, napi_default_jsproperty),
            InstanceMethod("biasAdd", &NativeMlp::BiasAdd, napi_default_jsproperty),
            InstanceMethod("softmaxXentGrad", &NativeMlp::SoftmaxXentGrad, napi_default_jsproperty),
            InstanceMethod("reluBackward", &NativeMlp::ReluBackward, napi_default_jsproperty),
            InstanceMethod("softmaxXentGradWeighted", &NativeMlp::SoftmaxXentGradWeighted,
                           napi_default_jsproperty),
            InstanceMethod("mseGradWeighted", &NativeMlp::MseGradWeighted, napi_default_jsproperty),
            InstanceMethod("colSums", &NativeMlp::ColSums, napi_default_jsproperty),
            InstanceMethod("sgdUpdate", &NativeMlp::SgdUpdate, napi_default_jsproperty),
            InstanceMethod("gatherPixels", &NativeMlp::GatherPixels, napi_default_jsproperty),
            InstanceMethod("startGatherPixels", &NativeMlp::StartGatherPixels, napi_default_jsproperty),
            InstanceMethod("mseGrad", &NativeMlp::MseGrad, napi_default_jsproperty),
            InstanceMethod("gatherRows", &NativeMlp::GatherRows, napi_default_jsproperty),
            InstanceMethod("getThreads", &NativeMlp::GetThreads, napi_default_jsproperty),
            InstanceMethod("setThreads", &NativeMlp::SetThreads, napi_default_jsproperty),
            InstanceMethod("isa", &NativeMlp::Isa, napi_default_jsproperty),
            InstanceMethod("setIsa", &NativeMlp::SetIsa, napi_default_jsproperty),
            InstanceMethod("supportedIsas", &NativeMlp::SupportedIsas, napi_default_jsproperty),
            InstanceMethod("setPoolPolicy", &NativeMlp::SetPoolPolicy, napi_default_jsproperty),
            InstanceMethod("fmaPeak", &NativeMlp::FmaPeak, napi_default_jsproperty),
            InstanceMethod("alignOffset", &NativeMlp::AlignOffset, napi_default_jsproperty),
            InstanceMethod("permutation", &NativeMlp::Permutation, napi_default_jsproperty),
            InstanceMethod("sparseMatmul", &NativeMlp::SparseMatmul, napi_default_jsproperty),
            InstanceMethod("sparseMatmulT", &NativeMlp::SparseMatmulT, napi_default_jsproperty),
            InstanceMethod("gatherSparse", &NativeMlp::GatherSparse, napi_default_jsproperty),
            InstanceMethod("startGatherSparse", &NativeMlp::StartGatherSparse, napi_default_jsproperty),
            InstanceMethod("finishGather", &NativeMlp::FinishGather, napi_default_jsproperty),
            InstanceMethod("momentumUpdate", &NativeMlp::MomentumUpdate, napi_default_jsproperty),
            InstanceMethod("adamUpdate", &NativeMlp::AdamUpdate, napi_default_jsproperty),
            InstanceMethod("biasAct", &NativeMlp::BiasAct, napi_default_jsproperty),
            InstanceMethod("actBackward", &NativeMlp::ActBackward, napi_default_jsproperty),
            InstanceMethod("dropout", &NativeMlp::Dropout, napi_default_jsproperty),
        });
  }

 private:
  // sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
  Napi::Value Sgemm(const Napi::CallbackInfo& info) {
    Args args(info, "sgemm", 13, "transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc");
    napi_env env = args.env();
    nmlp::SgemmArgs s;
    s.trans_a = args.boolean(0, "transA");
    s.trans_b = args.boolean(1, "transB");
    s.m = args.dim(2, "m");
    s.n = args.dim(3, "n");
    s.k = args.dim(4, "k");
    s.lda = args.dim(7, "lda");
    s.ldb = args.dim(9, "ldb");
    s.ldc = args.dim(12, "ldc");
    s.alpha = args.finite(5, "alpha");
    s.beta = args.finite(10, "beta");
    const i64 a_rows = s.trans_a ? s.k : s.m, a_cols = s.trans_a ? s.m : s.k;
    const i64 b_rows = s.trans_b ? s.n : s.k, b_cols = s.trans_b ? s.k : s.n;
    auto dims = [](i64 r, i64 c) { return std::to_string(r) + "x" + std::to_string(c); };
    const i64 min_lda = a_cols > 1 ? a_cols : 1;
    const i64 min_ldb = b_cols > 1 ? b_cols : 1;
    const i64 min_ldc = s.n > 1 ? s.n : 1;
    if (s.lda < min_lda) {
      throw_range(env, "Expected lda >= " + std::to_string(min_lda) + " (A is " + dims(a_rows, a_cols) +
                           ") but received " + std::to_string(s.lda));
    }
    if (s.ldb < min_ldb) {
      throw_range(env, "Expected ldb >= " + std::to_string(min_ldb) + " (B is " + dims(b_rows, b_cols) +
                           ") but received " + std::to_string(s.ldb));
    }
    if (s.ldc < min_ldc) {
      throw_range(env, "Expected ldc >= " + std::to_string(min_ldc) + " (C is " + dims(s.m, s.n) +
                           ") but received " + std::to_string(s.ldc));
    }
    const bool reads_ab = s.alpha != 0.0 && s.k > 0 && s.m > 0 && s.n > 0;
    s.a = args.f32(6, "a", reads_ab ? extent(a_rows, a_cols, s.lda) : 0).data;
    s.b = args.f32(8, "b", reads_ab ? extent(b_rows, b_cols, s.ldb) : 0).data;
    s.c = args.f32(11, "c", extent(s.m, s.n, s.ldc)).data;
    if (reads_ab) {
      // C is written while A and B are read: an overlap gives a wrong product (binding.d.ts).
      const std::uint64_t c_len = extent(s.m, s.n, s.ldc);
      check_no_overlap(env, "a", s.a, extent(a_rows, a_cols, s.lda), s.c, c_len);
      check_no_overlap(env, "b", s.b, extent(b_rows, b_cols, s.ldb), s.c, c_len);
    }
    guarded(env, "sgemm", [&] { nmlp::sgemm(*kernel_, s); });
    return env_undefined(info);
  }

  // biasRelu(h, u, bias, rows, cols)
  Napi::Value BiasRelu(const Napi::CallbackInfo& info) {
    Args args(info, "biasRelu", 5, "h, u, bias, rows, cols");
    const i64 rows = args.dim(3, "rows");
    const i64 cols = args.dim(4, "cols");
    const std::uint64_t size = block(rows, cols);
    float* h = args.f32(0, "h", size).data;
    float* u = args.f32(1, "u", size).data;
    const float* bias = args.f32(2, "bias", static_cast<std::uint64_t>(cols)).data;
    nmlp::bias_relu(h, u, bias, rows, cols);
    return env_undefined(info);
  }

  // biasAdd(u, bias, rows, cols)
  Napi::Value BiasAdd(const Napi::CallbackInfo& info) {
    Args args(info, "biasAdd", 4, "u, bias, rows, cols");
    const i64 rows = args.dim(2, "rows");
    const i64 cols = args.dim(3, "cols");
    const std::uint64_t size = block(rows, cols);
    float* u = args.f32(0, "u", size).data;
    const float* bias = args.f32(1, "bias", static_cast<std::uint64_t>(cols)).data;
    nmlp::bias_add(u, bias, rows, cols);
    return env_undefined(info);
  }

  // softmaxXentGrad(du, logits, labels, rows, cols) -> summed loss
  Napi::Value SoftmaxXentGrad(const Napi::CallbackInfo& info) {
    Args args(info, "softmaxXentGrad", 5, "du, logits, labels, rows, cols");
    const i64 rows = args.dim(3, "rows");
    const i64 cols = args.dim(4, "cols");
    const std::uint64_t size = block(rows, cols);
    float* du = args.f32(0, "du", size).data;
    const float* logits = args.f32(1, "logits", size).data;
    const std::uint32_t* labels = args.labels(2, rows, cols);
    const double loss = nmlp::softmax_xent_grad(du, logits, labels, rows, cols);
    return Napi::Number::New(info.Env(), loss);
  }

  // reluBackward(dx, dy, u, n)
  Napi::Value ReluBackward(const Napi::CallbackInfo& info) {
    Args args(info, "reluBackward", 4, "dx, dy, u, n");
    const i64 n = args.dim(3, "n");
    const std::uint64_t need = static_cast<std::uint64_t>(n);
    float* dx = args.f32(0, "dx", need).data;
    const float* dy = args.f32(1, "dy", need).data;
    const float* u = args.f32(2, "u", need).data;
    nmlp::relu_backward(dx, dy, u, n);
    return env_undefined(info);
  }

  // colSums(out, x, rows, cols)
  Napi::Value ColSums(const Napi::CallbackInfo& info) {
    Args args(info, "colSums", 4, "out, x, rows, cols");
    const i64 rows = args.dim(2, "rows");
    const i64 cols = args.dim(3, "cols");
    float* out = args.f32(0, "out", static_cast<std::uint64_t>(cols)).data;
    const float* x = args.f32(1, "x", block(rows, cols)).data;
    nmlp::col_sums(out, x, rows, cols);
    return env_undefined(info);
  }

  // sgdUpdate(w, g, lr, n)
  Napi::Value SgdUpdate(const Napi::CallbackInfo& info) {
    Args args(info, "sgdUpdate", 4, "w, g, lr, n");
    const i64 n = args.dim(3, "n");
    const double lr = args.finite(2, "lr");
    const std::uint64_t need = static_cast<std::uint64_t>(n);
    float* w = args.f32(0, "w", need).data;
    const float* g = args.f32(1, "g", need).data;
    nmlp::sgd_update(w, g, lr, n);
    return env_undefined(info);
  }

  // gatherPixels / startGatherPixels (binding_gather.cc).
  Napi::Value GatherPixels(const Napi::CallbackInfo& info) { return nmlp_binding::GatherPixels(info); }
  Napi::Value StartGatherPixels(const Napi::CallbackInfo& info) {
    return nmlp_binding::StartGatherPixels(info, gather_);
  }

  // mseGrad(du, pred, target, rows, cols) -> summed 0.5 * squared error
  Napi::Value MseGrad(const Napi::CallbackInfo& info) {
    Args args(info, "mseGrad", 5, "du, pred, target, rows, cols");
    const i64 rows = args.dim(3, "rows");
    const i64 cols = args.dim(4, "cols");
    const std::uint64_t size = block(rows, cols);
    float* du = args.f32(0, "du", size).data;
    const float* pred = args.f32(1, "pred", size).data;
    const float* target = args.f32(2, "target", size).data;
    return Napi::Number::New(info.Env(), nmlp::mse_grad(du, pred, target, rows, cols));
  }

  // gatherRows(out, x, index, start, rows, features)
  Napi::Value GatherRows(const Napi::CallbackInfo& info) {
    Args args(info, "gatherRows", 6, "out, x, index, start, rows, features");
    const i64 start = args.dim(3, "start");
    const i64 rows = args.dim(4, "rows");
    const i64 features = args.dim(5, "features");
    float* out = args.f32(0, "out", block(rows, features)).data;
    const Args::View<float> x = args.f32(1, "x", 0);
    const auto [index, count] = args.gather_index(2, start, rows, features, x.length, "whole rows in x");
    nmlp::gather_rows(out, x.data, count, index.data, static_cast<i64>(index.length), start, rows, features);
    return env_undefined(info);
  }

  Napi::Value GetThreads(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), nmlp::get_threads());
  }

  // setThreads(n): n in [0, 256], 0 = one per core.
  Napi::Value SetThreads(const Napi::CallbackInfo& info) {
    Args args(info, "setThreads", 1, "n");
    const i64 n = args.dim(0, "n", 256.0);
    const int now = guarded(args.env(), "setThreads", [&] { return nmlp::set_threads(static_cast<int>(n)); });
    return Napi::Number::New(info.Env(), now);
  }

  Napi::Value Isa(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), kernel_->isa); }

  // setIsa(name): caps this instance's micro-kernel; returns the ISA now in force.
  Napi::Value SetIsa(const Napi::CallbackInfo& info) {
    Args args(info, "setIsa", 1, "name");
    const std::string name = args.short_string(0, "name");
    const nmlp::KernelInfo* k = nmlp::select_kernel(name.c_str());
    if (k == nullptr) {
      throw_range(args.env(),
                  "Expected name to be one of avx512, avx2, neon, generic but received \"" + name + "\"");
    }
    kernel_ = k;
    return Napi::String::New(info.Env(), kernel_->isa);
  }

  // supportedIsas(): every ISA this machine runs, best first.
  Napi::Value SupportedIsas(const Napi::CallbackInfo& info) {
    int count = 0;
    const nmlp::KernelInfo* const* list = nmlp::supported_kernels(&count);
    Napi::Array out = Napi::Array::New(info.Env(), static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) out.Set(static_cast<std::uint32_t>(i), list[i]->isa);
    return out;
  }

  // alignOffset(x): floats from x[0] to the next 64-byte boundary. Not a kernel: the backend's
  // alloc uses it to start arrays on a cache line (a W1 row is then 8 whole lines, not 9 pieces).
  Napi::Value AlignOffset(const Napi::CallbackInfo& info) {
    Args args(info, "alignOffset", 1, "x");
    const auto addr = reinterpret_cast<std::uintptr_t>(args.f32(0, "x", 0).data);
    return Napi::Number::New(info.Env(), static_cast<double>(((64 - (addr & 63)) & 63) / sizeof(float)));
  }

  // permutation(out, state): out = rng.permutation(out.length) of the PCG64 whose NumPy state is in
  // state (10 uint32: the 128-bit state and increment, 32 bits at a time from the lowest, then
  // has_uint32 and uinteger), which is advanced in place (shuffle.h).
  Napi::Value Permutation(const Napi::CallbackInfo& info) {
    Args args(info, "permutation", 2, "out, state");
    const auto out = args.typed<std::uint32_t>(0, "out", napi_uint32_array);
    const auto st = args.typed<std::uint32_t>(1, "state", napi_uint32_array);
    args.require("state", st.length, 10);
    const std::uint32_t* w = st.data;
    nmlp::Pcg64State g{(std::uint64_t{w[3]} << 32) | w[2],
                       (std::uint64_t{w[1]} << 32) | w[0],
                       (std::uint64_t{w[7]} << 32) | w[6],
                       (std::uint64_t{w[5]} << 32) | w[4],
                       w[8] != 0,
                       w[9]};
    if ((g.inc_lo & 1) == 0 || w[8] > 1) {
      throw_range(args.env(),
                  "Expected state to be a PCG64 state (an odd increment, has_uint32 0 or 1); take it from "
                  "the generator");
    }
    nmlp::pcg64_permutation(out.data, out.length, &g);
    std::uint32_t* o = st.data;
    o[0] = static_cast<std::uint32_t>(g.state_lo);
    o[1] = static_cast<std::uint32_t>(g.state_lo >> 32);
    o[2] = static_cast<std::uint32_t>(g.state_hi);
    o[3] = static_cast<std::uint32_t>(g.state_hi >> 32);
    o[8] = g.has_uint32 ? 1 : 0;
    o[9] = g.uinteger;
    return info.Env().Undefined();
  }

  // setPoolPolicy("adaptive" | "always"): process-wide; returns the policy now in force.
  Napi::Value SetPoolPolicy(const Napi::CallbackInfo& info) {
    Args args(info, "setPoolPolicy", 1, "policy");
    const std::string policy = args.short_string(0, "policy");
    if (policy != "adaptive" && policy != "always") {
      throw_range(args.env(),
                  "Expected policy to be \"adaptive\" or \"always\" but received \"" + policy + "\"");
    }
    nmlp::set_pool_adaptive(policy == "adaptive");
    return Napi::String::New(info.Env(), nmlp::get_pool_adaptive() ? "adaptive" : "always");
  }

  // fmaPeak(threads, seconds) -> GFLOP/s of this instance's ISA's FMA loop (the bench's peak).
  Napi::Value FmaPeak(const Napi::CallbackInfo& info) {
    Args args(info, "fmaPeak", 2, "threads, seconds");
    const i64 threads = args.dim(0, "threads", 256.0);
    const double seconds = args.finite(1, "seconds");
    if (threads < 1) throw_range(args.env(), "Expected threads to be an integer in [1, 256] but received 0");
    if (!(seconds > 0.0 && seconds <= 10.0)) {
      throw_range(args.env(),
                  "Expected seconds to be in (0, 10] but received " + nmlp_args::js_number(seconds));
    }
    const double g = guarded(args.env(), "fmaPeak", [&] {
      return nmlp::fma_peak_gflops(kernel_->isa, static_cast<int>(threads), seconds);
    });
    return Napi::Number::New(info.Env(), g);
  }

  // Sparse-input kernels (binding_sparse.cc), on this instance's ISA.
  Napi::Value SparseMatmul(const Napi::CallbackInfo& info) {
    return nmlp_binding::SparseMatmul(info, *kernel_);
  }
  Napi::Value SparseMatmulT(const Napi::CallbackInfo& info) {
    return nmlp_binding::SparseMatmulT(info, *kernel_);
  }
  Napi::Value GatherSparse(const Napi::CallbackInfo& info) {
    return nmlp_binding::GatherSparse(info, *kernel_);
  }
  Napi::Value StartGatherSparse(const Napi::CallbackInfo& info) {
    return nmlp_binding::StartGatherSparse(info, *kernel_, gather_);
  }
  Napi::Value FinishGather(const Napi::CallbackInfo& info) { return gather_.Finish(info); }

  // Optimizer updates over the parameter arena (binding_optim.cc); the AVX2 build of the
  // element-wise loops when this instance's ISA (setIsa caps it) has it.
  Napi::Value MomentumUpdate(const Napi::CallbackInfo& info) {
    return nmlp_binding::MomentumUpdate(info, wide_loops());
  }
  Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
    return nmlp_binding::AdamUpdate(info, wide_loops());
  }
  Napi::Value BiasAct(const Napi::CallbackInfo& info) { return nmlp_binding::BiasAct(info); }
  Napi::Value ActBackward(const Napi::CallbackInfo& info) { return nmlp_binding::ActBackward(info); }
  Napi::Value Dropout(const Napi::CallbackInfo& info) { return nmlp_binding::Dropout(info); }
  Napi::Value SoftmaxXentGradWeighted(const Napi::CallbackInfo& info) {
    return nmlp_binding::SoftmaxXentGradWeighted(info);
  }
  Napi::Value MseGradWeighted(const Napi::CallbackInfo& info) { return nmlp_binding::MseGradWeighted(info); }
  bool wide_loops() const { return nmlp::runs_avx2(*kernel_); }

  static Napi::Value env_undefined(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

  const nmlp::KernelInfo* kernel_;
  nmlp_binding::GatherSlot gather_;  // startGatherSparse, startGatherPixels, finishGather
};

}  // namespace

NODE_API_ADDON(NativeMlp)
