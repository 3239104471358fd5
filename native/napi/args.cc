#include "napi/args.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace nmlp_args {

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

[[noreturn]] void throw_type(napi_env env, const std::string& msg) { throw Napi::TypeError::New(env, msg); }
[[noreturn]] void throw_range(napi_env env, const std::string& msg) { throw Napi::RangeError::New(env, msg); }

Args::Args(const Napi::CallbackInfo& info, const char* fn, std::size_t count, const char* names)
    : info_(info), env_(info.Env()) {
  if (info.Length() < count) {
    throw_type(env_, std::string(fn) + ": expected " + std::to_string(count) + " arguments (" + names +
                         ") but received " + std::to_string(info.Length()));
  }
}

bool Args::boolean(std::size_t i, const char* name) const {
  napi_value v = info_[i];
  napi_valuetype t;
  check_status(env_, napi_typeof(env_, v, &t));
  if (t != napi_boolean) {
    throw_type(env_, std::string("Expected ") + name + " to be a boolean but received " + describe(env_, v));
  }
  bool b = false;
  check_status(env_, napi_get_value_bool(env_, v, &b));
  return b;
}

i64 Args::dim(std::size_t i, const char* name, double max) const {
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

double Args::finite(std::size_t i, const char* name) const {
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

std::string Args::short_string(std::size_t i, const char* name) const {
  napi_value v = info_[i];
  napi_valuetype t;
  check_status(env_, napi_typeof(env_, v, &t));
  if (t != napi_string) {
    throw_type(env_, std::string("Expected ") + name + " to be a string but received " + describe(env_, v));
  }
  std::size_t length = 0;
  check_status(env_, napi_get_value_string_utf8(env_, v, nullptr, 0, &length));
  if (length > 64) {
    throw_range(env_, std::string("Expected ") + name + " to be at most 64 characters but it has " +
                          std::to_string(length));
  }
  char buf[72];
  std::size_t copied = 0;
  check_status(env_, napi_get_value_string_utf8(env_, v, buf, sizeof(buf), &copied));
  return std::string(buf, copied);
}

Args::Raw Args::typed_raw(std::size_t i, const char* name, napi_typedarray_type want) const {
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
  return Raw{data, length};
}

bool Args::shared(std::size_t i) const {
  napi_typedarray_type type = napi_int8_array;
  std::size_t length = 0;
  void* data = nullptr;
  napi_value buffer = nullptr;
  std::size_t offset = 0;
  check_status(env_, napi_get_typedarray_info(env_, info_[i], &type, &length, &data, &buffer, &offset));
  bool plain = true;  // napi_is_arraybuffer is false for a SharedArrayBuffer
  check_status(env_, napi_is_arraybuffer(env_, buffer, &plain));
  return !plain;
}

Args::View<float> Args::f32(std::size_t i, const char* name, std::uint64_t need) const {
  View<float> v = typed<float>(i, name, napi_float32_array);
  require(name, v.length, need);
  return v;
}

Args::View<std::uint8_t> Args::u8(std::size_t i, const char* name, std::uint64_t need) const {
  View<std::uint8_t> v = typed<std::uint8_t>(i, name, napi_uint8_array);
  require(name, v.length, need);
  return v;
}

Args::View<std::int32_t> Args::i32(std::size_t i, const char* name, std::uint64_t need) const {
  View<std::int32_t> v = typed<std::int32_t>(i, name, napi_int32_array);
  require(name, v.length, need);
  return v;
}

void Args::require(const char* name, std::size_t length, std::uint64_t need) const {
  if (static_cast<std::uint64_t>(length) < need) {
    throw_range(env_, std::string("Expected ") + name + " to hold at least " + std::to_string(need) +
                          " elements but it holds " + std::to_string(length));
  }
}

const std::uint32_t* Args::labels(std::size_t i, i64 rows, i64 cols) const {
  const View<std::uint32_t> v = typed<std::uint32_t>(i, "labels", napi_uint32_array);
  require("labels", v.length, static_cast<std::uint64_t>(rows));
  for (i64 r = 0; r < rows; ++r) {
    if (static_cast<i64>(v.data[r]) >= cols) {
      throw_range(env_, "Expected every label to be < " + std::to_string(cols) +
                            " (the class count) but labels[" + std::to_string(r) + "] is " +
                            std::to_string(v.data[r]));
    }
  }
  return v.data;
}

Args::GatherIndex Args::gather_index(std::size_t i, i64 start, i64 rows, i64 features,
                                     std::uint64_t source_length, const char* whole) const {
  const View<std::uint32_t> index = typed<std::uint32_t>(i, "index", napi_uint32_array);
  require("index", index.length, static_cast<std::uint64_t>(start) + static_cast<std::uint64_t>(rows));
  if (features == 0) return {index, 0};
  const std::uint64_t count = source_length / static_cast<std::uint64_t>(features);
  for (i64 r = 0; r < rows; ++r) {
    if (index.data[start + r] >= count) {
      throw_range(env_, "Expected every index to be < " + std::to_string(count) + " (" + whole +
                            ") but index[" + std::to_string(start + r) + "] is " +
                            std::to_string(index.data[start + r]));
    }
  }
  return {index, count};
}

}  // namespace nmlp_args
