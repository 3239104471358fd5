/**
 * The exports of wasm/native-mlp.wasm (native/wasm/wasm_entry.cc): the native kernels over byte
 * offsets into the module's linear memory. Which kernels the module exports is the kernel list's
 * (src/backend/kernels.ts, WASM_EXPORTS); this interface gives their signatures, and the compiler
 * checks that it names exactly those.
 */
export interface WasmExports {
  sgemm(ta: number, tb: number, m: number, n: number, k: number, alpha: number, a: number, lda: number,
    b: number, ldb: number, beta: number, c: number, ldc: number): void;
  biasRelu(h: number, u: number, bias: number, rows: number, cols: number): void;
  biasAdd(u: number, bias: number, rows: number, cols: number): void;
  softmaxXentGrad(du: number, logits: number, labels: number, rows: number, cols: number): number;
  mseGrad(du: number, pred: number, target: number, rows: number, cols: number): number;
  softmaxXentGradWeighted(du: number, logits: number, labels: number, weights: number, rows: number, cols: number): number;
  mseGradWeighted(du: number, pred: number, target: number, weights: number, rows: number, cols: number): number;
  reluBackward(dx: number, dy: number, u: number, n: number): void;
  biasAct(h: number, u: number, bias: number, rows: number, cols: number, act: number): void;
  actBackward(dx: number, dy: number, u: number, h: number, n: number, act: number): void;
  dropout(out: number, x: number, n: number, p: number, key0: number, key1: number): void;
  colSums(out: number, x: number, rows: number, cols: number): void;
  sgdUpdate(w: number, g: number, lr: number, n: number): void;
  gatherPixels(out: number, images: number, count: number, index: number, indexLength: number,
    start: number, rows: number, features: number): void;
  /** Returns the non-zero count. */
  gatherSparse(values: number, cols: number, rowPtr: number, images: number, count: number, index: number,
    indexLength: number, start: number, rows: number, features: number): number;
  /** Returns -1, or the position of the first column index outside [0, k) (then nothing is computed). */
  sparseMatmul(c: number, rowPtr: number, cols: number, values: number, b: number, rows: number, k: number, n: number,
    nnz: number): number;
  /** As sparseMatmul. */
  sparseMatmulT(c: number, rowPtr: number, cols: number, values: number, d: number, rows: number, k: number, n: number,
    nnz: number, alpha: number, beta: number): number;
  /** A 64-byte-aligned block of `bytes` (0 when memory cannot grow that far); thread-safe. */
  alloc(bytes: number): number;
  free(ptr: number): void;
  /** Points this instance's stack at [top - size, top) (worker instances). */
  nmlp_set_stack(top: number): void;
}

/** Linear memory limits in 64 KiB pages; keep in step with scripts/build-wasm.mjs. */
export const MEMORY_INITIAL_PAGES = 64;     // 4 MiB
export const MEMORY_MAXIMUM_PAGES = 32768;  // 2 GiB: every byte offset fits a positive i32
