#include "platform/peak.h"

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

namespace nmlp {
namespace {

// Baseline code: 8 independent multiply-add chains of 4 floats (SSE2 without FMA on x86-64; two
// roundings, as the generic sgemm kernel computes).
PeakRun loop_generic(std::int64_t iterations) {
  float acc[32];
  for (int i = 0; i < 32; ++i) acc[i] = 1.0f + static_cast<float>(i) * 1e-3f;
  const float a = 0.999999f, b = 1e-7f;
  for (std::int64_t it = 0; it < iterations; ++it)
    for (int i = 0; i < 32; ++i) acc[i] = acc[i] * a + b;
  float sink = 0.0f;
  for (int i = 0; i < 32; ++i) sink += acc[i];
  return PeakRun{2.0 * 32.0 * static_cast<double>(iterations), sink};
}

}  // namespace

PeakLoopFn peak_loop_generic() { return &loop_generic; }

double fma_peak_gflops(const char* isa, int threads, double seconds) {
  PeakLoopFn loop = peak_loop_generic();
#if defined(NATIVE_MLP_X86)
  if (std::strcmp(isa, "avx512") == 0) loop = peak_loop_avx512();
  if (std::strcmp(isa, "avx2") == 0) loop = peak_loop_avx2();
#endif
  // Calibrate on this thread: iterations for about `seconds`.
  std::int64_t iterations = 1 << 16;
  for (;;) {
    const auto t0 = std::chrono::steady_clock::now();
    loop(iterations);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s > seconds / 8 || iterations > (std::int64_t{1} << 40)) {
      iterations = static_cast<std::int64_t>(static_cast<double>(iterations) * seconds / (s > 0 ? s : 1e-9));
      break;
    }
    iterations *= 4;
  }
  if (iterations < 1) iterations = 1;
  std::vector<double> flops(static_cast<std::size_t>(threads), 0.0);
  std::vector<float> sinks(static_cast<std::size_t>(threads), 0.0f);
  auto body = [&](int t) {
    const PeakRun r = loop(iterations);
    flops[static_cast<std::size_t>(t)] = r.flops;
    sinks[static_cast<std::size_t>(t)] = r.sink;
  };
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(body, t);
  body(0);
  for (auto& th : pool) th.join();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double total = 0.0;
  float sink = 0.0f;
  for (int t = 0; t < threads; ++t) {
    total += flops[static_cast<std::size_t>(t)];
    sink += sinks[static_cast<std::size_t>(t)];
  }
  // sink is never NaN for these inputs; the comparison keeps it observable.
  return sink != sink ? 0.0 : total / s / 1e9;
}

}  // namespace nmlp
