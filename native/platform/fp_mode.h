// Floating-point modes of the native kernels. Subnormal floats (below the smallest normal
// float32, about 1.18e-38) cost tens to hundreds of cycles per operation on many CPUs, and a
// training run meets them where values decay towards zero. So native kernels run with
// flush-to-zero and denormals-are-zero on: MXCSR FTZ|DAZ on x86, FPCR FZ on arm64 (nothing on
// other targets, WASM included: there every float operation is IEEE).
//
// - FlushDenormals sets the mode for one native call on the calling thread and restores the
//   caller's mode on return (and on a throw): the JavaScript engine runs on that thread and its
//   double arithmetic must keep subnormals.
// - set_thread_flush_denormals() sets it once for a pool worker: those threads run nothing but
//   the kernels, so every participant of a parallel call computes in the same mode.
// - The optimizer updates also set it themselves on every participant: their TypeScript twins
//   (used by the TypeScript and WASM backends) emulate this mode operation by operation, so the
//   update gives the same bits on every backend. x86 decides "tiny" after rounding to 24 bits
//   with an unbounded exponent, so a result just below FLT_MIN that rounds up to it survives
//   (arm64 decides before rounding; the twins follow x86).
#ifndef NATIVE_MLP_FP_MODE_H
#define NATIVE_MLP_FP_MODE_H

#include <cstdint>

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#include <xmmintrin.h>
#define NATIVE_MLP_FP_MODE_X86 1
#elif defined(__aarch64__) && !defined(_MSC_VER)
#define NATIVE_MLP_FP_MODE_ARM64 1
#endif

namespace nmlp {

#if defined(NATIVE_MLP_FP_MODE_X86)
using FpWord = unsigned int;
constexpr FpWord kFlushBits = 0x8040;  // MXCSR bit 15 FTZ, bit 6 DAZ
inline FpWord fp_mode_get() { return _mm_getcsr(); }
inline void fp_mode_set(FpWord w) { _mm_setcsr(w); }
#elif defined(NATIVE_MLP_FP_MODE_ARM64)
using FpWord = std::uint64_t;
constexpr FpWord kFlushBits = FpWord{1} << 24;  // FPCR.FZ (inputs and results, single and double)
inline FpWord fp_mode_get() {
  FpWord w;
  __asm__ __volatile__("mrs %0, fpcr" : "=r"(w));
  return w;
}
inline void fp_mode_set(FpWord w) { __asm__ __volatile__("msr fpcr, %0" : : "r"(w)); }
#else
using FpWord = unsigned int;
constexpr FpWord kFlushBits = 0;
inline FpWord fp_mode_get() { return 0; }
inline void fp_mode_set(FpWord) {}
#endif

// Whether this thread now flushes subnormals (false where the target has no such mode).
inline bool fp_flushes_denormals() { return kFlushBits != 0 && (fp_mode_get() & kFlushBits) == kFlushBits; }

// Sets the flush bits for a scope and restores the previous mode after. Writes the control
// register only when it changes.
class FlushDenormals {
 public:
  FlushDenormals() : saved_(fp_mode_get()) {
    if ((saved_ | kFlushBits) != saved_) fp_mode_set(saved_ | kFlushBits);
  }
  ~FlushDenormals() {
    if (fp_mode_get() != saved_) fp_mode_set(saved_);
  }
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;

 private:
  FpWord saved_;
};

inline void set_thread_flush_denormals() { fp_mode_set(fp_mode_get() | kFlushBits); }

}  // namespace nmlp

#endif
