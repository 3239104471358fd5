/**
 * sgemm in TypeScript: C = alpha * op(A) * op(B) + beta * C, row-major, CBLAS semantics.
 *
 * Layers, as in BLIS: the front end (checks done by the caller, beta applied once, early exits),
 * a loop nest over KC x NC panels of B and MC x KC blocks of A, packing into zero-padded
 * micro-panels (transposes are handled here by strides, so the kernel sees one layout), and a
 * 4 x 4 register-blocked micro-kernel. Arithmetic is in float64 (JS numbers) and rounded once
 * into C, so results are at least as accurate as a float32 BLAS.
 */

/** Rows of op(A) per micro-panel: 4 x 4 accumulators + 8 operands fit V8's 16 FP registers. */
const MR = 4;
/** Columns of op(B) per micro-panel. */
const NR = 4;
/** Depth of a packed panel: a 4 x KC A sliver plus a KC x 4 B sliver stay within L1 (2 x 8 KiB). */
export const KC = 256;
/** Rows of A packed at once: MC x KC float64 = 128 KiB, within L2. */
const MC = 64;
/** Columns of B packed at once: KC x NC float64 = 1 MiB, within L2/L3, reused across all of A's rows. */
const NC = 512;

// Packing buffers, allocated once and reused: nothing is allocated per call.
// Each worker thread is its own module instance, so each has its own buffers.
const packA = new Float64Array(MC * KC);
const packB = new Float64Array(KC * NC);

/**
 * Granularity of a parallel split of C: row slices are whole MR micro-panels, column slices
 * whole NR micro-panels, so no thread computes a padded edge tile another thread also touches.
 * (Any split by rows or columns gives bit-identical results, since every element's k-loop is the
 * same; see sgemmJsRange.)
 */
export const SPLIT_ROWS = MR;
export const SPLIT_COLS = NR;

/**
 * Optional progress cell for the thread pool's watchdog: bumped once per MC x KC x NC block
 * (at most ~8M multiply-adds, a few milliseconds), so a waiting thread can tell slow from dead.
 */
let progress: Int32Array | null = null;
let progressIndex = 0;
export function setProgressCell(cells: Int32Array | null, index = 0): void {
  progress = cells;
  progressIndex = index;
}

/** Scales the m x n block of C by beta; beta = 0 writes zeros without reading C. */
function scaleC(m: number, n: number, beta: number, c: Float32Array, cOff: number, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const row = cOff + i * ldc;
    if (beta === 0) c.fill(0, row, row + n);
    else for (let j = row; j < row + n; j++) c[j] *= beta;
  }
}

/**
 * Packs the mc x kc block of op(A) starting at (i0, p0) into MR-row micro-panels:
 * panel r holds, for each p, MR consecutive values alpha * op(A)[i0 + r*MR + t, p0 + p].
 * Rows past mc are zero so the kernel never needs an edge case in k.
 */
function packBlockA(
  transA: boolean,
  a: Float32Array,
  aOff: number,
  lda: number,
  i0: number,
  p0: number,
  mc: number,
  kc: number,
  alpha: number,
): void {
  // op(A)[i, p] = a[i*lda + p], or a[p*lda + i] when transposed.
  const rs = transA ? 1 : lda;
  const cs = transA ? lda : 1;
  const A = packA;
  let dst = 0;
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = Math.min(MR, mc - ir);
    let src = aOff + (i0 + ir) * rs + p0 * cs;
    if (rows === MR) {
      // Whole micro-panel, unrolled for MR = 4: packing is a visible share of a thread's slice
      // (each thread packs all of op(B) for its rows), and this runs ~1.5x faster than the loop.
      const r1 = rs,
        r2 = 2 * rs,
        r3 = 3 * rs;
      for (let p = 0; p < kc; p++, src += cs, dst += MR) {
        A[dst] = alpha * a[src];
        A[dst + 1] = alpha * a[src + r1];
        A[dst + 2] = alpha * a[src + r2];
        A[dst + 3] = alpha * a[src + r3];
      }
    } else {
      for (let p = 0; p < kc; p++, src += cs) {
        for (let t = 0; t < MR; t++) A[dst++] = t < rows ? alpha * a[src + t * rs] : 0;
      }
    }
  }
}

/** Packs the kc x nc block of op(B) at (p0, j0) into NR-column micro-panels, zero-padded. */
function packBlockB(transB: boolean, b: Float32Array, bOff: number, ldb: number, p0: number, j0: number, kc: number, nc: number): void {
  // op(B)[p, j] = b[p*ldb + j], or b[j*ldb + p] when transposed.
  const rs = transB ? 1 : ldb;
  const cs = transB ? ldb : 1;
  const B = packB;
  let dst = 0;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = Math.min(NR, nc - jr);
    let src = bOff + p0 * rs + (j0 + jr) * cs;
    if (cols === NR) {
      // Whole micro-panel, unrolled for NR = 4 (see packBlockA).
      const c1 = cs,
        c2 = 2 * cs,
        c3 = 3 * cs;
      for (let p = 0; p < kc; p++, src += rs, dst += NR) {
        B[dst] = b[src];
        B[dst + 1] = b[src + c1];
        B[dst + 2] = b[src + c2];
        B[dst + 3] = b[src + c3];
      }
    } else {
      for (let p = 0; p < kc; p++, src += rs) {
        for (let t = 0; t < NR; t++) B[dst++] = t < cols ? b[src + t * cs] : 0;
      }
    }
  }
}

/**
 * C[i0.., j0..] += Apanel * Bpanel for one MR x NR tile over depth kc; rows/cols trim the
 * padded edge tiles so only real elements of C are touched.
 */
function microKernel(kc: number, aOff: number, bOff: number, c: Float32Array, ldc: number, cOff: number, rows: number, cols: number): void {
  const A = packA;
  const B = packB;
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  let pa = aOff;
  let pb = bOff;
  for (let p = 0; p < kc; p++, pa += 4, pb += 4) {
    const a0 = A[pa],
      a1 = A[pa + 1],
      a2 = A[pa + 2],
      a3 = A[pa + 3];
    const b0 = B[pb],
      b1 = B[pb + 1],
      b2 = B[pb + 2],
      b3 = B[pb + 3];
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
  }
  if (rows === 4 && cols === 4) {
    let o = cOff;
    c[o] += c00;
    c[o + 1] += c01;
    c[o + 2] += c02;
    c[o + 3] += c03;
    o += ldc;
    c[o] += c10;
    c[o + 1] += c11;
    c[o + 2] += c12;
    c[o + 3] += c13;
    o += ldc;
    c[o] += c20;
    c[o + 1] += c21;
    c[o + 2] += c22;
    c[o + 3] += c23;
    o += ldc;
    c[o] += c30;
    c[o + 1] += c31;
    c[o + 2] += c32;
    c[o + 3] += c33;
    return;
  }
  const tile = edgeTile;
  tile[0] = c00;
  tile[1] = c01;
  tile[2] = c02;
  tile[3] = c03;
  tile[4] = c10;
  tile[5] = c11;
  tile[6] = c12;
  tile[7] = c13;
  tile[8] = c20;
  tile[9] = c21;
  tile[10] = c22;
  tile[11] = c23;
  tile[12] = c30;
  tile[13] = c31;
  tile[14] = c32;
  tile[15] = c33;
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < cols; t++) c[cOff + r * ldc + t] += tile[r * 4 + t];
  }
}
const edgeTile = new Float64Array(MR * NR);

/** The sgemm loop nest; arguments must already be checked (see checkSgemm). */
export function sgemmJs(
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
): void {
  sgemmCore(transA, transB, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, c, 0, ldc);
}

/**
 * One slice of an sgemm: rows [lo, hi) of C (byRows) or columns [lo, hi) of C, with a, b and c
 * addressed from element offsets aOff, bOff, cOff (so a thread can use one view of a whole
 * shared buffer). Every element of the slice goes through exactly the operations sgemmJs would
 * apply to it: the same beta scaling, the same KC blocking of k, the same packed alpha * A
 * values and the same k order in the micro-kernel; only which thread runs them changes. So the
 * union of slices over any partition of C is bit-identical to one sgemmJs call.
 */
export function sgemmJsRange(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  aOff: number,
  lda: number,
  b: Float32Array,
  bOff: number,
  ldb: number,
  beta: number,
  c: Float32Array,
  cOff: number,
  ldc: number,
  byRows: boolean,
  lo: number,
  hi: number,
): void {
  if (hi <= lo) return;
  if (byRows) {
    // Row i of op(A) starts at a[i * lda] (or a[i] when transposed).
    sgemmCore(transA, transB, hi - lo, n, k, alpha, a, aOff + lo * (transA ? 1 : lda), lda, b, bOff, ldb, beta, c, cOff + lo * ldc, ldc);
  } else {
    // Column j of op(B) starts at b[j] (or b[j * ldb] when transposed).
    sgemmCore(transA, transB, m, hi - lo, k, alpha, a, aOff, lda, b, bOff + lo * (transB ? ldb : 1), ldb, beta, c, cOff + lo, ldc);
  }
}

function sgemmCore(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  aOff: number,
  lda: number,
  b: Float32Array,
  bOff: number,
  ldb: number,
  beta: number,
  c: Float32Array,
  cOff: number,
  ldc: number,
): void {
  if (m === 0 || n === 0) return;
  scaleC(m, n, beta, c, cOff, ldc);
  if (alpha === 0 || k === 0) return;
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = Math.min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = Math.min(KC, k - p0);
      packBlockB(transB, b, bOff, ldb, p0, j0, kc, nc);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = Math.min(MC, m - i0);
        if (progress !== null) progress[progressIndex]++;
        packBlockA(transA, a, aOff, lda, i0, p0, mc, kc, alpha);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = Math.min(NR, nc - jr);
          const bOffP = jr * kc;
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = Math.min(MR, mc - ir);
            microKernel(kc, ir * kc, bOffP, c, ldc, cOff + (i0 + ir) * ldc + j0 + jr, rows, cols);
          }
        }
      }
    }
  }
}
