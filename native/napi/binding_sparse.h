// N-API wrappers of the sparse-input kernels (sparse.h): argument checks, then the call. The
// addon class in binding.cc registers them with its per-instance kernel.
#ifndef NATIVE_MLP_BINDING_SPARSE_H
#define NATIVE_MLP_BINDING_SPARSE_H

#include <napi.h>

#include "napi/binding_gather.h"
#include "sgemm/kernels.h"

namespace nmlp_binding {

// sparseMatmul(c, rowPtr, cols, values, b, rows, k, n)
Napi::Value SparseMatmul(const Napi::CallbackInfo& info, const nmlp::KernelInfo& kernel);
// sparseMatmulT(c, rowPtr, cols, values, d, rows, k, n, alpha, beta)
Napi::Value SparseMatmulT(const Napi::CallbackInfo& info, const nmlp::KernelInfo& kernel);
// gatherSparse(values, cols, rowPtr, images, index, start, rows, features) -> non-zeros
Napi::Value GatherSparse(const Napi::CallbackInfo& info, const nmlp::KernelInfo& kernel);

// startGatherSparse(values, cols, rowPtr, images, index, start, rows, features): gatherSparse in
// the background (binding_gather.h).
Napi::Value StartGatherSparse(const Napi::CallbackInfo& info, const nmlp::KernelInfo& kernel,
                              GatherSlot& slot);

}  // namespace nmlp_binding

#endif
