#include "platform/thread_pool.h"

#include "platform/fp_mode.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64)
#include <emmintrin.h>
#define NMLP_PAUSE() _mm_pause()
#elif defined(__aarch64__) || defined(__arm__)
#define NMLP_PAUSE() __asm__ __volatile__("yield")
#else
#define NMLP_PAUSE() ((void)0)
#endif

namespace nmlp {

// ---------------------------------------------------------------------------------------------
// AlignedBuffer

AlignedBuffer::~AlignedBuffer() {
  if (data_ != nullptr) ::operator delete[](data_, std::align_val_t(64));
}

float* AlignedBuffer::ensure(std::size_t floats) {
  if (floats <= capacity_ && data_ != nullptr) return data_;
  // Grow with some headroom so a sequence of slightly larger calls does not reallocate each time.
  std::size_t cap = std::max<std::size_t>(floats, capacity_ + capacity_ / 2);
  cap = (cap + 15) & ~static_cast<std::size_t>(15);
  if (cap == 0) cap = 16;
  float* fresh = static_cast<float*>(::operator new[](cap * sizeof(float), std::align_val_t(64)));
  if (data_ != nullptr) ::operator delete[](data_, std::align_val_t(64));
  data_ = fresh;
  capacity_ = cap;
  return data_;
}

Workspace& thread_workspace() {
  thread_local Workspace ws;
  return ws;
}

void cpu_relax() { NMLP_PAUSE(); }

namespace {

// Workers spin this long after a job before sleeping: long enough to stay awake across the gaps
// between the big products of a training step (waking a sleeping thread costs tens of
// microseconds, more in a VM), short enough that an idle pool soon uses no CPU.
constexpr auto kIdleSpin = std::chrono::microseconds(1000);
constexpr auto kJoinSpin = std::chrono::microseconds(30);  // caller, waiting for the last worker

}  // namespace

// ---------------------------------------------------------------------------------------------
// ThreadPool

namespace {

constexpr int kMaxThreads = 256;

int hardware_threads() {
  unsigned hw = std::thread::hardware_concurrency();
  if (hw == 0) hw = 1;
  return static_cast<int>(std::min<unsigned>(hw, kMaxThreads));
}

}  // namespace

class ThreadPool {
 public:
  ThreadPool() : setting_(hardware_threads()) {}

  std::mutex call_mu;  // held for the whole of a parallel call, and while resizing
  std::atomic<int> setting_;
  // false: use the pool for every eligible call, no adaptive choice (tests use it to exercise the
  // parallel path deterministically; benchmarks to measure it).
  std::atomic<bool> adaptive_{true};

  // Requires call_mu. Creates workers up to min(want, setting) - 1; returns participants available.
  int prepare(int want) {
    const int target = std::max(1, std::min(want, setting_.load())) - 1;
    while (static_cast<int>(workers_.size()) < target) {
      const int id = static_cast<int>(workers_.size()) + 1;
      const std::uint64_t seen = word_.load(std::memory_order_acquire);
      try {
        workers_.emplace_back([this, id, seen] { worker_main(id, seen); });
      } catch (...) {
        break;  // thread creation failed: run with fewer
      }
    }
    while (static_cast<int>(slots_.size()) < static_cast<int>(workers_.size()) + 1) {
      try {
        slots_.push_back(std::make_unique<Workspace>());
      } catch (...) {
        break;
      }
    }
    return std::max(
        1, std::min({target + 1, static_cast<int>(workers_.size()) + 1, static_cast<int>(slots_.size())}));
  }

  // Requires call_mu. Stops workers beyond the new setting (they are re-created lazily).
  void resize(int setting) {
    wait_idle();  // a background job ends before its worker may be stopped
    setting_.store(setting);
    if (static_cast<int>(workers_.size()) <= setting - 1) return;
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_.store(true, std::memory_order_release);
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
    stop_.store(false, std::memory_order_release);
  }

  Workspace& workspace(int tid) { return *slots_[static_cast<std::size_t>(tid)]; }

  // Requires call_mu. How many of the `available` participants the next call should use: the
  // pool or the caller alone, whichever has recently been faster per flop (see report()). Every
  // kProbeEvery-th call tries the other choice so both estimates stay current; the pool is tried
  // with a burst of kProbeBurst calls, of which the first kBurstWarmup are not measured: after a
  // stretch alone the worker must wake up and bring its half of the operands into its own caches,
  // and timing those calls made a 2-core pool look no faster than one thread (measured in dense
  // training: 1.05-1.2x the alone time per flop in such bursts against about 0.5x once warm).
  int admit(int available, CallKind kind) {
    if (available <= 1 || !adaptive_.load(std::memory_order_relaxed)) return available;
    Choice& c = choice_[static_cast<int>(kind)];
    ++c.calls;
    if (c.burst_left > 0) {
      --c.burst_left;
      return available;
    }
    const bool pool_better = c.alone_ns <= 0.0 || c.pooled_ns <= 0.0 || c.pooled_ns < kMinGain * c.alone_ns;
    const bool probe = c.calls % kProbeEvery == 0;
    if (pool_better) return probe ? 1 : available;
    if (!probe) return 1;
    c.burst_left = kProbeBurst - 1;
    c.unmeasured = kBurstWarmup;
    return available;
  }

  // Requires call_mu. Time per flop of a call that admit() sized, as moving averages. A pooled
  // call right after a call on the caller alone is not counted (its worker was asleep). Samples
  // are capped at twice the average, so one call that lost its thread for a scheduler slice does
  // not flip the choice; sustained contention (several slow calls in a row) does.
  void report(int nt, double flops, double seconds, CallKind kind) {
    const bool warm = nt <= 1 || last_nt_ > 1;
    last_nt_ = nt;
    Choice& c = choice_[static_cast<int>(kind)];
    if (nt > 1 && c.unmeasured > 0) {
      --c.unmeasured;
      return;
    }
    if (!warm || flops <= 0.0 || seconds <= 0.0) return;
    const double ns = seconds * 1e9 / flops;
    double& avg = nt > 1 ? c.pooled_ns : c.alone_ns;
    avg = avg <= 0.0 ? ns : avg + (std::min(ns, 2.0 * avg) - avg) * kAverageWeight;
  }

  // Requires call_mu and nt <= workers + 1.
  void run(int nt, JobFn fn, void* ctx) {
    if (nt <= 1) {
      fn(ctx, 0, 1);
      return;
    }
    post(nt, fn, ctx);
    fn(ctx, 0, nt);
    wait_idle();
  }

  // Requires call_mu and at least 1 worker: fn(ctx, 1, 2) on worker 1, not waited for. Refused
  // (false) while worker 1 sleeps: waking it takes longer than a gather (p99 0.4-0.6 ms measured
  // from post to start), and the caller would then wait for it at the next parallel call.
  bool start(JobFn fn, void* ctx) {
    if (first_asleep_.load(std::memory_order_relaxed)) return false;
    post(2, fn, ctx);
    return true;
  }

  // Returns once no worker runs a job (the last one's writes are then visible to the caller).
  void wait_idle() {
    auto idle = [&] { return pending_.load(std::memory_order_acquire) == 0; };
    if (!spin_for(idle, kJoinSpin)) {
      std::unique_lock<std::mutex> lk(mu_);
      done_cv_.wait(lk, idle);
    }
  }

 private:
  // Requires call_mu. Hands fn to workers 1 .. nt - 1, after any job still running (a background
  // job) has ended: fn_, ctx_ and pending_ belong to one job at a time.
  void post(int nt, JobFn fn, void* ctx) {
    wait_idle();
    fn_ = fn;
    ctx_ = ctx;
    pending_.store(nt - 1, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lk(mu_);
      const std::uint64_t next = ((word_.load(std::memory_order_relaxed) >> 9) + 1) << 9;
      word_.store(next | static_cast<std::uint64_t>(nt), std::memory_order_release);
    }
    cv_.notify_all();
  }

  void worker_main(int id, std::uint64_t seen) {
    // Workers run only kernels: the mode every native call runs in, set once (fp_mode.h).
    set_thread_flush_denormals();
    bool spin = false;  // spin before sleeping only right after taking part in a job
    for (;;) {
      auto ready = [&] {
        return word_.load(std::memory_order_acquire) != seen || stop_.load(std::memory_order_acquire);
      };
      if (!(spin && spin_for(ready, kIdleSpin))) {
        std::unique_lock<std::mutex> lk(mu_);
        if (id == 1) first_asleep_.store(true, std::memory_order_relaxed);
        cv_.wait(lk, ready);
        if (id == 1) first_asleep_.store(false, std::memory_order_relaxed);
      }
      if (stop_.load(std::memory_order_acquire)) return;
      seen = word_.load(std::memory_order_acquire);
      const int nt = static_cast<int>(seen & 511);
      spin = id < nt;
      if (spin) {
        fn_(ctx_, id, nt);
        if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
          std::lock_guard<std::mutex> lk(mu_);
          done_cv_.notify_all();
        }
      }
    }
  }

  std::vector<std::thread> workers_;
  std::vector<std::unique_ptr<Workspace>> slots_;
  std::mutex mu_;
  std::condition_variable cv_;       // workers wait here for a job
  std::condition_variable done_cv_;  // the caller waits here for the last worker
  // Job word: sequence number << 9 | participant count. Published with release after fn_/ctx_;
  // workers that are not participants (id >= count) only read the word.
  std::atomic<std::uint64_t> word_{0};
  std::atomic<bool> stop_{false};
  std::atomic<int> pending_{0};
  std::atomic<bool> first_asleep_{false};  // worker 1 waits on cv_ (PoolLease::start's test)
  JobFn fn_ = nullptr;
  void* ctx_ = nullptr;
  // Pool-or-alone choice (guarded by call_mu). The pool must beat the caller alone by 10% per
  // flop: on an idle machine it does by far (1.7-1.9x with 2 cores); on a busy one (other
  // processes on the cores, 2 vCPUs that are one physical core) it may not, and then calls stay on
  // the caller, re-trying the pool every kProbeEvery calls.
  static constexpr double kMinGain = 0.9;
  static constexpr unsigned kProbeEvery = 64;
  static constexpr int kProbeBurst = 8;
  static constexpr int kBurstWarmup = 3;
  static constexpr double kAverageWeight = 0.25;
  struct Choice {  // one kind of call's
    unsigned calls = 0;
    int burst_left = 0;
    int unmeasured = 0;      // pooled calls of the current burst still to leave out of pooled_ns
    double alone_ns = 0.0;   // ns per flop, caller alone (0 = no sample yet)
    double pooled_ns = 0.0;  // ns per flop, with the pool
  };
  Choice choice_[kCallKinds];
  int last_nt_ = 1;  // of the last reported call of any kind: whether the workers are awake
};

namespace {

ThreadPool& the_pool() {
  // Intentionally leaked: worker threads must never be joined from a static destructor.
  static ThreadPool* pool = new ThreadPool();
  return *pool;
}

}  // namespace

int get_threads() { return the_pool().setting_.load(); }

void set_pool_adaptive(bool adaptive) { the_pool().adaptive_.store(adaptive); }
bool get_pool_adaptive() { return the_pool().adaptive_.load(); }

int set_threads(int n) {
  ThreadPool& pool = the_pool();
  const int setting = n <= 0 ? hardware_threads() : std::min(n, kMaxThreads);
  std::lock_guard<std::mutex> lk(pool.call_mu);
  pool.resize(setting);
  return setting;
}

// ---------------------------------------------------------------------------------------------
// PoolLease

PoolLease::PoolLease(CallKind kind) : pool_(&the_pool()), kind_(kind) {
  acquired_ = pool_->call_mu.try_lock();
}

PoolLease::~PoolLease() {
  if (acquired_) pool_->call_mu.unlock();
}

int PoolLease::prepare(int want) {
  if (!acquired_) return 1;
  const int nt = pool_->admit(pool_->prepare(want), kind_);
  // A background job still running ends here, before the caller starts timing the call: its wait
  // counted as the pool's time made the pool look slower than the caller alone.
  if (nt > 1) pool_->wait_idle();
  return nt;
}

Workspace& PoolLease::workspace(int tid) { return pool_->workspace(tid); }

void PoolLease::run(int nt, JobFn fn, void* ctx) { pool_->run(nt, fn, ctx); }

bool PoolLease::start(JobFn fn, void* ctx) {
  return acquired_ && pool_->prepare(2) >= 2 && pool_->start(fn, ctx);
}

void wait_for_pool() { the_pool().wait_idle(); }

void PoolLease::report(int nt, double flops, double seconds) {
  if (acquired_) pool_->report(nt, flops, seconds, kind_);
}

}  // namespace nmlp
