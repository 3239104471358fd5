// What the kernels need from a runtime in the WASM build, which has no C++ library and no
// threads of its own: a memory allocator over the shared linear memory, and single-threaded
// stand-ins for thread_pool.h (the WASM backend's parallelism is JavaScript workers, each running
// the single-threaded kernels on its slice of C; see src/backend/wasm/threads.ts).
#include <cstddef>
#include <cstdint>

#include "platform/thread_pool.h"
#include "wasm/wasm_runtime.h"

extern "C" unsigned char __heap_base;
extern "C" std::uint32_t nmlp_get_instance_ws();
extern "C" void nmlp_set_instance_ws(std::uint32_t ws);

namespace {

// ---------------------------------------------------------------------------------------------
// Allocator: power-of-two size classes with a free list each, carved from the top of the heap,
// which grows the memory as needed. Every block starts with a 64-byte header (its class), so
// every returned pointer is 64-byte aligned (the packing buffers and SIMD loads want that). A
// spin lock in linear memory makes it safe for the worker instances sharing the memory (blocks
// are only allocated when shapes change, never in the steady state).
// Large blocks (over 16 MiB) are not rounded to a power of two (a 1.1 GiB block would need 2 GiB,
// more than the whole memory): they take their size rounded up to a 64 KiB page, are kept on one
// first-fit free list, and a freed block at the top of the heap gives its bytes back to it. So any
// single block up to the documented 2 GiB budget (less what is in use) can be had.
constexpr std::uint32_t kHeader = 64;
constexpr int kMinClass = 6;                   // 64 bytes
constexpr int kMaxClass = 24;                  // 16 MiB: larger blocks are sized exactly
constexpr std::uint32_t kLarge = 0xffffffffu;  // the header's class word of a large block
constexpr std::uint64_t kPage = 0x10000;

struct Heap {
  int lock;
  std::uint32_t top;  // first never-used byte
  std::uint32_t free_list[kMaxClass + 1];
  std::uint32_t large_free;  // large free blocks: header word 1 = next, word 2 = size
};
Heap heap;

void lock() {
  while (__atomic_exchange_n(&heap.lock, 1, __ATOMIC_ACQUIRE) != 0) {
  }
}
void unlock() { __atomic_store_n(&heap.lock, 0, __ATOMIC_RELEASE); }

// The size class of a block holding `bytes`, or -1 for a large block.
int class_of(std::uint32_t bytes) {
  int c = kMinClass;
  while (c < kMaxClass && (std::uint64_t{1} << c) < std::uint64_t{bytes} + kHeader) ++c;
  return (std::uint64_t{1} << c) >= std::uint64_t{bytes} + kHeader ? c : -1;
}

std::uint32_t& word(std::uint32_t block, int i) { return reinterpret_cast<std::uint32_t*>(block)[i]; }

// Carves `size` bytes from the top, growing memory; 0 when memory cannot grow that far.
std::uint32_t carve(std::uint32_t size) {
  if (heap.top == 0) heap.top = (reinterpret_cast<std::uintptr_t>(&__heap_base) + 63) & ~std::uintptr_t{63};
  const std::uint64_t end = std::uint64_t{heap.top} + size;
  if (end > (std::uint64_t{1} << 32)) return 0;
  const std::uint64_t have = std::uint64_t{__builtin_wasm_memory_size(0)} << 16;
  if (end > have) {
    const std::uint64_t pages = (end - have + 0xffff) >> 16;
    if (__builtin_wasm_memory_grow(0, static_cast<std::size_t>(pages)) == static_cast<std::size_t>(-1))
      return 0;
  }
  const std::uint32_t at = heap.top;
  heap.top = static_cast<std::uint32_t>(end);
  return at;
}

// A large block of at least `size` bytes (page-rounded, header included): first fit, else carved.
std::uint32_t alloc_large(std::uint64_t size) {
  std::uint32_t* link = &heap.large_free;
  for (std::uint32_t b = *link; b != 0; link = &word(b, 1), b = *link) {
    if (word(b, 2) >= size) {
      *link = word(b, 1);
      return b;
    }
  }
  if (size > 0xffffffffu) return 0;
  const std::uint32_t b = carve(static_cast<std::uint32_t>(size));
  if (b != 0) word(b, 2) = static_cast<std::uint32_t>(size);
  return b;
}

}  // namespace

extern "C" {

std::uint32_t nmlp_alloc(std::uint32_t bytes) {
  const int c = class_of(bytes);
  if (c < 0) {
    const std::uint64_t size = (std::uint64_t{bytes} + kHeader + kPage - 1) & ~(kPage - 1);
    lock();
    const std::uint32_t block = alloc_large(size);
    unlock();
    if (block == 0) return 0;
    word(block, 0) = kLarge;
    return block + kHeader;
  }
  lock();
  std::uint32_t block = heap.free_list[c];
  if (block != 0) {
    heap.free_list[c] = *reinterpret_cast<std::uint32_t*>(block + 4);
  } else {
    block = carve(std::uint32_t{1} << c);
  }
  unlock();
  if (block == 0) return 0;
  *reinterpret_cast<std::uint32_t*>(block) = static_cast<std::uint32_t>(c);
  return block + kHeader;
}

void nmlp_free(std::uint32_t ptr) {
  if (ptr == 0) return;
  const std::uint32_t block = ptr - kHeader;
  const std::uint32_t c = *reinterpret_cast<std::uint32_t*>(block);
  lock();
  if (c == kLarge) {
    if (std::uint64_t{block} + word(block, 2) == heap.top) {
      heap.top = block;  // the top block: its bytes go back to carve()
    } else {
      word(block, 1) = heap.large_free;
      heap.large_free = block;
    }
    unlock();
    return;
  }
  *reinterpret_cast<std::uint32_t*>(block + 4) = heap.free_list[c];
  heap.free_list[c] = block;
  unlock();
}

}  // extern "C"

// ---------------------------------------------------------------------------------------------
// thread_pool.h for one thread.
namespace nmlp {

AlignedBuffer::~AlignedBuffer() {
  nmlp_free(static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(data_)));
}

float* AlignedBuffer::ensure(std::size_t floats) {
  if (floats <= capacity_) return data_;
  if (floats > 0x1fffffff) throw_bad_alloc();
  const std::uint32_t p = nmlp_alloc(static_cast<std::uint32_t>(floats * sizeof(float)));
  if (p == 0) throw_bad_alloc();
  nmlp_free(static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(data_)));
  data_ = reinterpret_cast<float*>(static_cast<std::uintptr_t>(p));
  capacity_ = floats;
  return data_;
}

// This instance's workspace, created on first use (per instance: see wasm_stack.S).
Workspace& thread_workspace() {
  std::uint32_t ws = nmlp_get_instance_ws();
  if (ws == 0) {
    ws = nmlp_alloc(sizeof(Workspace));
    if (ws == 0) throw_bad_alloc();
    new (reinterpret_cast<void*>(static_cast<std::uintptr_t>(ws))) Workspace();
    nmlp_set_instance_ws(ws);
  }
  return *reinterpret_cast<Workspace*>(static_cast<std::uintptr_t>(ws));
}

int get_threads() { return 1; }

// Never constructed in practice (get_threads() == 1 keeps sgemm on its single-thread path); a
// lease that is never acquired makes any call that did get here run single-threaded.
PoolLease::PoolLease(CallKind kind) : pool_(nullptr), kind_(kind), acquired_(false) {}
PoolLease::~PoolLease() {}
int PoolLease::prepare(int) { return 1; }
void PoolLease::report(int, double, double) {}
Workspace& PoolLease::workspace(int) { return thread_workspace(); }
void PoolLease::run(int, JobFn fn, void* ctx) { fn(ctx, 0, 1); }

}  // namespace nmlp
