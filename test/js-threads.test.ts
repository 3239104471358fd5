/**
 * The TypeScript backend on several threads: products split across worker threads over shared
 * memory must be bit-identical to the single-thread result, fall back for non-shared arrays,
 * fail loudly when a helper fails, and never keep the process alive.
 * Helpers run the compiled dist/ script: the file fails at once if dist/ is older than src/.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { __testing } from '../src/backend/js/threads.js';
import { jsBackend as be } from '../src/backend/js/index.js';
import { loadDataSet } from '../src/data/mnist.js';
import { NOTEBOOK_CONFIG, train } from '../src/train/train.js';
import { assertFreshDist } from './helpers/dist.js';
import { randomF32 } from './helpers/random.js';

assertFreshDist();

afterAll(() => {
  be.setThreads(1);
});

interface Shape {
  tA: boolean;
  tB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  pad: number;
}

/** Float32 views at an element offset inside one bigger buffer (shared unless told otherwise). */
function place(data: Float32Array, offset: number, shared = true): Float32Array {
  const bytes = 4 * (data.length + offset + 3);
  const buf = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const view = new Float32Array(buf, 4 * offset, data.length);
  view.set(data);
  return view;
}

interface Operands {
  a: Float32Array;
  b: Float32Array;
  c: Float32Array;
  lda: number;
  ldb: number;
  ldc: number;
}

function operands(t: Shape, seed: number, shared: [boolean, boolean, boolean] = [true, true, true]): Operands {
  const lda = (t.tA ? t.m : t.k) + t.pad;
  const ldb = (t.tB ? t.k : t.n) + t.pad;
  const ldc = t.n + t.pad;
  return {
    a: place(randomF32((t.tA ? t.k : t.m) * lda, seed), 3, shared[0]),
    b: place(randomF32((t.tB ? t.n : t.k) * ldb, seed + 1), 5, shared[1]),
    c: place(randomF32(t.m * ldc, seed + 2), 1, shared[2]),
    lda,
    ldb,
    ldc,
  };
}

function sgemm(t: Shape, o: Operands): void {
  be.sgemm(t.tA, t.tB, t.m, t.n, t.k, t.alpha, o.a, o.lda, o.b, o.ldb, t.beta, o.c, o.ldc);
}

function bytes(x: Float32Array): Buffer {
  return Buffer.from(x.buffer, x.byteOffset, x.byteLength);
}

/** C from one thread, then from `threads` threads on fresh copies of the same operands. */
function compare(
  t: Shape,
  threads: number,
  seed: number,
  shared?: [boolean, boolean, boolean],
): { one: Float32Array; many: Float32Array; pooled: number; helped: number } {
  be.setThreads(1);
  const o1 = operands(t, seed, shared);
  sgemm(t, o1);
  expect(be.setThreads(threads)).toBe(threads);
  // Helpers that are still loading would find every chunk taken by the caller.
  expect(__testing.waitUntilReady()).toBe(true);
  const before = __testing.pooledCalls();
  const helpedBefore = __testing.helperChunks();
  const o2 = operands(t, seed, shared);
  sgemm(t, o2);
  return { one: o1.c, many: o2.c, pooled: __testing.pooledCalls() - before, helped: __testing.helperChunks() - helpedBefore };
}

// Over 2^20 multiply-adds each, so they are split; row splits (m >= n) and column splits,
// edges that are not multiples of the 4 x 4 tiles, k over several 256-deep panels, n over
// several 512-wide panels, padded leading dimensions.
const SHAPES: Array<Omit<Shape, 'tA' | 'tB'>> = [
  { m: 131, n: 97, k: 203, alpha: 1, beta: 0, pad: 0 },
  { m: 37, n: 301, k: 150, alpha: 0.75, beta: 1, pad: 3 },
  { m: 259, n: 66, k: 600, alpha: -1.5, beta: 0.25, pad: 1 },
  { m: 21, n: 1030, k: 97, alpha: 2, beta: -0.5, pad: 0 },
  { m: 128, n: 128, k: 784, alpha: 1, beta: 0, pad: 0 },
  { m: 784, n: 128, k: 128, alpha: 1, beta: 0, pad: 0 },
];
const TRANSPOSES: Array<[boolean, boolean]> = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

describe('jsBackend on several threads', () => {
  afterEach(() => {
    be.setThreads(1);
  });

  for (const threads of [2, 3]) {
    for (const [tA, tB] of TRANSPOSES) {
      it(`${threads} threads, ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}: bit-identical to 1 thread over awkward shapes`, () => {
        let helped = 0;
        SHAPES.forEach((s, i) => {
          const t = { ...s, tA, tB };
          const r = compare(t, threads, 100 * i + threads);
          expect(r.pooled, `shape ${JSON.stringify(t)} was not split`).toBe(1);
          expect(bytes(r.many).equals(bytes(r.one)), `shape ${JSON.stringify(t)}`).toBe(true);
          helped += r.helped;
        });
        // Chunks go first-come, so a helper may miss one product, but not all of them.
        expect(helped).toBeGreaterThan(0);
      });
    }
  }

  it('views of one shared buffer at byte offsets, A and B in the same buffer', () => {
    const m = 150,
      n = 140,
      k = 90;
    const fill = (sab: SharedArrayBuffer) => {
      const all = new Float32Array(sab);
      all.set(randomF32(all.length, 7));
      return { a: new Float32Array(sab, 4 * 11, m * k), b: new Float32Array(sab, 4 * (11 + m * k + 2), k * n) };
    };
    const results: Float32Array[] = [];
    for (const threads of [1, 2, 3]) {
      be.setThreads(threads);
      __testing.waitUntilReady();
      const { a, b } = fill(new SharedArrayBuffer(4 * (m * k + k * n + 20)));
      const c = new Float32Array(new SharedArrayBuffer(4 * (m * n + 9)), 4 * 9, m * n);
      const before = __testing.pooledCalls();
      be.sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n);
      expect(__testing.pooledCalls() - before).toBe(threads > 1 ? 1 : 0);
      results.push(c);
    }
    expect(bytes(results[1]).equals(bytes(results[0]))).toBe(true);
    expect(bytes(results[2]).equals(bytes(results[0]))).toBe(true);
  });

  it('reuses known buffers across calls and keeps results identical', () => {
    const t: Shape = { tA: false, tB: false, m: 128, n: 128, k: 100, alpha: 1, beta: 1, pad: 0 };
    be.setThreads(1);
    const o1 = operands(t, 42);
    for (let i = 0; i < 5; i++) sgemm(t, o1);
    be.setThreads(2);
    const o2 = operands(t, 42);
    for (let i = 0; i < 5; i++) sgemm(t, o2);
    expect(__testing.pooledCalls()).toBe(5);
    expect(bytes(o2.c).equals(bytes(o1.c))).toBe(true);
  });

  it('arrays not on shared memory run on the calling thread, with the same result', () => {
    const t: Shape = { tA: true, tB: false, m: 200, n: 90, k: 120, alpha: 1, beta: 0.5, pad: 2 };
    const patterns: Array<[boolean, boolean, boolean]> = [
      [false, false, false],
      [true, true, false],
      [false, true, true],
      [true, false, true],
    ];
    patterns.forEach((shared, i) => {
      const { one, many, pooled } = compare(t, 2, 500 + i, shared);
      expect(pooled, `shared ${shared}`).toBe(0);
      expect(bytes(many).equals(bytes(one)), `shared ${shared}`).toBe(true);
    });
  });

  it('arrays on a growable SharedArrayBuffer run on the calling thread', () => {
    const m = 128,
      n = 128,
      k = 100;
    const grow = (x: Float32Array) => {
      // (The options argument is newer than the ES2022 lib typings.)
      const Growable = SharedArrayBuffer as unknown as new (bytes: number, o: { maxByteLength: number }) => SharedArrayBuffer;
      const sab = new Growable(4 * x.length, { maxByteLength: 8 * x.length });
      const v = new Float32Array(sab, 0, x.length);
      v.set(x);
      return v;
    };
    be.setThreads(1);
    const c1 = new Float32Array(m * n);
    be.sgemm(false, false, m, n, k, 1, randomF32(m * k, 1), k, randomF32(k * n, 2), n, 0, c1, n);
    be.setThreads(2);
    const c2 = grow(new Float32Array(m * n));
    be.sgemm(false, false, m, n, k, 1, grow(randomF32(m * k, 1)), k, grow(randomF32(k * n, 2)), n, 0, c2, n);
    expect(__testing.pooledCalls()).toBe(0);
    expect(bytes(c2).equals(bytes(c1))).toBe(true);
  });

  it('small products stay on the calling thread', () => {
    // The net's 128 x 10 products: 164K multiply-adds, under the 2^20 cut-off.
    const { one, many, pooled } = compare({ tA: true, tB: false, m: 128, n: 10, k: 128, alpha: 1, beta: 0, pad: 0 }, 2, 9);
    expect(pooled).toBe(0);
    expect(bytes(many).equals(bytes(one))).toBe(true);
  });

  it('setThreads validates its argument, names threads, and leaves the setting alone', () => {
    expect(be.getThreads()).toBe(1);
    expect(be.setThreads(2)).toBe(2);
    for (const bad of [-1, 17, 257, 1.5, NaN, Infinity, 1e9, '2', null, undefined]) {
      expect(() => be.setThreads(bad as number), String(bad)).toThrow(RangeError);
      expect(() => be.setThreads(bad as number), String(bad)).toThrow(/threads/);
      expect(be.getThreads()).toBe(2);
    }
    // (16, the maximum, is accepted too, but 15 helper isolates take seconds and memory.)
    expect(be.setThreads(4)).toBe(4);
    expect(be.getThreads()).toBe(4);
    expect(be.setThreads(0)).toBe(Math.min(16, availableParallelism()));
    expect(be.setThreads(1)).toBe(1);
    expect(be.getThreads()).toBe(1);
  });

  it('more threads than cores still give the single-thread result', () => {
    const { one, many, pooled } = compare({ tA: false, tB: true, m: 300, n: 64, k: 200, alpha: 1, beta: 0, pad: 0 }, 6, 11);
    expect(pooled).toBe(1);
    expect(bytes(many).equals(bytes(one))).toBe(true);
  });

  it('a helper that throws makes the call throw, and the pool keeps working', () => {
    be.setThreads(2);
    const t: Shape = { tA: false, tB: false, m: 128, n: 128, k: 100, alpha: 1, beta: 0, pad: 0 };
    const o = operands(t, 3);
    expect(() => __testing.failingSgemm('throw', t.m, t.n, t.k, o.a, o.b, o.c)).toThrow(/worker thread 1 failed: .*test failure requested/);
    const { one, many, pooled } = compare(t, 2, 3);
    expect(pooled).toBe(1);
    expect(bytes(many).equals(bytes(one))).toBe(true);
  });

  it('a helper that dies makes the call throw instead of hanging; setThreads restarts the pool', () => {
    be.setThreads(2);
    const t: Shape = { tA: false, tB: false, m: 128, n: 128, k: 100, alpha: 1, beta: 0, pad: 0 };
    const o = operands(t, 4);
    expect(() => __testing.failingSgemm('exit', t.m, t.n, t.k, o.a, o.b, o.c)).toThrow(/worker thread 1 .*died/);
    expect(() => sgemm(t, o)).toThrow(/setThreads/);
    expect(be.getThreads()).toBe(2);
    const { one, many, pooled } = compare(t, 2, 4);
    expect(pooled).toBe(1);
    expect(bytes(many).equals(bytes(one))).toBe(true);
  });

  it('helpers do not keep the process alive', () => {
    const url = new URL('../dist/backend/js/index.js', import.meta.url).href;
    const code = `
      import { jsBackend as be } from ${JSON.stringify(url)};
      if (be.setThreads(2) !== 2) throw new Error('setThreads(2) did not stick');
      const sh = (n) => new Float32Array(new SharedArrayBuffer(4 * n)).fill(0.5);
      const c = sh(128 * 128);
      be.sgemm(false, false, 128, 128, 784, 1, sh(128 * 784), 784, sh(784 * 128), 128, 0, c, 128);
      if (c[0] !== 196 || c[128 * 128 - 1] !== 196) throw new Error('wrong result ' + c[0]);
      console.log('done');
    `;
    const start = Date.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 20_000 });
    expect(r.error, 'the child did not exit on its own').toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('done');
    expect(Date.now() - start).toBeLessThan(15_000);
  }, 30_000);

  it('training on 2 threads gives the same parameters and the notebook accuracy', () => {
    const data = loadDataSet();
    // 40 batches on 1 and 2 threads: parameters bit-identical. Dense input: the sparse first layer
    // (the default on MNIST) leaves no product big enough to split.
    const partial = (threads: number) => {
      be.setThreads(threads);
      const stop = new AbortController();
      let batches = 0;
      // Dense inputs: the threaded sgemm is what this checks (MNIST would take the sparse path).
      const r = train(
        be,
        data,
        { ...NOTEBOOK_CONFIG, epochs: 1 },
        {
          input: 'dense',
          signal: stop.signal,
          onBatch: () => {
            if (++batches === 40) stop.abort();
          },
        },
      );
      return r.net.params;
    };
    const one = partial(1);
    const two = partial(2);
    expect(__testing.pooledCalls()).toBeGreaterThanOrEqual(80);
    expect(bytes(two).equals(bytes(one))).toBe(true);
    // A whole epoch on 2 threads: the notebook's first-epoch accuracy, exactly as on 1 thread.
    be.setThreads(2);
    const r = train(be, data, { ...NOTEBOOK_CONFIG, epochs: 1 }, { input: 'dense' });
    expect(r.epochs[0].trainAccuracy).toBe(0.9092);
  }, 120_000);
});
