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
const KC = 256;
/** Rows of A packed at once: MC x KC float64 = 128 KiB, within L2. */
const MC = 64;
/** Columns of B packed at once: KC x NC float64 = 1 MiB, within L2/L3, reused across all of A's rows. */
const NC = 512;

// Packing buffers, allocated once and reused: nothing is allocated per call.
const packA = new Float64Array(MC * KC);
const packB = new Float64Array(KC * NC);

/** Scales the m x n block of C by beta; beta = 0 writes zeros without reading C. */
function scaleC(m: number, n: number, beta: number, c: Float32Array, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const row = i * ldc;
    if (beta === 0) c.fill(0, row, row + n);
    else for (let j = row; j < row + n; j++) c[j] *= beta;
  }
}

/**
 * Packs the mc x kc block of op(A) starting at (i0, p0) into MR-row micro-panels:
 * panel r holds, for each p, MR consecutive values alpha * op(A)[i0 + r*MR + t, p0 + p].
 * Rows past mc are zero so the kernel never needs an edge case in k.
 */
function packBlockA(transA: boolean, a: Float32Array, lda: number, i0: number, p0: number, mc: number, kc: number, alpha: number): void {
  // op(A)[i, p] = a[i*lda + p], or a[p*lda + i] when transposed.
  const rs = transA ? 1 : lda;
  const cs = transA ? lda : 1;
  let dst = 0;
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = Math.min(MR, mc - ir);
    for (let p = 0; p < kc; p++) {
      const base = (i0 + ir) * rs + (p0 + p) * cs;
      for (let t = 0; t < MR; t++) packA[dst++] = t < rows ? alpha * a[base + t * rs] : 0;
    }
  }
}

/** Packs the kc x nc block of op(B) at (p0, j0) into NR-column micro-panels, zero-padded. */
function packBlockB(transB: boolean, b: Float32Array, ldb: number, p0: number, j0: number, kc: number, nc: number): void {
  // op(B)[p, j] = b[p*ldb + j], or b[j*ldb + p] when transposed.
  const rs = transB ? 1 : ldb;
  const cs = transB ? ldb : 1;
  let dst = 0;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = Math.min(NR, nc - jr);
    for (let p = 0; p < kc; p++) {
      const base = (p0 + p) * rs + (j0 + jr) * cs;
      for (let t = 0; t < NR; t++) packB[dst++] = t < cols ? b[base + t * cs] : 0;
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
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let pa = aOff;
  let pb = bOff;
  for (let p = 0; p < kc; p++, pa += 4, pb += 4) {
    const a0 = A[pa], a1 = A[pa + 1], a2 = A[pa + 2], a3 = A[pa + 3];
    const b0 = B[pb], b1 = B[pb + 1], b2 = B[pb + 2], b3 = B[pb + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  if (rows === 4 && cols === 4) {
    let o = cOff;
    c[o] += c00; c[o + 1] += c01; c[o + 2] += c02; c[o + 3] += c03; o += ldc;
    c[o] += c10; c[o + 1] += c11; c[o + 2] += c12; c[o + 3] += c13; o += ldc;
    c[o] += c20; c[o + 1] += c21; c[o + 2] += c22; c[o + 3] += c23; o += ldc;
    c[o] += c30; c[o + 1] += c31; c[o + 2] += c32; c[o + 3] += c33;
    return;
  }
  const tile = edgeTile;
  tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03;
  tile[4] = c10; tile[5] = c11; tile[6] = c12; tile[7] = c13;
  tile[8] = c20; tile[9] = c21; tile[10] = c22; tile[11] = c23;
  tile[12] = c30; tile[13] = c31; tile[14] = c32; tile[15] = c33;
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < cols; t++) c[cOff + r * ldc + t] += tile[r * 4 + t];
  }
}
const edgeTile = new Float64Array(MR * NR);

/** The sgemm loop nest; arguments must already be checked (see checkSgemm). */
export function sgemmJs(
  transA: boolean, transB: boolean,
  m: number, n: number, k: number,
  alpha: number, a: Float32Array, lda: number,
  b: Float32Array, ldb: number,
  beta: number, c: Float32Array, ldc: number,
): void {
  if (m === 0 || n === 0) return;
  scaleC(m, n, beta, c, ldc);
  if (alpha === 0 || k === 0) return;
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = Math.min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = Math.min(KC, k - p0);
      packBlockB(transB, b, ldb, p0, j0, kc, nc);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = Math.min(MC, m - i0);
        packBlockA(transA, a, lda, i0, p0, mc, kc, alpha);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = Math.min(NR, nc - jr);
          const bOff = jr * kc;
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = Math.min(MR, mc - ir);
            microKernel(kc, ir * kc, bOff, c, ldc, (i0 + ir) * ldc + j0 + jr, rows, cols);
          }
        }
      }
    }
  }
}
