/**
 * The native addon's exports, written by hand: the contract that native/binding.cc implements
 * and that src/backend/native.ts wraps. Every kernel works in place on caller-owned Float32Array
 * memory (views with byteOffset and SharedArrayBuffer-backed arrays included), copies nothing,
 * and allocates nothing per call. Every argument is checked before memory is touched: a bad call
 * throws TypeError (wrong type, missing argument, detached buffer) or RangeError (size, stride or
 * length out of range) whose message names the argument. Sizes are integers in [0, 2^31 - 1].
 */

/**
 * C = alpha * op(A) * op(B) + beta * C, CBLAS row-major semantics.
 * op(A) is m x k (A is m x k with lda >= k, or k x m with lda >= m when transA),
 * op(B) is k x n (B is k x n with ldb >= n, or n x k with ldb >= k when transB),
 * C is m x n with ldc >= n.
 * beta = 0: C is overwritten and never read (NaN in C does not leak).
 * alpha = 0 or k = 0: A and B are not read; C = beta * C.
 * Arrays must hold at least (rows - 1) * ld + cols elements when rows > 0.
 */
export function sgemm(
  transA: boolean, transB: boolean,
  m: number, n: number, k: number,
  alpha: number, a: Float32Array, lda: number,
  b: Float32Array, ldb: number,
  beta: number, c: Float32Array, ldc: number,
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
export function softmaxXentGrad(du: Float32Array, logits: Float32Array, labels: Uint8Array, rows: number, cols: number): number;

/** dx[i] = dy[i] where u[i] > 0, else 0, for i < n (the ReLU derivative). dx may be dy. */
export function reluBackward(dx: Float32Array, dy: Float32Array, u: Float32Array, n: number): void;

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
  out: Float32Array, images: Uint8Array, index: Uint32Array, start: number, rows: number, features: number,
): void;

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
 * depend on the thread count.
 */
export function momentumUpdate(
  w: Float32Array, g: Float32Array, velocity: Float32Array, n: number,
  lr: number, momentum: number, weightDecay: number, nesterov: boolean,
): void;

/**
 * torch.optim.Adam (decoupled = false: g' = g + weightDecay * w) or AdamW (decoupled = true:
 * w *= 1 - lr * weightDecay first), non-amsgrad, at step (>= 1, counting this update), over n
 * parameters: m = beta1 m + (1 - beta1) g'; v = beta2 v + (1 - beta2) g'^2;
 * w -= lr / (1 - beta1^step) * m / (sqrt(v) / sqrt(1 - beta2^step) + eps), in float32 per
 * element with the bias corrections in double. m and v start at zeros. Arrays must not overlap.
 * Threaded over the pool when n is large; results do not depend on the thread count.
 */
export function adamUpdate(
  w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, n: number,
  lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, decoupled: boolean, step: number,
): void;
