/**
 * The argument checks of the kernels every backend shares (withChecks in contract.ts runs them
 * before any kernel): each throws TypeError / RangeError naming the argument, what was expected
 * and what was received. The addon checks again in C++ (native/napi/args.h) for memory safety.
 */

export const MAX_DIM = 0x7fffffff;

/** A received value in a message: "null", "Float64Array(3)", "12.5", "string" (no user code runs). */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as { length: number }).length})`;
  if (typeof v === 'number') return String(v);
  return typeof v;
}

/** A size argument: an integer in [0, 2^31 - 1]. */
export function checkDim(name: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_DIM) {
    throw new RangeError(`Expected ${name} to be an integer in [0, ${MAX_DIM}] but received ${describe(v)}`);
  }
}

export function checkFinite(name: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new RangeError(`Expected ${name} to be a finite number but received ${describe(v)}`);
  }
}

export function checkF32(name: string, v: unknown, need: number): asserts v is Float32Array {
  if (!(v instanceof Float32Array)) {
    throw new TypeError(`Expected ${name} to be a Float32Array but received ${describe(v)}`);
  }
  if (v.length < need) {
    throw new RangeError(`Expected ${name} to hold at least ${need} elements but it holds ${v.length}`);
  }
}

/** Elements a rows x cols row-major block with leading dimension ld spans. */
export function extent(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
}

export function checkBool(name: string, v: unknown): asserts v is boolean {
  if (typeof v !== 'boolean') throw new TypeError(`Expected ${name} to be a boolean but received ${describe(v)}`);
}

/** Throws unless the first n elements of the named arrays are pairwise disjoint in memory. */
export function checkDisjoint(n: number, ...arrays: (readonly [string, Float32Array])[]): void {
  if (n === 0) return;
  for (let i = 0; i < arrays.length; i++) {
    for (let j = i + 1; j < arrays.length; j++) {
      const [an, a] = arrays[i];
      const [bn, b] = arrays[j];
      if (a.buffer !== b.buffer) continue;
      const a0 = a.byteOffset,
        b0 = b.byteOffset,
        bytes = 4 * n;
      if (a0 < b0 + bytes && b0 < a0 + bytes) {
        throw new RangeError(`Expected ${an} and ${bn} not to overlap (they share memory)`);
      }
    }
  }
}

/** Checks every sgemm argument; throws TypeError/RangeError naming the argument. */
export function checkSgemm(
  transA: unknown,
  transB: unknown,
  m: unknown,
  n: unknown,
  k: unknown,
  alpha: unknown,
  a: unknown,
  lda: unknown,
  b: unknown,
  ldb: unknown,
  beta: unknown,
  c: unknown,
  ldc: unknown,
): void {
  if (typeof transA !== 'boolean') throw new TypeError(`Expected transA to be a boolean but received ${describe(transA)}`);
  if (typeof transB !== 'boolean') throw new TypeError(`Expected transB to be a boolean but received ${describe(transB)}`);
  checkDim('m', m);
  checkDim('n', n);
  checkDim('k', k);
  checkDim('lda', lda);
  checkDim('ldb', ldb);
  checkDim('ldc', ldc);
  checkFinite('alpha', alpha);
  checkFinite('beta', beta);
  const [aRows, aCols] = transA ? [k, m] : [m, k];
  const [bRows, bCols] = transB ? [n, k] : [k, n];
  if (lda < Math.max(1, aCols)) throw new RangeError(`Expected lda >= ${Math.max(1, aCols)} (A is ${aRows}x${aCols}) but received ${lda}`);
  if (ldb < Math.max(1, bCols)) throw new RangeError(`Expected ldb >= ${Math.max(1, bCols)} (B is ${bRows}x${bCols}) but received ${ldb}`);
  if (ldc < Math.max(1, n)) throw new RangeError(`Expected ldc >= ${Math.max(1, n)} (C is ${m}x${n}) but received ${ldc}`);
  const readsAB = alpha !== 0 && k > 0 && m > 0 && n > 0;
  checkF32('a', a, readsAB ? extent(aRows, aCols, lda) : 0);
  checkF32('b', b, readsAB ? extent(bRows, bCols, ldb) : 0);
  checkF32('c', c, extent(m, n, ldc));
  if (readsAB) {
    checkNoOverlap('a', a, extent(aRows, aCols, lda), c, extent(m, n, ldc));
    checkNoOverlap('b', b, extent(bRows, bCols, ldb), c, extent(m, n, ldc));
  }
}

/**
 * sgemm's C may not share memory with A or B: C is written while A and B are still being read,
 * so an overlap gives a wrong product. Views on the same buffer are compared by the elements the
 * call touches (from each view's start to its last element used).
 */
export function checkNoOverlap(name: string, x: Float32Array, xLen: number, c: Float32Array, cLen: number): void {
  if (x.buffer !== c.buffer || xLen === 0 || cLen === 0) return;
  const x0 = x.byteOffset;
  const x1 = x0 + 4 * xLen;
  const c0 = c.byteOffset;
  const c1 = c0 + 4 * cLen;
  if (x0 < c1 && c0 < x1) {
    throw new RangeError(
      `Expected c not to overlap ${name} (sgemm's output must not alias an input) but c's bytes [${c0}, ${c1}) and ${name}'s [${x0}, ${x1}) share memory; write into a separate array`,
    );
  }
}

export function checkBlock(rows: unknown, cols: unknown): number {
  checkDim('rows', rows);
  checkDim('cols', cols);
  return rows * cols;
}

export function checkLabels(labels: unknown, rows: number, cols: number): asserts labels is Uint32Array {
  if (!(labels instanceof Uint32Array)) throw new TypeError(`Expected labels to be a Uint32Array but received ${describe(labels)}`);
  if (labels.length < rows) throw new RangeError(`Expected labels to hold at least ${rows} elements but it holds ${labels.length}`);
  for (let i = 0; i < rows; i++) {
    if (labels[i] >= cols) throw new RangeError(`Expected every label to be < ${cols} (the class count) but labels[${i}] is ${labels[i]}`);
  }
}

/** Checks gatherPixels arguments; every gathered index must name a whole image. */
export function checkGather(out: unknown, images: unknown, index: unknown, start: unknown, rows: unknown, features: unknown): void {
  checkDim('start', start);
  checkDim('rows', rows);
  checkDim('features', features);
  checkF32('out', out, rows * features);
  if (!(images instanceof Uint8Array)) throw new TypeError(`Expected images to be a Uint8Array but received ${describe(images)}`);
  checkIndex(index, start, rows, features === 0 ? null : Math.floor(images.length / features), 'whole images in images');
}

/** Checks gatherRows arguments; every gathered index must name a whole row of x. */
export function checkGatherRows(out: unknown, x: unknown, index: unknown, start: unknown, rows: unknown, features: unknown): void {
  checkDim('start', start);
  checkDim('rows', rows);
  checkDim('features', features);
  checkF32('out', out, rows * features);
  checkF32('x', x, 0);
  checkIndex(index, start, rows, features === 0 ? null : Math.floor(x.length / features), 'whole rows in x');
}

function checkIndex(index: unknown, start: number, rows: number, count: number | null, what: string): asserts index is Uint32Array {
  if (!(index instanceof Uint32Array)) throw new TypeError(`Expected index to be a Uint32Array but received ${describe(index)}`);
  if (index.length < start + rows) {
    throw new RangeError(`Expected index to hold at least ${start + rows} elements but it holds ${index.length}`);
  }
  if (count === null) return; // features = 0: nothing is read
  for (let r = start; r < start + rows; r++) {
    if (index[r] >= count) {
      throw new RangeError(`Expected every index to be < ${count} (${what}) but index[${r}] is ${index[r]}`);
    }
  }
}
