// The N-API surface of the addon (the only file that includes napi.h): for each export, validate
// every argument exactly as binding.d.ts documents, unwrap the typed arrays, call the plain C++
// kernel. Nothing here touches array memory before all checks have passed; validation never calls
// back into JavaScript (no getters, no coercion), so it cannot be raced by user code.
//
// Errors: TypeError for a wrong type, a missing argument or a detached buffer; RangeError for a
// size, stride or length out of range. Messages name the argument and use the wording of
// src/backend/backend.ts ("Expected lda >= 784 (A is 128x784) but received 10").
#include <napi.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <system_error>

#include "cpu.h"
#include "fused.h"
#include "optim.h"
#include "sgemm.h"
#include "thread_pool.h"

namespace {

using i64 = std::int64_t;
constexpr double kMaxDim = 2147483647.0;  // 2^31 - 1

// ---------------------------------------------------------------------------------------------
// Describing received values without running JavaScript.

// Number -> string as JavaScript's String(v) prints it (shortest round-trip digits).
std::string js_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return "0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // e.g. "-1.5e-07"
  std::string sign;
  if (sci[0] == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  const std::size_t e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  const int exp10 = std::atoi(sci.c_str() + e + 1);
  const int nd = static_cast<int>(digits.size());
  std::string out;
  if (exp10 >= 21 || exp10 <= -7) {
    out = digits.substr(0, 1);
    if (nd > 1) out += "." + digits.substr(1);
    out += exp10 > 0 ? "e+" : "e-";
    out += std::to_string(exp10 > 0 ? exp10 : -exp10);
  } else if (exp10 >= nd - 1) {
    out = digits + std::string(static_cast<std::size_t>(exp10 - (nd - 1)), '0');
  } else if (exp10 >= 0) {
    out = digits.substr(0, static_cast<std::size_t>(exp10 + 1)) + "." +
          digits.substr(static_cast<std::size_t>(exp10 + 1));
  } else {
    out = "0." + std::string(static_cast<std::size_t>(-exp10 - 1), '0') + digits;
  }
  return sign + out;
}

const char* typed_array_name(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "TypedArray";
  }
}

void check_status(napi_env env, napi_status status) {
  if (status != napi_ok) throw Napi::Error::New(env);
}

// Mirrors describe() in src/backend/backend.ts: "null", "Float64Array(3)", "12.5", "string" ...
std::string describe(napi_env env, napi_value v) {
  napi_valuetype t;
  check_status(env, napi_typeof(env, v, &t));
  switch (t) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "boolean";
    case napi_string: return "string";
    case napi_symbol: return "symbol";
    case napi_function: return "function";
    case napi_bigint: return "bigint";
    case napi_number: {
      double d = 0;
      check_status(env, napi_get_value_double(env, v, &d));
      return js_number(d);
    }
    default: break;
  }
  bool is_ta = false;
  check_status(env, napi_is_typedarray(env, v, &is_ta));
  if (is_ta) {
    napi_typedarray_type type;
    std::size_t length = 0;
    check_status(env, napi_get_typedarray_info(env, v, &type, &length, nullptr, nullptr, nullptr));
    return std::string(typed_array_name(type)) + "(" + std::to_string(length) + ")";
  }
  bool is_dv = false;
  check_status(env, napi_is_dataview(env, v, &is_dv));
  if (is_dv) return "DataView";
  bool is_array = false;
  check_status(env, napi_is_array(env, v, &is_array));
  if (is_array) return "Array";
  bool is_ab = false;
  check_status(env, napi_is_arraybuffer(env, v, &is_ab));
  if (is_ab) return "ArrayBuffer";
  return "object";
}

[[noreturn]] void throw_type(napi_env env, const std::string& msg) {
  throw Napi::TypeError::New(env, msg);
}
[[noreturn]] void throw_range(napi_env env, const std::string& msg) {
  throw Napi::RangeError::New(env, msg);
}

// ---------------------------------------------------------------------------------------------
// Argument readers. Each names the argument in its error.

class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* fn, std::size_t count, const char* names)
      : info_(info), env_(info.Env()) {
    if (info.Length() < count) {
      throw_type(env_, std::string(fn) + ": expected " + std::to_string(count) + " arguments (" +
                           names + ") but received " + std::to_string(info.Length()));
    }
  }

  napi_env env() const { return env_; }

  bool boolean(std::size_t i, const char* name) const {
    napi_value v = info_[i];
    napi_valuetype t;
    check_status(env_, napi_typeof(env_, v, &t));
    if (t != napi_boolean) {
      throw_type(env_, std::string("Expected ") + name + " to be a boolean but received " +
                           describe(env_, v));
    }
    bool b = false;
    check_status(env_, napi_get_value_bool(env_, v, &b));
    return b;
  }

  // An integer in [0, max]: TypeError if not a number, RangeError if NaN, fractional, negative or
  // too large.
  i64 dim(std::size_t i, const char* name, double max = kMaxDim) const {
    napi_value v = info_[i];
    // Messages are built only when throwing: this runs on every call.
    auto expected = [&] {
      return std::string("Expected ") + name + " to be an integer in [0, " + js_number(max) + "]";
    };
    napi_valuetype t;
    check_status(env_, napi_typeof(env_, v, &t));
    if (t != napi_number) throw_type(env_, expected() + " but received " + describe(env_, v));
    double d = 0;
    check_status(env_, napi_get_value_double(env_, v, &d));
    if (!(d >= 0.0 && d <= max) || d != std::floor(d)) {
      throw_range(env_, expected() + " but received " + js_number(d));
    }
    return static_cast<i64>(d);
  }

  double finite(std::size_t i, const char* name) const {
    napi_value v = info_[i];
    auto expected = [&] { return std::string("Expected ") + name + " to be a finite number"; };
    napi_valuetype t;
    check_status(env_, napi_typeof(env_, v, &t));
    if (t != napi_number) throw_type(env_, expected() + " but received " + describe(env_, v));
    double d = 0;
    check_status(env_, napi_get_value_double(env_, v, &d));
    if (!std::isfinite(d)) throw_range(env_, expected() + " but received " + js_number(d));
    return d;
  }

  // A typed array of the given element type whose buffer is not detached. Length not checked yet.
  template <typename T>
  struct View {
    T* data;
    std::size_t length;
  };

  template <typename T>
  View<T> typed(std::size_t i, const char* name, napi_typedarray_type want) const {
    napi_value v = info_[i];
    bool is_ta = false;
    check_status(env_, napi_is_typedarray(env_, v, &is_ta));
    napi_typedarray_type type = napi_int8_array;
    std::size_t length = 0;
    void* data = nullptr;
    napi_value buffer = nullptr;
    std::size_t offset = 0;
    if (is_ta) {
      check_status(env_, napi_get_typedarray_info(env_, v, &type, &length, &data, &buffer, &offset));
    }
    if (!is_ta || type != want) {
      throw_type(env_, std::string("Expected ") + name + " to be a " + typed_array_name(want) +
                           " but received " + describe(env_, v));
    }
    bool detached = false;
    check_status(env_, napi_is_detached_arraybuffer(env_, buffer, &detached));
    if (detached || (data == nullptr && length > 0)) {
      throw_type(env_, std::string("Expected ") + name + " to be a " + typed_array_name(want) +
                           " on a usable buffer but its ArrayBuffer is detached (transferred)");
    }
    return View<T>{static_cast<T*>(data), length};
  }

  View<float> f32(std::size_t i, const char* name, std::uint64_t need) const {
    View<float> v = typed<float>(i, name, napi_float32_array);
    require(name, v.length, need);
    return v;
  }

  View<std::uint8_t> u8(std::size_t i, const char* name, std::uint64_t need) const {
    View<std::uint8_t> v = typed<std::uint8_t>(i, name, napi_uint8_array);
    require(name, v.length, need);
    return v;
  }

  void require(const char* name, std::size_t length, std::uint64_t need) const {
    if (static_cast<std::uint64_t>(length) < need) {
      throw_range(env_, std::string("Expected ") + name + " to hold at least " +
                            std::to_string(need) + " elements but it holds " +
                            std::to_string(length));
    }
  }

 private:
  const Napi::CallbackInfo& info_;
  napi_env env_;
};

// Elements a rows x cols row-major block with leading dimension ld spans (64-bit, no overflow:
// every factor is < 2^31).
std::uint64_t extent(i64 rows, i64 cols, i64 ld) {
  if (rows == 0 || cols == 0) return 0;
  return static_cast<std::uint64_t>(rows - 1) * static_cast<std::uint64_t>(ld) +
         static_cast<std::uint64_t>(cols);
}

std::uint64_t block(i64 rows, i64 cols) {
  return static_cast<std::uint64_t>(rows) * static_cast<std::uint64_t>(cols);
}

// Turns allocation / thread failures inside a kernel call into JavaScript errors.
template <typename F>
auto guarded(napi_env env, const char* fn, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(env, std::string(fn) + ": out of memory for the packing buffers");
  } catch (const std::system_error& e) {
    throw Napi::Error::New(env, std::string(fn) + ": " + e.what());
  }
}

// ---------------------------------------------------------------------------------------------
// The addon. One instance per JavaScript environment (main thread, each worker_thread).

class NativeMlp : public Napi::Addon<NativeMlp> {
 public:
  NativeMlp(Napi::Env env, Napi::Object exports)
      : kernel_(nmlp::select_kernel(std::getenv("NATIVE_MLP_ISA"))) {
    DefineAddon(exports, {
        InstanceMethod("sgemm", &NativeMlp::Sgemm, napi_default_jsproperty),
        InstanceMethod("biasRelu", &NativeMlp::BiasRelu, napi_default_jsproperty),
        InstanceMethod("biasAdd", &NativeMlp::BiasAdd, napi_default_jsproperty),
        InstanceMethod("softmaxXentGrad", &NativeMlp::SoftmaxXentGrad, napi_default_jsproperty),
        InstanceMethod("reluBackward", &NativeMlp::ReluBackward, napi_default_jsproperty),
        InstanceMethod("colSums", &NativeMlp::ColSums, napi_default_jsproperty),
        InstanceMethod("sgdUpdate", &NativeMlp::SgdUpdate, napi_default_jsproperty),
        InstanceMethod("gatherPixels", &NativeMlp::GatherPixels, napi_default_jsproperty),
        InstanceMethod("getThreads", &NativeMlp::GetThreads, napi_default_jsproperty),
        InstanceMethod("setThreads", &NativeMlp::SetThreads, napi_default_jsproperty),
        InstanceMethod("isa", &NativeMlp::Isa, napi_default_jsproperty),
        InstanceMethod("momentumUpdate", &NativeMlp::MomentumUpdate, napi_default_jsproperty),
        InstanceMethod("adamUpdate", &NativeMlp::AdamUpdate, napi_default_jsproperty),
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
      throw_range(env, "Expected lda >= " + std::to_string(min_lda) + " (A is " +
                           dims(a_rows, a_cols) + ") but received " + std::to_string(s.lda));
    }
    if (s.ldb < min_ldb) {
      throw_range(env, "Expected ldb >= " + std::to_string(min_ldb) + " (B is " +
                           dims(b_rows, b_cols) + ") but received " + std::to_string(s.ldb));
    }
    if (s.ldc < min_ldc) {
      throw_range(env, "Expected ldc >= " + std::to_string(min_ldc) + " (C is " + dims(s.m, s.n) +
                           ") but received " + std::to_string(s.ldc));
    }
    const bool reads_ab = s.alpha != 0.0 && s.k > 0 && s.m > 0 && s.n > 0;
    s.a = args.f32(6, "a", reads_ab ? extent(a_rows, a_cols, s.lda) : 0).data;
    s.b = args.f32(8, "b", reads_ab ? extent(b_rows, b_cols, s.ldb) : 0).data;
    s.c = args.f32(11, "c", extent(s.m, s.n, s.ldc)).data;
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
    napi_env env = args.env();
    const i64 rows = args.dim(3, "rows");
    const i64 cols = args.dim(4, "cols");
    const std::uint64_t size = block(rows, cols);
    float* du = args.f32(0, "du", size).data;
    const float* logits = args.f32(1, "logits", size).data;
    const std::uint8_t* labels = args.u8(2, "labels", static_cast<std::uint64_t>(rows)).data;
    for (i64 i = 0; i < rows; ++i) {
      if (static_cast<i64>(labels[i]) >= cols) {
        throw_range(env, "Expected every label to be < " + std::to_string(cols) +
                             " (the class count) but labels[" + std::to_string(i) + "] is " +
                             std::to_string(labels[i]));
      }
    }
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

  // gatherPixels(out, images, index, start, rows, features)
  Napi::Value GatherPixels(const Napi::CallbackInfo& info) {
    Args args(info, "gatherPixels", 6, "out, images, index, start, rows, features");
    napi_env env = args.env();
    const i64 start = args.dim(3, "start");
    const i64 rows = args.dim(4, "rows");
    const i64 features = args.dim(5, "features");
    float* out = args.f32(0, "out", block(rows, features)).data;
    const Args::View<std::uint8_t> images = args.u8(1, "images", 0);
    const Args::View<std::uint32_t> index = args.typed<std::uint32_t>(2, "index", napi_uint32_array);
    args.require("index", index.length, static_cast<std::uint64_t>(start) + static_cast<std::uint64_t>(rows));
    const std::uint64_t count = features > 0 ? images.length / static_cast<std::uint64_t>(features) : 0;
    if (features > 0) {
      for (i64 r = 0; r < rows; ++r) {
        if (index.data[start + r] >= count) {
          throw_range(env, "Expected every index to be < " + std::to_string(count) +
                               " (whole images in images) but index[" + std::to_string(start + r) +
                               "] is " + std::to_string(index.data[start + r]));
        }
      }
    }
    nmlp::gather_pixels(out, images.data, count, index.data, static_cast<i64>(index.length), start, rows,
                        features);
    return env_undefined(info);
  }

  Napi::Value GetThreads(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), nmlp::get_threads());
  }

  // setThreads(n): n in [0, 256], 0 = one per core.
  Napi::Value SetThreads(const Napi::CallbackInfo& info) {
    Args args(info, "setThreads", 1, "n");
    const i64 n = args.dim(0, "n", 256.0);
    const int now = guarded(args.env(), "setThreads",
                            [&] { return nmlp::set_threads(static_cast<int>(n)); });
    return Napi::Number::New(info.Env(), now);
  }

  Napi::Value Isa(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), kernel_->isa);
  }

  // ---- optimizer updates over the parameter arena (native/optim.h) ----

  // Throws unless [a, a + n) and [b, b + n) are disjoint (an update never reads what it wrote).
  static void require_disjoint(napi_env env, const float* a, const char* an, const float* b,
                               const char* bn, i64 n) {
    const auto pa = reinterpret_cast<std::uintptr_t>(a), pb = reinterpret_cast<std::uintptr_t>(b);
    const auto bytes = static_cast<std::uintptr_t>(n) * sizeof(float);
    if (n > 0 && pa < pb + bytes && pb < pa + bytes) {
      throw_range(env, std::string("Expected ") + an + " and " + bn +
                           " not to overlap (they share memory)");
    }
  }

  // momentumUpdate(w, g, velocity, n, lr, momentum, weightDecay, nesterov)
  Napi::Value MomentumUpdate(const Napi::CallbackInfo& info) {
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
    guarded(env, "momentumUpdate", [&] { nmlp::momentum_update(w, g, vel, n, lr, momentum, wd, nesterov); });
    return env_undefined(info);
  }

  // adamUpdate(w, g, m, v, n, lr, beta1, beta2, eps, weightDecay, decoupled, step)
  Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
    Args args(info, "adamUpdate", 12,
              "w, g, m, v, n, lr, beta1, beta2, eps, weightDecay, decoupled, step");
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
    guarded(env, "adamUpdate", [&] {
      nmlp::adam_update(w, g, m, v, n, lr, beta1, beta2, eps, wd, decoupled, step);
    });
    return env_undefined(info);
  }

  static Napi::Value env_undefined(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

  const nmlp::KernelInfo* kernel_;
};

}  // namespace

NODE_API_ADDON(NativeMlp)
