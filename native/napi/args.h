// Argument helpers of the N-API wrappers (binding.cc): read each JavaScript argument, check it
// exactly as binding.d.ts documents, and throw TypeError / RangeError naming the argument.
// Nothing here calls back into JavaScript (no getters, no coercion), so a check cannot be raced
// by user code. Messages use the wording of the TypeScript checks ("Expected lda >= 784 (A is
// 128x784) but received 10").
#ifndef NATIVE_MLP_ARGS_H
#define NATIVE_MLP_ARGS_H

#include <napi.h>

#include <cstdint>
#include <new>
#include <string>
#include <system_error>

#include "platform/fp_mode.h"

namespace nmlp_args {

using i64 = std::int64_t;
constexpr double kMaxDim = 2147483647.0;  // 2^31 - 1

// Number -> string as JavaScript's String(v) prints it (shortest round-trip digits).
std::string js_number(double v);
const char* typed_array_name(napi_typedarray_type t);
void check_status(napi_env env, napi_status status);
// Mirrors describe() in the TypeScript checks: "null", "Float64Array(3)", "12.5", "string" ...
std::string describe(napi_env env, napi_value v);

[[noreturn]] void throw_type(napi_env env, const std::string& msg);
[[noreturn]] void throw_range(napi_env env, const std::string& msg);

// Readers of one call's arguments. Each names the argument in its error. Every native call reads
// its arguments through one Args, which also holds the call's floating-point mode: flush-to-zero
// and denormals-are-zero from its construction to the wrapper's return (fp_mode.h), the caller's
// mode restored then (the JavaScript engine's doubles keep their subnormals).
class Args {
 public:
  // TypeError unless at least `count` arguments were passed; `names` lists them for the message.
  Args(const Napi::CallbackInfo& info, const char* fn, std::size_t count, const char* names);

  napi_env env() const { return env_; }

  bool boolean(std::size_t i, const char* name) const;
  // An integer in [0, max]: TypeError if not a number, RangeError if NaN, fractional, negative or
  // too large.
  i64 dim(std::size_t i, const char* name, double max = kMaxDim) const;
  double finite(std::size_t i, const char* name) const;
  // A string (TypeError otherwise), at most 64 characters (RangeError otherwise).
  std::string short_string(std::size_t i, const char* name) const;

  template <typename T>
  struct View {
    T* data;
    std::size_t length;
  };

  // A typed array of the given element type whose buffer is not detached. Length not checked yet.
  template <typename T>
  View<T> typed(std::size_t i, const char* name, napi_typedarray_type want) const {
    const Raw r = typed_raw(i, name, want);
    return View<T>{static_cast<T*>(r.data), r.length};
  }

  View<float> f32(std::size_t i, const char* name, std::uint64_t need) const;
  View<std::uint8_t> u8(std::size_t i, const char* name, std::uint64_t need) const;
  View<std::int32_t> i32(std::size_t i, const char* name, std::uint64_t need) const;

  // Whether argument i, a typed array already read, lives on a SharedArrayBuffer (memory that
  // cannot be detached, so a background job may keep using it while a reference holds it).
  bool shared(std::size_t i) const;

  // RangeError unless length >= need.
  void require(const char* name, std::size_t length, std::uint64_t need) const;

  // The loss heads' `labels` (a Uint32Array) at argument i: at least rows entries, each < cols
  // (the class count).
  const std::uint32_t* labels(std::size_t i, i64 rows, i64 cols) const;

  // The batch gathers' `index` (a Uint32Array) at argument i: it must hold start + rows entries,
  // and (when features > 0) each of them must be < count, the whole rows of `features` elements in
  // a source of source_length; `whole` names them in the message ("whole images in images").
  struct GatherIndex {
    View<std::uint32_t> index;
    std::uint64_t count;
  };
  GatherIndex gather_index(std::size_t i, i64 start, i64 rows, i64 features, std::uint64_t source_length,
                           const char* whole) const;

 private:
  struct Raw {
    void* data;
    std::size_t length;
  };
  Raw typed_raw(std::size_t i, const char* name, napi_typedarray_type want) const;

  const Napi::CallbackInfo& info_;
  napi_env env_;
  nmlp::FlushDenormals flush_;
};

// Elements a rows x cols row-major block with leading dimension ld spans (64-bit, no overflow:
// every factor is < 2^31).
inline std::uint64_t extent(i64 rows, i64 cols, i64 ld) {
  if (rows == 0 || cols == 0) return 0;
  return static_cast<std::uint64_t>(rows - 1) * static_cast<std::uint64_t>(ld) +
         static_cast<std::uint64_t>(cols);
}

inline std::uint64_t block(i64 rows, i64 cols) {
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

}  // namespace nmlp_args

#endif
