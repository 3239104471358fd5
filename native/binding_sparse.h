// N-API wrappers of the sparse-input kernels (sparse.h): argument checks, then the call. The
// addon class in binding.cc registers them with its per-instance kernel.
#ifndef NATIVE_MLP_BINDING_SPARSE_H
#define NATIVE_MLP_BINDING_SPARSE_H

#include <napi.h>

#include <memory>

#include "kernels.h"

namespace nmlp_binding {

// sparseMatmul(c, rowPtr, cols, values, b, rows, k, n)
Napi::Value SparseMatmul(const Napi::CallbackInfo& info, const nmlp::KernelInfo& kernel);
// sparseMatmulT(c, rowPtr, cols, values, d, rows, k, n, alpha, beta)
Napi::Value SparseMatmulT(const Napi::CallbackInfo& info, const nmlp::KernelInfo& kernel);
// gatherSparse(values, cols, rowPtr, images, index, start, rows, features) -> non-zeros
Napi::Value GatherSparse(const Napi::CallbackInfo& info, const nmlp::KernelInfo& kernel);

// startGatherSparse(...) (gatherSparse's arguments) and finishGather(): the gather of
// the next batch on the pool's worker while the caller goes on. One slot per addon instance; its
// destructor (environment teardown) waits for a gather still running.
class GatherSlot {
 public:
  GatherSlot();
  ~GatherSlot();
  GatherSlot(const GatherSlot&) = delete;
  GatherSlot& operator=(const GatherSlot&) = delete;
  Napi::Value Start(const Napi::CallbackInfo& info, const nmlp::KernelInfo& kernel);
  Napi::Value Finish(const Napi::CallbackInfo& info);

 private:
  struct Job;
  void settle();  // waits for the worker if a job is held
  std::unique_ptr<Job> job_;
};

}  // namespace nmlp_binding

#endif
