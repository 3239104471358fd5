/**
 * The native addon's exports, written by hand: the contract that native/napi/binding.cc implements
 * and that src/backend/native.ts wraps. Every kernel works in place on caller-owned Float32Array
 * memory (views with byteOffset and SharedArrayBuffer-backed arrays included), copies nothing,
 * and allocates nothing per call. Every argument is checked before memory is touched: a bad call
 * throws TypeError (wrong type, missing argument, detached buffer) or RangeError (size, stride or
 * length out of range) whose message names the argument. Sizes are integers in [0, 2^31 - 1].
 *
 * Floating point: every call computes with flush-to-zero and denormals-are-zero on (x86 MXCSR
 * FTZ|DAZ, arm64 FPCR FZ; the pool's threads always), so a subnormal float32 input is read as 0
 * and a subnormal result is written as 0; the calling thread's mode is restored on return. The
 * TypeScript and WASM backends keep subnormals, so kernels agree with them bit for bit only on
 * data without subnormals; the optimizer updates are the exception (their TypeScript twins
 * emulate the mode, and all flush their decaying state to +0 alike).
 */

/**
 * C = alpha * op(A) * op(B) + beta * C, CBLAS row-major semantics.
 * op(A) is m x k (A is m x k with lda >= k, or k x m with lda >= m when transA),
 * op(B) is k x n (B is k x n with ldb >= n, or n x k with ldb >= k when transB),
 * C is m x n with ldc >= n.
 * beta = 0: C is overwritten and never read (NaN in C does not leak).
 * alpha = 0 or k = 0: A and B are not read; C = beta * C.
 * Arrays must hold at least (rows - 1) * ld + cols elements when rows > 0.
 *
 * Aliasing: C must not share memory with A or B (C is written while they are read, so an overlap
 * would give a wrong product). When A and B are read (alpha != 0, m, n, k > 0) the elements each
 * call touches are compared by address and an overlap throws a RangeError naming the array; the
 * TypeScript backend applies the same rule (src/backend/contract.ts).
 */
export function sgemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  beta: number,
  c: Float32Array,
  ldc: number,
): void;

/** u[i, j] += bias[j]; h[i, j] = max(u[i, j], 0) for a rows x cols row-major block. h may be u. */
export function biasRelu(h: Float32Array, u: Float32Array, bias: Float32Array, rows: number, cols: number): void;

/** u[i, j] += bias[j] for a rows x cols row-major block (the output layer's logits). */
export function biasAdd(u: Float32Array, bias: Float32Array, rows: number, cols: number): void;

/**
 * Softmax + cross-entropy gradient over rows x cols logits with integer labels:
 * du[i, j] = (softmax(logits[i])[j] - (j == labels[i])) / rows.
 * Returns the summed cross-entropy loss of the rows (divide by rows for the mean).
 * Throws RangeError if a label is >= cols. du may be logits.
 */
export function softmaxXentGrad(du: Float32Array, logits: Float32Array, labels: Uint32Array, rows: number, cols: number): number;

/**
 * Regression head (squared error) over rows x cols predictions and targets:
 * du[i, j] = (pred[i, j] - target[i, j]) / rows (float32 difference, then float32 division).
 * Returns the summed 0.5 * (pred - target)^2 over every element, accumulated in double; divide by
 * rows for the mean. This is scikit-learn's squared loss (0.5 * squared error, gradient
 * (pred - target) / n_samples), so the same learning rate takes the same step. du may be pred.
 */
export function mseGrad(du: Float32Array, pred: Float32Array, target: Float32Array, rows: number, cols: number): number;

/**
 * Softmax + cross-entropy gradient with a weight per row (sample weight times class weight), the
 * gradient of sum_i w_i l_i / sum_i w_i (PyTorch's weighted mean): s = float32(sum of weights,
 * added in double); per row, e_j = float32(expd(float32(logits_j - max))) (expd: the activations'
 * libm-free exp; 0 below -104), sum = NumPy's pairwise float32 sum of e, p_j = float32(e_j / sum),
 * du[i, j] = float32(float32((p_j - onehot_j) * w_i) / s), or 0 when s is 0. Subnormal inputs are
 * read as 0 and subnormal results stored as 0, so every backend gives the same du bits. Returns
 * sum_i w_i * -log(max(p[label_i], 1e-30)) in double. RangeError for a weight that is NaN,
 * infinite or negative, or weights overlapping du. du may be logits.
 */
export function softmaxXentGradWeighted(
  du: Float32Array,
  logits: Float32Array,
  labels: Uint32Array,
  weights: Float32Array,
  rows: number,
  cols: number,
): number;

/**
 * Squared error with a weight per row: du[i, j] = float32(float32(d * w_i) / s), d =
 * float32(pred - target), s as softmaxXentGradWeighted's (du = 0 when s is 0); returns
 * sum_i w_i * 0.5 * sum_j d^2 in double. du may be pred.
 */
export function mseGradWeighted(
  du: Float32Array,
  pred: Float32Array,
  target: Float32Array,
  weights: Float32Array,
  rows: number,
  cols: number,
): number;

/** dx[i] = dy[i] where u[i] > 0, else 0, for i < n (the ReLU derivative). dx may be dy. */
export function reluBackward(dx: Float32Array, dy: Float32Array, u: Float32Array, n: number): void;

/**
 * u[i, j] += bias[j]; h[i, j] = act(u[i, j]) for a rows x cols row-major block, act the code of
 * an activation (src/backend/activation.ts: 0 relu, 1 leaky_relu (slope float32(0.01)), 2 tanh,
 * 3 sigmoid, 4 gelu (tanh approximation), 5 identity). tanh, sigmoid and gelu are computed in
 * float64 by the hand-written expressions of src/backend/js/activation.ts (no libm) and rounded to
 * float32 once, so every backend gives the same bits. h may be u; a partial overlap of h with u
 * or bias is a RangeError; act outside [0, 5] is a RangeError.
 */
export function biasAct(h: Float32Array, u: Float32Array, bias: Float32Array, rows: number, cols: number, act: number): void;

/**
 * dx[i] = dy[i] * act'(u[i]) for i < n, the derivative of biasAct's act: relu, leaky_relu by the
 * sign of u; tanh as float32(dy * (1 - h^2)) and sigmoid as float32(dy * h (1 - h)) in float64
 * from the forward output h; gelu as float32(dy * gelu'(u)) in float64; identity copies dy.
 * dx may be dy, u or h itself (not part of one).
 */
export function actBackward(dx: Float32Array, dy: Float32Array, u: Float32Array, h: Float32Array, n: number, act: number): void;

/**
 * Inverted dropout: out[i] = x[i] * m[i] for i < n, m[i] = float32(1 / (1 - p)) when element i is
 * kept, else 0; kept when fmix32(fmix32(key0 ^ (i * 0x9E3779B1)) ^ key1) >= floor(p * 2^32)
 * (MurmurHash3's 32-bit finalizer; src/backend/js/dropout.ts is the specification). Inputs and
 * results below the smallest normal float32 are zeros of their sign. p in [0, 1), key0 and key1
 * uint32 (else RangeError); out may be x itself (not part of it).
 */
export function dropout(out: Float32Array, x: Float32Array, n: number, p: number, key0: number, key1: number): void;

/** out[j] = sum over i of x[i, j] for a rows x cols row-major block (bias gradients). */
export function colSums(out: Float32Array, x: Float32Array, rows: number, cols: number): void;

/** w[i] -= lr * g[i] for i < n (plain SGD). */
export function sgdUpdate(w: Float32Array, g: Float32Array, lr: number, n: number): void;

/**
 * Gathers whole images into a float batch, scaled exactly as NumPy's astype(float32) / 255 rounds:
 * out[r * features + p] = images[index[start + r] * features + p] / 255 for r < rows, p < features.
 * Throws RangeError if index has fewer than start + rows elements or an index points past the
 * last whole image of `images`.
 */
export function gatherPixels(
  out: Float32Array,
  images: Uint8Array,
  index: Uint32Array,
  start: number,
  rows: number,
  features: number,
): void;

/**
 * Gathers whole float rows into a batch: out[r * features + p] = x[index[start + r] * features + p]
 * for r < rows, p < features (a copy; the float-feature twin of gatherPixels). Throws RangeError if
 * index has fewer than start + rows elements or an index points past the last whole row of x.
 */
export function gatherRows(out: Float32Array, x: Float32Array, index: Uint32Array, start: number, rows: number, features: number): void;

/**
 * The batch gather for sparse inputs: the non-zero pixels of images[index[start + r]] for
 * r < rows, as compressed sparse rows (CSR): the non-zeros of row r are t in
 * [rowPtr[r], rowPtr[r + 1]), at column cols[t] (ascending within a row) with value values[t] =
 * pixel / 255 rounded as gatherPixels rounds it. Returns the non-zero count (rowPtr[rows]).
 * values and cols must hold rows * features elements (the worst case; past the count they are
 * scratch); rowPtr rows + 1. rows * features must be at most 2^31 - 1. Index checks as gatherPixels.
 * Also prefetches the next batch's images (index[start + rows, start + 2 * rows)).
 */
export function gatherSparse(
  values: Float32Array,
  cols: Int32Array,
  rowPtr: Int32Array,
  images: Uint8Array,
  index: Uint32Array,
  start: number,
  rows: number,
  features: number,
): number;

/**
 * gatherSparse with the same arguments and checks, begun now and returning at once: the work runs
 * on the thread pool's first worker while JavaScript goes on (the next batch's gather during a
 * training step), when all five arrays live on SharedArrayBuffers (memory that cannot be
 * detached; the addon holds references to them until finishGather) and a worker can be had (a
 * thread setting of at least 2, the pool not in use by another JavaScript thread, the worker
 * awake: waking a sleeping one takes longer than the gather). Otherwise it gathers before
 * returning. Until finishGather returns, the outputs hold a gather in progress;
 * an index another thread changes meanwhile gives an empty row, never a read out of bounds. A
 * second call first waits for the gather still running. One gather per addon instance (thread).
 */
export function startGatherSparse(
  values: Float32Array,
  cols: Int32Array,
  rowPtr: Int32Array,
  images: Uint8Array,
  index: Uint32Array,
  start: number,
  rows: number,
  features: number,
): void;

/**
 * gatherPixels with the same arguments and checks, begun now: in the background on the same terms
 * as startGatherSparse (out, images and index on SharedArrayBuffers); an index changed out of
 * range meanwhile gives a row of zeros. Shares startGatherSparse's one gather per instance.
 */
export function startGatherPixels(
  out: Float32Array,
  images: Uint8Array,
  index: Uint32Array,
  start: number,
  rows: number,
  features: number,
): void;

/**
 * Returns once the gather begun last on this addon instance (startGatherSparse or
 * startGatherPixels), if any, is complete, and drops the references it held (after a sparse
 * gather, rowPtr[rows] is then the non-zero count).
 */
export function finishGather(): void;

/**
 * c (rows x n, row-major, ld n) = X b, for X (rows x k) in compressed sparse rows (as gatherSparse
 * makes them) and b (k x n, ld n). c is overwritten and never read. Costs in proportion to the
 * non-zeros. With columns ascending within each row, the result equals sgemm(false, false, rows,
 * n, k, 1, denseX, k, b, n, 0, c, n) on the same ISA bit for bit (same depth blocks and
 * summation order; skipped zeros add nothing), except where b holds Inf or NaN.
 * Checks: rowPtr holds rows + 1 entries, rowPtr[0] = 0, never decreasing; cols and values hold
 * rowPtr[rows]; every cols[t] in [0, k) (RangeError naming the first bad one); c holds rows * n,
 * b holds k * n. Split over the thread pool by rows. c must not overlap the inputs.
 */
export function sparseMatmul(
  c: Float32Array,
  rowPtr: Int32Array,
  cols: Int32Array,
  values: Float32Array,
  b: Float32Array,
  rows: number,
  k: number,
  n: number,
): void;

/**
 * c (k x n, ld n) = alpha X^T d + beta c, for X (rows x k) in compressed sparse rows and d
 * (rows x n, ld n): the first layer's weight gradient (alpha = 1, beta = 0) or its SGD update
 * folded in (alpha = -lr, beta = 1). beta = 0: c is not read. Equals sgemm(true, false, k, n,
 * rows, alpha, denseX, k, d, n, beta, c, n) bit for bit under the same conditions as
 * sparseMatmul. Checks as sparseMatmul; c holds k * n, d rows * n; alpha and beta finite.
 * Split over the thread pool by rows of c.
 */
export function sparseMatmulT(
  c: Float32Array,
  rowPtr: Int32Array,
  cols: Int32Array,
  values: Float32Array,
  d: Float32Array,
  rows: number,
  k: number,
  n: number,
  alpha: number,
  beta: number,
): void;

/**
 * The machine's fp32 FMA limit for the bench: GFLOP/s of independent FMA chains in registers
 * (this instance's ISA: 8 lanes on AVX2, 16 on AVX-512; multiply + add on generic) on `threads`
 * threads (1..256) running together for about `seconds` (0 < seconds <= 10). Not a kernel.
 */
export function fmaPeak(threads: number, seconds: number): number;

/**
 * Floats to skip from x[0] to the next 64-byte boundary (0..15). The backend's alloc uses it to
 * hand out arrays that start on a cache line, so that rows of 16k floats are whole cache lines.
 */
export function alignOffset(x: Float32Array): number;

/**
 * out = rng.permutation(out.length) for the PCG64 whose NumPy state is in `state` (10 uint32: the
 * 128-bit state and increment, 32 bits at a time from the lowest, then has_uint32 and uinteger),
 * advanced in place. RangeError for a state with an even increment or has_uint32 above 1.
 */
export function permutation(out: Uint32Array, state: Uint32Array): void;

/** Threads the kernels use; 1 runs on the calling thread. */
export function getThreads(): number;
/** Sets the thread count (1 .. 256); 0 means one per core. Returns the count now in force. */
export function setThreads(n: number): number;

/**
 * The micro-kernel this addon instance uses: "avx512", "avx2", "neon" or "generic". At load it is
 * the best one the CPU supports (see supportedIsas); setIsa lowers it.
 */
export function isa(): string;

/**
 * Caps this addon instance's micro-kernel at `name` ("avx512", "avx2", "neon" or "generic") and
 * returns the ISA now in force: the best one the CPU supports at or below the cap, never above
 * (no SIGILL); an ISA of another architecture (neon on x86-64, avx2 on arm64) gives "generic".
 * setIsa(supportedIsas()[0]) restores the default. Per instance (each worker_thread has its own);
 * takes effect from the next kernel call, so switching between calls is safe.
 * Throws TypeError if name is not a string, RangeError if it is none of the four names.
 * (TypeScript calls it with NATIVE_MLP_ISA when that is set.)
 */
export function setIsa(name: string): string;

/** Every ISA this CPU can run, best first; the last is always "generic". */
export function supportedIsas(): string[];

/**
 * The thread pool's policy, process-wide: "adaptive" (default) uses the pool only while it
 * measures faster per flop than the calling thread alone (a busy machine keeps calls on the
 * caller); "always" uses it for every call large enough to split (deterministic for tests and
 * benchmarks). Returns the policy now in force; RangeError for any other string.
 * (TypeScript calls it with NATIVE_MLP_POOL when that is set.)
 */
export function setPoolPolicy(policy: 'adaptive' | 'always'): 'adaptive' | 'always';

/**
 * torch.optim.SGD (no dampening) over n parameters laid out alike in w, g and velocity, in float32
 * per element: g' = g + weightDecay * w (when weightDecay != 0: L2); when momentum != 0,
 * velocity = momentum * velocity + g' and the step direction is g' + momentum * velocity
 * (nesterov) or velocity; w -= lr * direction. velocity starts at zeros (the first step then
 * stores g', as PyTorch's clone) and is not read when momentum == 0 (it may then be empty).
 * Arrays must not overlap (RangeError). Threaded over the pool when n is large; results do not
 * depend on the thread count. A velocity below the smallest normal float32 in magnitude is
 * stored as +0; with the flush-to-zero mode of every native call (above), which the TypeScript
 * twin emulates: the same bits as the TypeScript and WASM backends.
 */
export function momentumUpdate(
  w: Float32Array,
  g: Float32Array,
  velocity: Float32Array,
  n: number,
  lr: number,
  momentum: number,
  weightDecay: number,
  nesterov: boolean,
): void;

/**
 * torch.optim.Adam (decoupled = false: g' = g + weightDecay * w) or AdamW (decoupled = true:
 * w *= 1 - lr * weightDecay first), non-amsgrad, at step (>= 1, counting this update), over n
 * parameters: m = beta1 m + (1 - beta1) g'; v = beta2 v + (1 - beta2) g'^2;
 * w -= lr / (1 - beta1^step) * m / (sqrt(v) / sqrt(1 - beta2^step) + eps), in float32 per
 * element with the bias corrections in double. m and v start at zeros; an m or v below the
 * smallest normal float32 in magnitude is stored as +0 (and used as 0 in this step's w); with the
 * flush-to-zero mode, which the TypeScript twin emulates: the same bits as the TypeScript and WASM
 * backends. Arrays must not overlap.
 * Threaded over the pool when n is large; results do not depend on the thread count.
 */
export function adamUpdate(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  n: number,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  weightDecay: number,
  decoupled: boolean,
  step: number,
): void;
