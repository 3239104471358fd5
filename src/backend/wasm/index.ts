/**
 * The WASM backend: the native kernels compiled to WebAssembly SIMD128 (wasm/native-mlp.wasm),
 * behind the same TypeScript argument checks as the other backends (withChecks). Memory:
 * arrays from alloc() are views into the module's memory and are used in place; any other array
 * is copied in, and out if written, once per call (memory.ts). WASM cannot read or write outside
 * its memory whatever it is passed, and the checks have already bounded every extent.
 */
import { extent } from '../checks.js';
import { type Backend, type Kernels, withChecks } from '../contract.js';
import { adamUpdate as jsAdamUpdate, momentumUpdate as jsMomentumUpdate } from '../js/optim.js';
import { type Arg, trueLength, trueView, type WasmMemory } from './memory.js';
import { WasmThreads } from './threads.js';
import { gatherRows as jsGatherRows, permutation as jsPermutation } from '../js/index.js';
import { checkCsrColumns } from '../sparse-checks.js';

export function wasmBackend(mem: WasmMemory, shared: { module: WebAssembly.Module; memory: WebAssembly.Memory }): Backend {
  const ex = mem.exports;
  const threads = new WasmThreads(mem, shared.module);
  const f32 = (x: Float32Array, elements: number, write: boolean): Arg => ({ x, bytes: 4 * elements, write });
  // A compressed batch of `rows` rows and `nnz` non-zeros, read by the sparse products.
  const csr = (rowPtr: Int32Array, cols: Int32Array, values: Float32Array, rows: number, nnz: number): Arg[] => [
    { x: rowPtr, bytes: 4 * (rows + 1), write: false }, { x: cols, bytes: 4 * nnz, write: false }, f32(values, nnz, false),
  ];

  // Batch gather from pixels outside the memory: the batch's rows are copied into `stage`
  // (row r at r * features) and gathered from there through an identity index.
  let stage = 0, stageBytes = 0, ident = 0, identRows = 0;
  const stageRows = (images: Uint8Array, index: Uint32Array, start: number, rows: number, features: number) => {
    const bytes = rows * features;
    if (bytes > stageBytes) {
      const p = mem.block(Math.max(bytes, 1 << 16), 'a batch of pixels');
      if (stage !== 0) ex.free(stage);
      stage = p; stageBytes = Math.max(bytes, 1 << 16);
    }
    if (rows > identRows) {
      const p = mem.block(4 * rows, 'a batch index');
      if (ident !== 0) ex.free(ident);
      ident = p; identRows = rows;
      const view = new Uint32Array(mem.memory.buffer, ident, rows);
      for (let i = 0; i < rows; i++) view[i] = i;
    }
    const u8 = mem.u8;
    const img = trueView(images);  // the real extent: a subclass's subarray or length could lie
    const count = Math.floor(img.length / features);
    if (trueLength(index) < start + rows) throw new RangeError(`Expected index to hold at least ${start + rows} elements but it really holds ${trueLength(index)}`);
    for (let r = 0; r < rows; r++) {
      const row = index[start + r];
      if (row >= count) throw new RangeError(`Expected index[${start + r}] below ${count} (the images' real count) but received ${row}`);
      u8.set(new Uint8Array(img.buffer, img.byteOffset + row * features, features), stage + r * features);
    }
  };

  const kernels: Kernels = {
    sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
      const ta = transA ? 1 : 0, tb = transB ? 1 : 0;
      const run = (pa: number, pb: number, pc: number) => {
        if (!threads.sgemm(ta, tb, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc)) {
          ex.sgemm(ta, tb, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
      };
      const pa = mem.addr(a), pb = mem.addr(b), pc = mem.addr(c);
      if (pa >= 0 && pb >= 0 && pc >= 0) return run(pa, pb, pc);
      const reads = alpha !== 0 && k > 0 && m > 0 && n > 0;
      const ea = reads ? (transA ? extent(k, m, lda) : extent(m, k, lda)) : 0;
      const eb = reads ? (transB ? extent(n, k, ldb) : extent(k, n, ldb)) : 0;
      mem.call([f32(a, ea, false), f32(b, eb, false), f32(c, extent(m, n, ldc), true)], ([x, y, z]) => run(x, y, z));
    },
    biasRelu(h, u, bias, rows, cols) {
      const ph = mem.addr(h), pu = mem.addr(u), pb = mem.addr(bias);
      if (ph >= 0 && pu >= 0 && pb >= 0) return ex.biasRelu(ph, pu, pb, rows, cols);
      mem.call([f32(h, rows * cols, true), f32(u, rows * cols, true), f32(bias, cols, false)],
        ([x, y, z]) => ex.biasRelu(x, y, z, rows, cols));
    },
    biasAdd(u, bias, rows, cols) {
      const pu = mem.addr(u), pb = mem.addr(bias);
      if (pu >= 0 && pb >= 0) return ex.biasAdd(pu, pb, rows, cols);
      mem.call([f32(u, rows * cols, true), f32(bias, cols, false)], ([x, y]) => ex.biasAdd(x, y, rows, cols));
    },
    softmaxXentGrad(du, logits, labels, rows, cols) {
      // Labels are a caller's small per-batch array: copied in per call unless in the memory.
      return mem.call(
        [f32(du, rows * cols, true), f32(logits, rows * cols, false), { x: labels, bytes: rows * labels.BYTES_PER_ELEMENT, write: false }],
        ([x, y, z]) => ex.softmaxXentGrad(x, y, z, rows, cols),
      );
    },
    mseGrad(du, pred, target, rows, cols) {
      const pd = mem.addr(du), pp = mem.addr(pred), pt = mem.addr(target);
      if (pd >= 0 && pp >= 0 && pt >= 0) return ex.mseGrad(pd, pp, pt, rows, cols);
      return mem.call([f32(du, rows * cols, true), f32(pred, rows * cols, false), f32(target, rows * cols, false)],
        ([x, y, z]) => ex.mseGrad(x, y, z, rows, cols));
    },
    softmaxXentGradWeighted(du, logits, labels, weights, rows, cols) {
      return mem.call(
        [f32(du, rows * cols, true), f32(logits, rows * cols, false), { x: labels, bytes: 4 * rows, write: false }, f32(weights, rows, false)],
        ([x, y, z, w]) => ex.softmaxXentGradWeighted(x, y, z, w, rows, cols),
      );
    },
    mseGradWeighted(du, pred, target, weights, rows, cols) {
      return mem.call([f32(du, rows * cols, true), f32(pred, rows * cols, false), f32(target, rows * cols, false), f32(weights, rows, false)],
        ([x, y, z, w]) => ex.mseGradWeighted(x, y, z, w, rows, cols));
    },
    reluBackward(dx, dy, u, n) {
      const px = mem.addr(dx), py = mem.addr(dy), pu = mem.addr(u);
      if (px >= 0 && py >= 0 && pu >= 0) return ex.reluBackward(px, py, pu, n);
      mem.call([f32(dx, n, true), f32(dy, n, false), f32(u, n, false)], ([x, y, z]) => ex.reluBackward(x, y, z, n));
    },
    biasAct(h, u, bias, rows, cols, act) {
      const ph = mem.addr(h), pu = mem.addr(u), pb = mem.addr(bias);
      if (ph >= 0 && pu >= 0 && pb >= 0) return ex.biasAct(ph, pu, pb, rows, cols, act);
      mem.call([f32(h, rows * cols, true), f32(u, rows * cols, true), f32(bias, cols, false)],
        ([x, y, z]) => ex.biasAct(x, y, z, rows, cols, act));
    },
    actBackward(dx, dy, u, h, n, act) {
      const px = mem.addr(dx), py = mem.addr(dy), pu = mem.addr(u), ph = mem.addr(h);
      if (px >= 0 && py >= 0 && pu >= 0 && ph >= 0) return ex.actBackward(px, py, pu, ph, n, act);
      mem.call([f32(dx, n, true), f32(dy, n, false), f32(u, n, false), f32(h, n, false)],
        ([a, b, c, d]) => ex.actBackward(a, b, c, d, n, act));
    },
    dropout(out, x, n, p, key0, key1) {
      const po = mem.addr(out), px = mem.addr(x);
      if (po >= 0 && px >= 0) return ex.dropout(po, px, n, p, key0, key1);
      mem.call([f32(out, n, true), f32(x, n, false)], ([o, y]) => ex.dropout(o, y, n, p, key0, key1));
    },
    colSums(out, x, rows, cols) {
      const po = mem.addr(out), px = mem.addr(x);
      if (po >= 0 && px >= 0) return ex.colSums(po, px, rows, cols);
      mem.call([f32(out, cols, true), f32(x, rows * cols, false)], ([o, y]) => ex.colSums(o, y, rows, cols));
    },
    sgdUpdate(w, g, lr, n) {
      const pw = mem.addr(w), pg = mem.addr(g);
      if (pw >= 0 && pg >= 0) return ex.sgdUpdate(pw, pg, lr, n);
      mem.call([f32(w, n, true), f32(g, n, false)], ([x, y]) => ex.sgdUpdate(x, y, lr, n));
    },
    gatherPixels(out, images, index, start, rows, features) {
      if (rows === 0 || features === 0) return;
      const img = trueView(images);
      const count = Math.floor(img.length / features);
      // The window of the index the kernel reads: this batch's rows and the next batch's (prefetch).
      const iv = trueView(index);
      const end = Math.min(iv.length, start + 2 * rows);
      const win = new Uint32Array(iv.buffer, iv.byteOffset + 4 * Math.min(start, end), Math.max(0, end - start));
      const gather = (po: number, pimg: number, cnt: number, pidx: number, len: number) =>
        ex.gatherPixels(po, pimg, cnt, pidx, len, 0, rows, features);
      if (mem.holds(images)) {
        mem.call([f32(out, rows * features, true), { x: win, bytes: 4 * win.length, write: false }],
          ([po, pidx]) => gather(po, img.byteOffset, count, pidx, win.length));
        return;
      }
      // Pixels outside the memory (a data set's images): this batch's rows are copied in.
      stageRows(images, index, start, rows, features);
      mem.call([f32(out, rows * features, true)], ([po]) => gather(po, stage, rows, ident, rows));
    },
    gatherSparse(values, cols, rowPtr, images, index, start, rows, features) {
      rowPtr[0] = 0;
      if (rows === 0) return 0;
      const worst = rows * features;
      const out = [f32(values, worst, true), { x: cols, bytes: 4 * worst, write: true }, { x: rowPtr, bytes: 4 * (rows + 1), write: true }];
      if (mem.holds(images)) {
        const img = trueView(images);
        const count = Math.floor(img.length / features);
        const iv = trueView(index);
        const end = Math.min(iv.length, start + 2 * rows);  // this batch's rows and the next's (prefetch)
        const win = new Uint32Array(iv.buffer, iv.byteOffset + 4 * Math.min(start, end), Math.max(0, end - start));
        return mem.call([...out, { x: win, bytes: 4 * win.length, write: false }],
          ([pv, pc, pr, pidx]) => ex.gatherSparse(pv, pc, pr, img.byteOffset, count, pidx, win.length, 0, rows, features));
      }
      stageRows(images, index, start, rows, features);
      return mem.call(out, ([pv, pc, pr]) => ex.gatherSparse(pv, pc, pr, stage, rows, ident, rows, 0, rows, features));
    },
    sparseMatmul(c, rowPtr, cols, values, b, rows, k, n) {
      const nnz = rowPtr[rows];
      const bad = mem.call([f32(c, rows * n, true), ...csr(rowPtr, cols, values, rows, nnz), f32(b, k * n, false)],
        ([pc, pr, pcols, pv, pb]) => ex.sparseMatmul(pc, pr, pcols, pv, pb, rows, k, n, nnz));
      if (bad >= 0) checkCsrColumns(cols, nnz, k);  // throws the shared message for cols[bad]
    },
    sparseMatmulT(c, rowPtr, cols, values, d, rows, k, n, alpha, beta) {
      const nnz = rowPtr[rows];
      const bad = mem.call([f32(c, k * n, true), ...csr(rowPtr, cols, values, rows, nnz), f32(d, rows * n, false)],
        ([pc, pr, pcols, pv, pd]) => ex.sparseMatmulT(pc, pr, pcols, pv, pd, rows, k, n, nnz, alpha, beta));
      if (bad >= 0) checkCsrColumns(cols, nnz, k);
    },
    // Float rows: a copy per row (TypedArray.set), as the TypeScript twin; the batch lands in the
    // module's memory when `out` is a view of it (the training workspace).
    gatherRows: jsGatherRows,
    // The epoch order: the TypeScript generator (the WASM build has no 128-bit integers).
    permutation: jsPermutation,
    // Optimizer updates: the TypeScript twins, in place on the arrays (views of this memory, as
    // Backend.alloc gives them); same bits as the other backends. (optim.cc is not in the WASM build yet.)
    momentumUpdate: jsMomentumUpdate,
    adamUpdate: jsAdamUpdate,
    getThreads: () => threads.count,
    setThreads: (n) => threads.set(n),
    isa: () => 'wasm-simd128',
    alloc: (n) => mem.alloc(n),
    holds: (x) => mem.holds(x),
  };
  return withChecks('wasm', kernels);
}
