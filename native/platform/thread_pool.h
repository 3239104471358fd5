// A persistent thread pool for the kernels, shared by every addon instance in the process.
//
// - One pool per process, created on first use and never destroyed (its threads simply end with
//   the process; no join at exit can deadlock).
// - The thread count is a process-wide setting (default: one per logical CPU). The pool keeps
//   setting - 1 worker threads; the calling thread is always participant 0.
// - A worker that took part in a job spins for up to 1 ms waiting for the next one (the big
//   products of a training step come a few hundred microseconds apart, and waking a sleeping
//   thread costs tens of microseconds, more in a VM), then sleeps on a condition variable: an idle
//   pool uses no CPU. Workers not needed by a job go straight back to sleep.
// - Busy machines: the pool keeps moving averages of the time per flop of calls run with the pool
//   and on the caller alone, and uses the pool only while it is clearly faster. When other
//   processes occupy the cores, a worker gets descheduled mid-call and the pool loses; calls then
//   stay on the caller, with an occasional probe of the pool. Each kind of call (CallKind) keeps
//   its own averages: a flop of a sparse product (memory-bound) takes several times as long as a
//   flop of sgemm, so one shared average would compare the two kinds, not pool and alone.
//   set_pool_adaptive(false) (the addon's setPoolPolicy("always"), which TypeScript calls for
//   NATIVE_MLP_POOL=always) turns this off.
// - One caller at a time: a PoolLease try-locks the pool. If another JS thread (a worker_thread
//   with its own addon instance) holds it, the lease fails and the caller runs single-threaded on
//   its own thread, so concurrent callers never block each other or share buffers.
// - Jobs must not throw; all allocation happens in the caller before PoolLease::run.
// - A background job (PoolLease::start) runs on the first worker while the caller goes on (the
//   next batch's gather during the serial part of a training step); anything that needs the
//   workers waits for it first.
#ifndef NATIVE_MLP_THREAD_POOL_H
#define NATIVE_MLP_THREAD_POOL_H

#include <atomic>
#include <chrono>
#include <cstddef>

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

using JobFn = void (*)(void* ctx, int tid, int nt);

// Process-wide thread-count setting.
int get_threads();
// n in [0, 256]; 0 = one per logical CPU. Blocks until no parallel call is running, then resizes
// the pool. Returns the count now in force. May throw std::system_error (thread creation).
int set_threads(int n);

// Process-wide pool policy: true (default) = the adaptive pool-or-alone choice above; false =
// use the pool for every call large enough to split. Takes effect from the next call.
void set_pool_adaptive(bool adaptive);
bool get_pool_adaptive();

class ThreadPool;

// Returns once the pool runs no job (a background job from PoolLease::start included).
void wait_for_pool();

// What a parallel call does, for the pool-or-alone choice (separate statistics per kind).
enum class CallKind : int { sgemm = 0, sparse = 1, elementwise = 2 };
constexpr int kCallKinds = 3;

// Exclusive, non-blocking use of the pool for one parallel call.
class PoolLease {
 public:
  explicit PoolLease(CallKind kind);
  ~PoolLease();
  PoolLease(const PoolLease&) = delete;
  PoolLease& operator=(const PoolLease&) = delete;

  bool acquired() const { return acquired_; }
  // Makes sure up to `want` participants exist (the caller + want - 1 workers, capped by the
  // setting) and returns how many to use (>= 1). Never throws: if a thread cannot be created,
  // fewer are returned. Returns 1 when recent calls ran faster per flop on the caller alone (a
  // busy machine), except for an occasional probe of the pool.
  int prepare(int want);
  // Feeds that choice: the call used nt participants (1 = the caller alone), did `flops` flops
  // and took `seconds`.
  void report(int nt, double flops, double seconds);
  // Packing space of participant tid (0 = the caller); valid while the lease is held.
  Workspace& workspace(int tid);
  // Runs fn(ctx, tid, nt) for tid in [0, nt) (tid 0 on the calling thread) and returns when all
  // are done. nt <= prepare()'s result. fn must not throw, and participants should not wait for
  // each other (a worker may start late: asleep, or descheduled on a busy machine).
  void run(int nt, JobFn fn, void* ctx);
  // A background job: starts fn(ctx, 1, 2) on the first worker and returns at once; the pool's
  // next parallel call, a resize and wait_for_pool() wait for it to end. Returns false and runs
  // nothing when the lease failed, there is no worker to be had (a setting of 1 thread) or the
  // worker is asleep (waking it takes longer than a gather); the caller then does the work
  // itself. fn must not throw.
  bool start(JobFn fn, void* ctx);

 private:
  ThreadPool* pool_;
  CallKind kind_;
  bool acquired_ = false;
};

}  // namespace nmlp

#endif
