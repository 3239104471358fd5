#include "napi/binding_sparse.h"

#include <cstdint>
#include <string>

#include "napi/args.h"
#include "sparse/sparse.h"

namespace nmlp_binding {
namespace {

using nmlp_args::Args;
using nmlp_args::block;
using nmlp_args::guarded;
using nmlp_args::i64;
using nmlp_args::throw_range;

// Reads and checks a CSR batch (rows x k) at arguments rowPtr, cols, values: rowPtr holds
// rows + 1 entries starting at 0 and never decreasing; cols and values hold rowPtr[rows] entries;
// every column index is in [0, k). O(non-zeros): every index a kernel will follow is checked.
nmlp::CsrBatch read_csr(const Args& args, std::size_t at, i64 rows, i64 k) {
  napi_env env = args.env();
  const auto row_ptr = args.i32(at, "rowPtr", static_cast<std::uint64_t>(rows) + 1);
  const auto cols = args.i32(at + 1, "cols", 0);
  const auto values = args.f32(at + 2, "values", 0);
  if (row_ptr.data[0] != 0) {
    throw_range(env, "Expected rowPtr[0] to be 0 (compressed sparse rows) but received " +
                         std::to_string(row_ptr.data[0]));
  }
  for (i64 i = 0; i < rows; ++i) {
    if (row_ptr.data[i + 1] < row_ptr.data[i]) {
      throw_range(env, "Expected rowPtr never to decrease (compressed sparse rows) but rowPtr[" +
                           std::to_string(i + 1) + "] = " + std::to_string(row_ptr.data[i + 1]) +
                           " < rowPtr[" + std::to_string(i) + "] = " + std::to_string(row_ptr.data[i]));
    }
  }
  const std::uint64_t nnz = static_cast<std::uint64_t>(row_ptr.data[rows]);
  args.require("cols", cols.length, nnz);
  args.require("values", values.length, nnz);
  const i64 bad = nmlp::first_bad_column(cols.data, static_cast<i64>(nnz), k);
  if (bad >= 0) {
    throw_range(env, "Expected every column index to be in [0, " + std::to_string(k) + ") (k) but cols[" +
                         std::to_string(bad) + "] is " + std::to_string(cols.data[bad]));
  }
  return nmlp::CsrBatch{row_ptr.data, cols.data, values.data, rows, k, static_cast<i64>(nnz)};
}

}  // namespace

Napi::Value SparseMatmul(const Napi::CallbackInfo& info, const nmlp::KernelInfo& kernel) {
  Args args(info, "sparseMatmul", 8, "c, rowPtr, cols, values, b, rows, k, n");
  const i64 rows = args.dim(5, "rows");
  const i64 k = args.dim(6, "k");
  const i64 n = args.dim(7, "n");
  float* c = args.f32(0, "c", block(rows, n)).data;
  const nmlp::CsrBatch x = read_csr(args, 1, rows, k);
  const float* b = args.f32(4, "b", block(k, n)).data;
  guarded(args.env(), "sparseMatmul", [&] { nmlp::sparse_matmul(kernel, x, b, n, c); });
  return info.Env().Undefined();
}

Napi::Value SparseMatmulT(const Napi::CallbackInfo& info, const nmlp::KernelInfo& kernel) {
  Args args(info, "sparseMatmulT", 10, "c, rowPtr, cols, values, d, rows, k, n, alpha, beta");
  const i64 rows = args.dim(5, "rows");
  const i64 k = args.dim(6, "k");
  const i64 n = args.dim(7, "n");
  const double alpha = args.finite(8, "alpha");
  const double beta = args.finite(9, "beta");
  float* c = args.f32(0, "c", block(k, n)).data;
  const nmlp::CsrBatch x = read_csr(args, 1, rows, k);
  const float* d = args.f32(4, "d", block(rows, n)).data;
  guarded(args.env(), "sparseMatmulT", [&] { nmlp::sparse_matmul_t(kernel, x, d, n, alpha, beta, c); });
  return info.Env().Undefined();
}

namespace {

// gatherSparse's arguments, checked (binding.d.ts), as the kernel's call.
struct GatherCall {
  const nmlp::KernelInfo* kernel;
  float* values;
  std::int32_t* cols;
  std::int32_t* row_ptr;
  const std::uint8_t* images;
  std::uint64_t image_count;
  const std::uint32_t* index;
  i64 index_length, start, rows, features;

  i64 run() const {
    return nmlp::gather_sparse(*kernel, values, cols, row_ptr, images, image_count, index, index_length,
                               start, rows, features);
  }
};

GatherCall read_gather(const Args& args, const nmlp::KernelInfo& kernel) {
  napi_env env = args.env();
  const i64 start = args.dim(5, "start");
  const i64 rows = args.dim(6, "rows");
  const i64 features = args.dim(7, "features");
  const std::uint64_t worst = block(rows, features);
  if (worst > static_cast<std::uint64_t>(nmlp_args::kMaxDim)) {
    throw_range(env, "Expected rows * features to be at most 2147483647 (32-bit rowPtr) but it is " +
                         std::to_string(worst));
  }
  float* values = args.f32(0, "values", worst).data;
  std::int32_t* cols = args.i32(1, "cols", worst).data;
  std::int32_t* row_ptr = args.i32(2, "rowPtr", static_cast<std::uint64_t>(rows) + 1).data;
  const auto images = args.u8(3, "images", 0);
  const auto [index, count] =
      args.gather_index(4, start, rows, features, images.length, "whole images in images");
  return GatherCall{&kernel,     values, cols,       row_ptr,
                    images.data, count,  index.data, static_cast<i64>(index.length),
                    start,       rows,   features};
}

}  // namespace

Napi::Value GatherSparse(const Napi::CallbackInfo& info, const nmlp::KernelInfo& kernel) {
  Args args(info, "gatherSparse", 8, "values, cols, rowPtr, images, index, start, rows, features");
  const i64 nnz = read_gather(args, kernel).run();
  return Napi::Number::New(info.Env(), static_cast<double>(nnz));
}

Napi::Value StartGatherSparse(const Napi::CallbackInfo& info, const nmlp::KernelInfo& kernel,
                              GatherSlot& slot) {
  Args args(info, "startGatherSparse", 8, "values, cols, rowPtr, images, index, start, rows, features");
  const GatherCall call = read_gather(args, kernel);
  slot.start(info, args, 5, [call] { call.run(); });
  return info.Env().Undefined();
}

}  // namespace nmlp_binding
