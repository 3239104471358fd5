// The exports of the WASM build (wasm/native-mlp.wasm): the kernels of native/, called on byte
// offsets into the module's shared linear memory. No checks here but the sparse products' column
// indices (below): the loader (src/backend/wasm/) runs the shared TypeScript checks first and only
// ever passes ranges inside the memory, and WASM cannot touch anything outside its memory
// whatever it is passed.
// Sizes are i32 (the checks cap them at 2^31 - 1); pointers are i32 offsets.
//
// Adding a kernel: one NMLP_EXPORT line here and one line in src/backend/wasm/exports.ts.
#include <cstdint>

#include "nn/activation.h"
#include "nn/dropout.h"
#include "nn/fused.h"
#include "sgemm/sgemm.h"
#include "sparse/sparse.h"
#include "nn/weighted_loss.h"
#include "wasm/wasm_runtime.h"

using i32 = std::int32_t;
using u8 = std::uint8_t;
using u32 = std::uint32_t;

#define NMLP_EXPORT(name) extern "C" __attribute__((export_name(#name))) auto wasm_##name

NMLP_EXPORT(sgemm)
(i32 ta, i32 tb, i32 m, i32 n, i32 k, double alpha, const float* a, i32 lda, const float* b, i32 ldb,
 double beta, float* c, i32 ldc)
    ->void {
  nmlp::sgemm(*nmlp::kernel_wasm128(), {ta != 0, tb != 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc});
}
NMLP_EXPORT(biasRelu)(float* h, float* u, const float* bias, i32 rows, i32 cols)->void {
  nmlp::bias_relu(h, u, bias, rows, cols);
}
NMLP_EXPORT(biasAdd)(float* u, const float* bias, i32 rows, i32 cols)->void {
  nmlp::bias_add(u, bias, rows, cols);
}
NMLP_EXPORT(softmaxXentGrad)(float* du, const float* logits, const u32* labels, i32 rows, i32 cols)->double {
  return nmlp::softmax_xent_grad(du, logits, labels, rows, cols);
}
NMLP_EXPORT(mseGrad)(float* du, const float* pred, const float* target, i32 rows, i32 cols)->double {
  return nmlp::mse_grad(du, pred, target, rows, cols);
}
NMLP_EXPORT(softmaxXentGradWeighted)
(float* du, const float* logits, const u32* labels, const float* weights, i32 rows, i32 cols)->double {
  return nmlp::softmax_xent_grad_weighted(du, logits, labels, weights, rows, cols);
}
NMLP_EXPORT(mseGradWeighted)
(float* du, const float* pred, const float* target, const float* weights, i32 rows, i32 cols)->double {
  return nmlp::mse_grad_weighted(du, pred, target, weights, rows, cols);
}
NMLP_EXPORT(reluBackward)(float* dx, const float* dy, const float* u, i32 n)->void {
  nmlp::relu_backward(dx, dy, u, n);
}
// act < kActivationCount: the shared TypeScript checks bound it (an unknown code would run identity).
NMLP_EXPORT(biasAct)(float* h, float* u, const float* bias, i32 rows, i32 cols, i32 act)->void {
  nmlp::bias_act(h, u, bias, rows, cols, act);
}
NMLP_EXPORT(actBackward)(float* dx, const float* dy, const float* u, const float* h, i32 n, i32 act)->void {
  nmlp::act_backward(dx, dy, u, h, n, act);
}
// key0 and key1 arrive as i32 (JavaScript's ToInt32 of a uint32): the same 32 bits.
NMLP_EXPORT(dropout)(float* out, const float* x, i32 n, double p, i32 key0, i32 key1)->void {
  nmlp::dropout(out, x, n, p, static_cast<std::uint32_t>(key0), static_cast<std::uint32_t>(key1));
}
NMLP_EXPORT(colSums)(float* out, const float* x, i32 rows, i32 cols)->void {
  nmlp::col_sums(out, x, rows, cols);
}
NMLP_EXPORT(sgdUpdate)(float* w, const float* g, double lr, i32 n)->void { nmlp::sgd_update(w, g, lr, n); }
NMLP_EXPORT(gatherPixels)
(float* out, const u8* images, u32 count, const u32* index, i32 indexLength, i32 start, i32 rows,
 i32 features)
    ->void {
  nmlp::gather_pixels(out, images, count, index, indexLength, start, rows, features);
}

// Sparse-input kernels (sparse.h). The shared TypeScript checks have bounded rowPtr and the
// lengths; the column indices are checked here, as the addon's binding checks them: these return
// -1, or the position of the first index outside [0, k) (nothing is computed then), for the
// loader to report with the shared message.
NMLP_EXPORT(gatherSparse)
(float* values, i32* cols, i32* rowPtr, const u8* images, u32 count, const u32* index, i32 indexLength,
 i32 start, i32 rows, i32 features)
    ->i32 {
  return static_cast<i32>(nmlp::gather_sparse(*nmlp::kernel_wasm128(), values, cols, rowPtr, images, count,
                                              index, indexLength, start, rows, features));
}
NMLP_EXPORT(sparseMatmul)
(float* c, const i32* rowPtr, const i32* cols, const float* values, const float* b, i32 rows, i32 k, i32 n,
 i32 nnz)
    ->i32 {
  const i32 bad = static_cast<i32>(nmlp::first_bad_column(cols, nnz, k));
  if (bad < 0) nmlp::sparse_matmul(*nmlp::kernel_wasm128(), {rowPtr, cols, values, rows, k, nnz}, b, n, c);
  return bad;
}
NMLP_EXPORT(sparseMatmulT)
(float* c, const i32* rowPtr, const i32* cols, const float* values, const float* d, i32 rows, i32 k, i32 n,
 i32 nnz, double alpha, double beta)
    ->i32 {
  const i32 bad = static_cast<i32>(nmlp::first_bad_column(cols, nnz, k));
  if (bad < 0)
    nmlp::sparse_matmul_t(*nmlp::kernel_wasm128(), {rowPtr, cols, values, rows, k, nnz}, d, n, alpha, beta,
                          c);
  return bad;
}

// Memory the loader hands out (Backend.alloc, scratch for caller arrays, worker stacks).
NMLP_EXPORT(alloc)(u32 bytes)->u32 { return nmlp_alloc(bytes); }
NMLP_EXPORT(free)(u32 ptr)->void { nmlp_free(ptr); }
