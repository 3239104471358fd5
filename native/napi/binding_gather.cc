#include "napi/binding_gather.h"

#include <cstdint>
#include <utility>

#include "nn/fused.h"
#include "platform/thread_pool.h"

namespace nmlp_binding {
namespace {

using nmlp_args::Args;
using nmlp_args::i64;

// gatherPixels' arguments, checked (binding.d.ts), as the kernel's call.
struct PixelsCall {
  float* out;
  const std::uint8_t* images;
  std::uint64_t image_count;
  const std::uint32_t* index;
  i64 index_length, start, rows, features;

  void run() const {
    nmlp::gather_pixels(out, images, image_count, index, index_length, start, rows, features);
  }
};

PixelsCall read_pixels(const Args& args) {
  const i64 start = args.dim(3, "start");
  const i64 rows = args.dim(4, "rows");
  const i64 features = args.dim(5, "features");
  float* out = args.f32(0, "out", nmlp_args::block(rows, features)).data;
  const auto images = args.u8(1, "images", 0);
  const auto [index, count] =
      args.gather_index(2, start, rows, features, images.length, "whole images in images");
  return PixelsCall{out,   images.data, count,   index.data, static_cast<i64>(index.length),
                    start, rows,        features};
}

}  // namespace

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

Napi::Value GatherPixels(const Napi::CallbackInfo& info) {
  Args args(info, "gatherPixels", 6, "out, images, index, start, rows, features");
  read_pixels(args).run();
  return info.Env().Undefined();
}

Napi::Value StartGatherPixels(const Napi::CallbackInfo& info, GatherSlot& slot) {
  Args args(info, "startGatherPixels", 6, "out, images, index, start, rows, features");
  const PixelsCall call = read_pixels(args);
  slot.start(info, args, 3, [call] { call.run(); });
  return info.Env().Undefined();
}

}  // namespace nmlp_binding
