// Products with a sparse input batch X (rows x k, compressed sparse rows), for a first layer whose
// inputs are mostly zero (MNIST: 81 % of pixels): u = X W and W (+)= alpha X^T dU cost in
// proportion to the non-zeros, not to rows x k.
//
// Format (CSR): the non-zeros of row i are t in [row_ptr[i], row_ptr[i + 1]), at column cols[t]
// with value values[t]; row_ptr[0] = 0 and row_ptr is non-decreasing. gather_sparse builds it
// with columns ascending within each row; then, on the same ISA, both products equal the dense
// sgemm bit for bit (same depth blocks, same summation order and arithmetic; the zeros a dense
// product multiplies add exactly nothing), except that a dense product also turns 0 * Inf or
// 0 * NaN in W into NaN.
#ifndef NATIVE_MLP_SPARSE_H
#define NATIVE_MLP_SPARSE_H

#include <cstdint>

#include "sgemm/kernels.h"

namespace nmlp {

struct CsrBatch {
  const std::int32_t* row_ptr;  // rows + 1 entries
  const std::int32_t* cols;     // row_ptr[rows] entries, each in [0, k)
  const float* values;          // row_ptr[rows] entries
  std::int64_t rows;
  std::int64_t k;    // columns of X
  std::int64_t nnz;  // row_ptr[rows] as the binding checked it: the kernels read no entry past it
};

// The position of the first of cols[0..nnz) outside [0, k), or -1: the column check both bindings
// (the addon's and the WASM entry's) run before a product. One branch-free pass (it vectorises),
// then a search only if there is a bad index.
std::int64_t first_bad_column(const std::int32_t* cols, std::int64_t nnz, std::int64_t k);

// Preconditions below are checked by the binding; nothing here re-validates.

// c (rows x n, leading dimension n) = X b, b is k x n (leading dimension n). c is not read.
// Threads: rows split between the pool's participants, by equal shares of non-zeros. Throws
// std::bad_alloc only.
void sparse_matmul(const KernelInfo& kernel, const CsrBatch& x, const float* b, std::int64_t n, float* c);

// c (k x n, leading dimension n) = alpha X^T d + beta c, d is rows x n (leading dimension n).
// beta == 0: c is written without being read. Threads: rows of c (columns of X) split as above;
// each participant also fills the transposed copy of X for its own columns (the column counts
// are made on the caller). Throws std::bad_alloc (growing the transposed copy of X on the first
// call of a larger batch).
void sparse_matmul_t(const KernelInfo& kernel, const CsrBatch& x, const float* d, std::int64_t n,
                     double alpha, double beta, float* c);

// Gathers images[index[start + r]] for r < rows into CSR: values = float(pixel) / 255 (NumPy's
// rounding) for the non-zero pixels, columns ascending; row_ptr gets rows + 1 entries. Returns
// the number of non-zeros. values and cols must hold rows * features elements (the worst case;
// the slack is scratch). Every index[start + r] must be < image_count (one that is not by the time
// it is read, changed by a racing thread, gives an empty row). Prefetches the next
// call's rows like gather_pixels. Compacts with the kernel's ISA (AVX2 on x86 with FMA).
std::int64_t gather_sparse(const KernelInfo& kernel, float* values, std::int32_t* cols, std::int32_t* row_ptr,
                           const std::uint8_t* images, std::uint64_t image_count, const std::uint32_t* index,
                           std::int64_t index_length, std::int64_t start, std::int64_t rows,
                           std::int64_t features);

}  // namespace nmlp

#endif
