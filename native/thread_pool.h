// A persistent thread pool for the kernels, shared by every addon instance in the process.
//
// - One pool per process, created on first use and never destroyed (its threads simply end with
//   the process; no join at exit can deadlock).
// - The thread count is a process-wide setting (default: one per logical CPU). The pool keeps
//   setting - 1 worker threads; the calling thread is always participant 0.
// - Idle workers spin briefly (about 50 us, so back-to-back kernel calls do not pay a wake-up)
//   and then sleep on a condition variable: an idle pool uses no CPU.
// - One caller at a time: a PoolLease try-locks the pool. If another JS thread (a worker_thread
//   with its own addon instance) holds it, the lease fails and the caller runs single-threaded on
//   its own thread, so concurrent callers never block each other or share buffers.
// - Jobs must not throw; all allocation happens in the caller before PoolLease::run.
#ifndef NATIVE_MLP_THREAD_POOL_H
#define NATIVE_MLP_THREAD_POOL_H

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace nmlp {

// A grow-only, 64-byte-aligned float buffer (packing space). Throws std::bad_alloc.
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  ~AlignedBuffer();
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  // Returns a buffer of at least `floats` floats; contents are not preserved when it grows.
  float* ensure(std::size_t floats);
  float* data() const { return data_; }

 private:
  float* data_ = nullptr;
  std::size_t capacity_ = 0;
};

// Packing space of one participant: a packed A block and a packed B block.
struct Workspace {
  AlignedBuffer a;
  AlignedBuffer b;
};

// The calling thread's own workspace (thread_local; used when running single-threaded).
Workspace& thread_workspace();

// One pause instruction (spin-wait hint).
void cpu_relax();

// Spins on pred() for at most `budget`; returns whether it became true.
template <typename Pred>
bool spin_for(Pred pred, std::chrono::microseconds budget) {
  const auto start = std::chrono::steady_clock::now();
  for (unsigned i = 1;; ++i) {
    if (pred()) return true;
    cpu_relax();
    if ((i & 31) == 0 && std::chrono::steady_clock::now() - start > budget) return pred();
  }
}

// Waiting for a condition another participant of the same job makes true (a counter reaching a
// value). Spins briefly (the usual case: the other thread is running and nearly done), then
// sleeps, so a descheduled partner on a busy machine costs a sleep rather than a burned time
// slice. The condition must read seq_cst atomics that are changed by seq_cst read-modify-writes
// each followed by notify().
class Waiter {
 public:
  template <typename Pred>
  void wait(Pred pred) {
    if (spin_for(pred, std::chrono::microseconds(30))) return;
    std::unique_lock<std::mutex> lk(mu_);
    sleepers_.fetch_add(1);
    while (!pred()) cv_.wait(lk);
    sleepers_.fetch_sub(1);
  }
  void notify() {
    if (sleepers_.load() > 0) {
      std::lock_guard<std::mutex> lk(mu_);
      cv_.notify_all();
    }
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<int> sleepers_{0};
};

using JobFn = void (*)(void* ctx, int tid, int nt);

// Process-wide thread-count setting.
int get_threads();
// n in [0, 256]; 0 = one per logical CPU. Blocks until no parallel call is running, then resizes
// the pool. Returns the count now in force. May throw std::system_error (thread creation).
int set_threads(int n);

class ThreadPool;

// Exclusive, non-blocking use of the pool for one parallel call.
class PoolLease {
 public:
  PoolLease();
  ~PoolLease();
  PoolLease(const PoolLease&) = delete;
  PoolLease& operator=(const PoolLease&) = delete;

  bool acquired() const { return acquired_; }
  // Makes sure up to `want` participants exist (the caller + want - 1 workers, capped by the
  // setting) and returns how many are available (>= 1). Never throws: if a thread cannot be
  // created, fewer are returned.
  int prepare(int want);
  // Packing space of participant tid (0 = the caller); valid while the lease is held.
  Workspace& workspace(int tid);
  // Runs fn(ctx, tid, nt) for tid in [0, nt) (tid 0 on the calling thread) and returns when all
  // are done. nt <= prepare()'s result. fn must not throw. Workers may start late (they may be
  // asleep), so jobs should hand out work dynamically rather than by tid.
  void run(int nt, JobFn fn, void* ctx);

 private:
  ThreadPool* pool_;
  bool acquired_ = false;
};

}  // namespace nmlp

#endif
