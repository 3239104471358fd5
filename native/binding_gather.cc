#include "binding_gather.h"

#include <utility>

#include "thread_pool.h"

namespace nmlp_binding {

// A gather running on the worker, and the references that keep its arrays alive meanwhile.
struct GatherSlot::Job {
  std::function<void()> gather;
  Napi::ObjectReference arrays[5];

  static void run(void* ctx, int, int) { static_cast<Job*>(ctx)->gather(); }
};

GatherSlot::GatherSlot() = default;

GatherSlot::~GatherSlot() { settle(); }

void GatherSlot::settle() {
  if (job_) nmlp::wait_for_pool();
}

void GatherSlot::start(const Napi::CallbackInfo& info, const nmlp_args::Args& args, std::size_t arrays,
                       std::function<void()> gather) {
  settle();
  job_.reset();
  bool shared = arrays <= 5;
  for (std::size_t i = 0; shared && i < arrays; ++i) shared = args.shared(i);
  if (shared) {
    auto job = std::make_unique<Job>();
    job->gather = gather;
    for (std::size_t i = 0; i < arrays; ++i) job->arrays[i] = Napi::Persistent(info[i].As<Napi::Object>());
    nmlp::PoolLease lease(nmlp::CallKind::elementwise);
    if (lease.start(&Job::run, job.get())) {
      job_ = std::move(job);
      return;
    }
  }
  gather();
}

Napi::Value GatherSlot::Finish(const Napi::CallbackInfo& info) {
  settle();
  job_.reset();
  return info.Env().Undefined();
}

}  // namespace nmlp_binding
