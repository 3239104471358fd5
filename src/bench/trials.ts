/** What `native-mlp bench` measures, as data. */

export interface SgemmTrial {
  name: string;
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
}

/** The products of one training step of the 784-128-10 net at batch 128, and a large square. */
export const SGEMM_TRIALS: SgemmTrial[] = [
  { name: 'u1 = X W1        128x784 . 784x128', transA: false, transB: false, m: 128, n: 128, k: 784 },
  { name: 'gW1 = X^T du1    784x128 . 128x128', transA: true, transB: false, m: 784, n: 128, k: 128 },
  { name: 'u2 = h1 W2       128x128 . 128x10', transA: false, transB: false, m: 128, n: 10, k: 128 },
  { name: 'gW2 = h1^T du2   128x128 . 128x10', transA: true, transB: false, m: 128, n: 10, k: 128 },
  { name: 'dh1 = du2 W2^T   128x10 . 10x128', transA: false, transB: true, m: 128, n: 128, k: 10 },
  { name: 'square           1024x1024 . 1024x1024', transA: false, transB: false, m: 1024, n: 1024, k: 1024 },
];

/** Minimum seconds each timing runs for. */
export const MIN_SECONDS = 0.5;
