// Element-wise and row-wise kernels of the MLP, in float32 like the NumPy reference.
// Preconditions (checked by the binding): every array holds the elements the kernel touches,
// labels[i] < cols for i < rows. Aliasing allowed where noted; otherwise arrays must not overlap.
// All single-threaded, no allocation.
#ifndef NATIVE_MLP_FUSED_H
#define NATIVE_MLP_FUSED_H

#include <cstdint>

namespace nmlp {

// The sum of a[0, n) in float32 in NumPy's pairwise order (numpy/_core/src/umath/loops_utils.h.src:
// 8 interleaved partial sums per block of up to 128, recursive halving above), so row sums round
// exactly as NumPy's expz.sum(axis=1) does.
float pairwise_sum(const float* a, std::int64_t n);

// u[i, j] += bias[j]; h[i, j] = u[i, j] > 0 ? u[i, j] : 0 (NaN gives 0, as the TypeScript
// backend). h may be u.
void bias_relu(float* h, float* u, const float* bias, std::int64_t rows, std::int64_t cols);

// u[i, j] += bias[j].
void bias_add(float* u, const float* bias, std::int64_t rows, std::int64_t cols);

// Per row: z = logits - max(logits); e = expf(z); s = sum(e) in float32 in NumPy's pairwise
// order; p = e / s; du = (p - onehot(label)) / rows, all float32. Returns the sum over rows of
// -log(max(p[label], 1e-30)) accumulated in double. du may be logits. rows > 0 needs cols > 0.
double softmax_xent_grad(float* du, const float* logits, const std::uint32_t* labels, std::int64_t rows,
                         std::int64_t cols);

// Regression head, squared error: du[i, j] = (pred[i, j] - target[i, j]) / rows, the gradient of
// the mean over rows of 0.5 * sum_j (pred - target)^2 (scikit-learn's squared loss, whose
// gradient is (pred - target) / n_samples, so the same lr means the same step). The difference
// and the division are float32; returns the summed 0.5 * d^2 over all rows and columns,
// accumulated in double (divide by rows for the mean). du may be pred.
double mse_grad(float* du, const float* pred, const float* target, std::int64_t rows, std::int64_t cols);

// dx[i] = u[i] > 0 ? dy[i] : 0. dx may be dy.
void relu_backward(float* dx, const float* dy, const float* u, std::int64_t n);

// out[j] = sum over i of x[i, j], adding rows in order in float32 (as NumPy's sum(axis=0)).
// Writes out[0, cols) even when rows == 0. out may overlap x (sums are staged in a local chunk).
void col_sums(float* out, const float* x, std::int64_t rows, std::int64_t cols);

// w[i] = w[i] - float(lr) * g[i] (two float32 roundings, no FMA, as NumPy's w -= lr * g).
void sgd_update(float* w, const float* g, double lr, std::int64_t n);

// out[r * features + p] = float(images[index[start + r] * features + p]) / 255.0f for r < rows:
// the batch gather of the training loop, with NumPy's float32 x / 255 rounding (one correctly
// rounded float division). Every index[start + r] must be < image_count (whole images); one that
// is not by the time it is read (a racing thread changed it) gives a row of zeros.
// Also prefetches the rows of index[start + rows, start + 2 * rows) for the next call.
void gather_pixels(float* out, const std::uint8_t* images, std::uint64_t image_count,
                   const std::uint32_t* index, std::int64_t index_length, std::int64_t start,
                   std::int64_t rows, std::int64_t features);

// out[r * features + p] = x[index[start + r] * features + p] for r < rows: the batch gather of
// float rows (CSV and caller data), a plain copy. Every index[start + r] must be < row_count (as
// gather_pixels: a row changed out of range meanwhile comes out zero).
// Prefetches the rows of the next call as gather_pixels does.
void gather_rows(float* out, const float* x, std::uint64_t row_count, const std::uint32_t* index,
                 std::int64_t index_length, std::int64_t start, std::int64_t rows, std::int64_t features);
// Asks the memory system for the images index[from, to) (clipped to index_length; indices past
// image_count skipped), so a later gather finds them in cache. In a shuffled epoch each image is a
// random row of a large array, so a gather waits on memory row by row. The image gathers ask for
// the next call's rows at their end, and, because those lines have mostly left the caches again
// by then (a training step moves about 1 MiB through a 512 KiB L2), also for their own rows a few
// ahead (prefetch_ahead), so reading one row overlaps the memory latency of the next few
// (measured: the MNIST sparse gather 116 -> 38 us per 128-row batch in training).
// Prefetches never fault.
void prefetch_images(const std::uint8_t* images, std::uint64_t image_count, const std::uint32_t* index,
                     std::int64_t index_length, std::int64_t from, std::int64_t to, std::int64_t features);
// Called by a gather of rows index[start, start + rows) before it reads row r: asks for the row six
// ahead of r (for r == 0, for the first seven rows).
void prefetch_ahead(const std::uint8_t* images, std::uint64_t image_count, const std::uint32_t* index,
                    std::int64_t index_length, std::int64_t start, std::int64_t rows, std::int64_t r,
                    std::int64_t features);

}  // namespace nmlp

#endif
