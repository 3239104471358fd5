#include "nn/activation.h"

#include "nn/flush.h"
#include "nn/fused.h"

namespace nmlp {
namespace {

using i64 = std::int64_t;

// The same constants and steps as src/backend/js/activation.ts (see there for the why).
constexpr double kLog2e = 1.4426950408889634;
constexpr double kLn2Hi = 6.93147180369123816490e-1;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr float kLeakySlope = 0.01f;
constexpr double kGeluC = 0.7978845608028654;
constexpr double kGeluK = 0.044715;
constexpr int kPow2Span = 200;

// 1/n! for n = 2 .. 13 (exact integers, one correctly rounded division each).
struct InvFact {
  double c[12];
  constexpr InvFact() : c() {
    double f = 1.0;
    for (int n = 2; n <= 13; ++n) {
      f *= n;
      c[n - 2] = 1.0 / f;
    }
  }
};
constexpr InvFact kInvFact;

// 2^k, k in [-kPow2Span, kPow2Span], from the bits of the double (exact, as the TypeScript table).
double pow2(int k) {
  const std::uint64_t bits = static_cast<std::uint64_t>(k + 1023) << 52;
  double d;
  __builtin_memcpy(&d, &bits, sizeof d);
  return d;
}

double floor_d(double x) {
  // x is in [-174, 174] here: truncation toward zero, then one down for negative non-integers.
  const double t = static_cast<double>(static_cast<i64>(x));
  return t > x ? t - 1.0 : t;
}

double expm1_reduced(double r) {
  double p = kInvFact.c[11];
  for (int i = 10; i >= 0; --i) p = kInvFact.c[i] + r * p;
  return r * (1.0 + r * p);
}

double expm1d(double x) {
  const double k = floor_d(x * kLog2e + 0.5);
  const double r = x - k * kLn2Hi - k * kLn2Lo;
  const double p = expm1_reduced(r);
  if (k == 0.0) return p;
  const double s = pow2(static_cast<int>(k));
  return (s - 1.0) + s * p;
}

double tanhd(double x) {
  if (x != x) return x;
  const double a = x < 0 ? -x : x;
  if (a > 20) return x < 0 ? -1.0 : 1.0;
  const double e = expm1d(2 * a);
  const double t = e / (e + 2);
  return x < 0 ? -t : t;
}

double sigmoidd(double x) {
  if (x != x) return x;
  const double a = x < 0 ? (x < -120 ? 120 : -x) : (x > 120 ? 120 : x);
  const double e = expd(-a);
  return x < 0 ? e / (1 + e) : 1 / (1 + e);
}

double gelud(double x) {
  if (x != x) return x;
  if (x < -20) return 0;
  return 0.5 * x * (1 + tanhd(kGeluC * (x + kGeluK * x * x * x)));
}

double gelu_grad(double x) {
  if (x != x) return x;
  if (x < -20) return 0;
  if (x > 20) return 1;
  const double t = tanhd(kGeluC * (x + kGeluK * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * kGeluC * (1 + 3 * kGeluK * x * x);
}

// One loop per activation so each inner loop is branch-free on the kind.
template <typename F>
void bias_map(float* h, float* u, const float* bias, i64 rows, i64 cols, F f) {
  for (i64 i = 0; i < rows; ++i) {
    float* ui = u + i * cols;
    float* hi = h + i * cols;
    for (i64 j = 0; j < cols; ++j) {
      const float v = ui[j] + bias[j];
      ui[j] = v;
      hi[j] = f(v);
    }
  }
}

}  // namespace

double expd(double x) {
  const double k = floor_d(x * kLog2e + 0.5);
  const double r = x - k * kLn2Hi - k * kLn2Lo;
  return pow2(static_cast<int>(k)) * (1.0 + expm1_reduced(r));
}

void bias_act(float* h, float* u, const float* bias, i64 rows, i64 cols, int act) {
  switch (act) {
    case kRelu: bias_relu(h, u, bias, rows, cols); return;
    case kLeakyRelu:
      bias_map(h, u, bias, rows, cols, [](float v) { return v > 0.0f ? v : flushed(kLeakySlope * v); });
      return;
    case kTanh:
      bias_map(h, u, bias, rows, cols, [](float v) { return flushed(static_cast<float>(tanhd(v))); });
      return;
    case kSigmoid:
      bias_map(h, u, bias, rows, cols, [](float v) { return flushed(static_cast<float>(sigmoidd(v))); });
      return;
    case kGelu:
      bias_map(h, u, bias, rows, cols, [](float v) { return flushed(static_cast<float>(gelud(v))); });
      return;
    default: bias_map(h, u, bias, rows, cols, [](float v) { return v; }); return;
  }
}

void act_backward(float* dx, const float* dy, const float* u, const float* h, i64 n, int act) {
  switch (act) {
    case kRelu: relu_backward(dx, dy, u, n); return;
    case kLeakyRelu:
      for (i64 i = 0; i < n; ++i) {
        const float d = dy[i];
        dx[i] = u[i] > 0.0f ? d : flushed(kLeakySlope * d);
      }
      return;
    case kTanh:
      for (i64 i = 0; i < n; ++i) {
        const double y = h[i];
        dx[i] = flushed(static_cast<float>(static_cast<double>(dy[i]) * (1 - y * y)));
      }
      return;
    case kSigmoid:
      for (i64 i = 0; i < n; ++i) {
        const double y = h[i];
        dx[i] = flushed(static_cast<float>(static_cast<double>(dy[i]) * (y * (1 - y))));
      }
      return;
    case kGelu:
      for (i64 i = 0; i < n; ++i)
        dx[i] = flushed(static_cast<float>(static_cast<double>(dy[i]) * gelu_grad(u[i])));
      return;
    default:
      for (i64 i = 0; i < n; ++i) dx[i] = dy[i];
      return;
  }
}

}  // namespace nmlp
