// The pixel gather's wrappers (gatherPixels, startGatherPixels) and the slot of the gathers that run
// in the background (startGatherSparse, startGatherPixels, finishGather): the next batch is
// gathered on the thread pool's first worker while JavaScript runs the serial part of the current
// training step. One slot per addon instance.
#ifndef NATIVE_MLP_BINDING_GATHER_H
#define NATIVE_MLP_BINDING_GATHER_H

#include <napi.h>

#include <functional>
#include <memory>

#include "napi/args.h"

namespace nmlp_binding {

class GatherSlot {
 public:
  GatherSlot();
  ~GatherSlot();  // environment teardown: waits for a gather still running
  GatherSlot(const GatherSlot&) = delete;
  GatherSlot& operator=(const GatherSlot&) = delete;

  // Runs `gather` (its arguments already checked) on the worker when the call's first `arrays`
  // arguments all live on SharedArrayBuffers, which cannot be detached, and keeps references to
  // them until the gather is finished; otherwise, or with no worker to be had, runs it now. A gather still
  // running from an earlier start ends first. gather must not throw.
  void start(const Napi::CallbackInfo& info, const nmlp_args::Args& args, std::size_t arrays,
             std::function<void()> gather);
  // finishGather(): returns once the gather begun last (if any) is complete, dropping its references.
  Napi::Value Finish(const Napi::CallbackInfo& info);

 private:
  struct Job;
  void settle();  // waits for the worker if a job is held
  std::unique_ptr<Job> job_;
};

// gatherPixels(out, images, index, start, rows, features)
Napi::Value GatherPixels(const Napi::CallbackInfo& info);
// startGatherPixels(out, images, index, start, rows, features): gatherPixels in the background.
Napi::Value StartGatherPixels(const Napi::CallbackInfo& info, GatherSlot& slot);

}  // namespace nmlp_binding

#endif
