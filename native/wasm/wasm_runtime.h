// The WASM build's allocator and failure path (wasm_runtime.cc), shared with wasm_entry.cc.
#ifndef NATIVE_MLP_WASM_RUNTIME_H
#define NATIVE_MLP_WASM_RUNTIME_H

#include <cstdint>

// Placement new without <new>.
inline void* operator new(decltype(sizeof(0)), void* p) noexcept { return p; }

extern "C" {
// 64-byte-aligned block of `bytes` from the shared heap; 0 when memory cannot grow (the loader
// turns that into a RangeError). Thread-safe across instances.
std::uint32_t nmlp_alloc(std::uint32_t bytes);
void nmlp_free(std::uint32_t ptr);
}

namespace nmlp {
// Out of memory inside a kernel: the build has no exceptions, so this traps (the loader reports
// a RuntimeError from WebAssembly as an out-of-memory error naming the call).
[[noreturn]] inline void throw_bad_alloc() { __builtin_trap(); }
}  // namespace nmlp

#endif
