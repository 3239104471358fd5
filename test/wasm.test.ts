/**
 * The WASM backend (wasm/native-mlp.wasm, the native kernels compiled to WebAssembly SIMD128):
 * it loads from the committed file, matches the TypeScript backend on every kernel whether the
 * arrays live in its memory (alloc) or are copied in per call, keeps documented aliasing, splits
 * sgemm over worker threads bit-identically, rejects hostile arguments before WASM sees them, and
 * is what `auto` falls back to without the native addon.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend/contract.js';
import { jsBackend } from '../src/backend/js/index.js';
import { availableBackends } from '../src/backend/select.js';
import { loadWasm, wasmPath } from '../src/backend/wasm/load.js';
import { wasmSplitCalls } from '../src/backend/wasm/threads.js';
import { randomF32 } from './backends.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const load = loadWasm();

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Largest |x - y| relative to the largest |y| (1 when y is all zeros). */
function relErr(x: Float32Array, y: Float32Array): number {
  let d = 0,
    s = 0;
  for (let i = 0; i < y.length; i++) {
    d = Math.max(d, Math.abs(x[i] - y[i]));
    s = Math.max(s, Math.abs(y[i]));
  }
  return d / Math.max(s, 1);
}

describe('WASM module', () => {
  it('loads from the committed wasm/native-mlp.wasm', () => {
    expect(load.error).toBeNull();
    expect(load.path).toBe(wasmPath());
    expect(existsSync(wasmPath())).toBe(true);
    expect(load.backend?.name).toBe('wasm');
    expect(load.backend?.isa()).toBe('wasm-simd128');
    expect(availableBackends().map((b) => b.name)).toContain('wasm');
  });

  const clang = spawnSync('clang', ['--version']).status === 0 && spawnSync('wasm-ld', ['--version']).status === 0;
  (clang ? it : it.skip)(
    `rebuilds byte for byte from native/ (npm run check:wasm)${clang ? '' : ' [skipped: no clang/wasm-ld]'}`,
    () => {
      const r = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    },
    300_000,
  );
});

describe('WASM kernels against the TypeScript backend', () => {
  const be = load.backend as Backend;
  // Each case runs twice: arrays from be.alloc (in place) and plain Float32Arrays (copied per call).
  const placements: Array<[string, (x: Float32Array) => Float32Array]> = [
    [
      'in WASM memory',
      (x) => {
        const y = be.alloc(x.length);
        y.set(x);
        return y;
      },
    ],
    ['copied per call', (x) => Float32Array.from(x)],
  ];

  for (const [where, place] of placements) {
    it(`sgemm, all transposes, padded strides, alpha/beta, NaN in C with beta = 0 (${where})`, () => {
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        for (const [m, n, k] of [
          [1, 1, 1],
          [5, 3, 300],
          [13, 17, 9],
          [33, 70, 257],
          [128, 10, 128],
        ]) {
          const aR = ta ? k : m,
            aC = ta ? m : k,
            bR = tb ? n : k,
            bC = tb ? k : n;
          const lda = aC + 3,
            ldb = bC + 1,
            ldc = n + 2;
          const a = randomF32(aR * lda, m + 1),
            b = randomF32(bR * ldb, n + 2);
          for (const [alpha, beta] of [
            [1, 0],
            [0.5, 1],
            [-0.1, 0.3],
            [0, 2],
          ]) {
            const c0 = randomF32(m * ldc, 7);
            if (beta === 0) c0.fill(NaN);
            const want = Float32Array.from(c0);
            jsBackend.sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc);
            const c = place(c0);
            be.sgemm(ta, tb, m, n, k, alpha, place(a), lda, place(b), ldb, beta, c, ldc);
            let err = 0,
              scale = 1;
            for (let i = 0; i < m; i++) {
              for (let j = 0; j < ldc && i * ldc + j < c.length; j++) {
                const at = i * ldc + j;
                // Padding columns untouched (NaN stays NaN); the block itself matches.
                if (j >= n) expect(Object.is(c[at], c0[at])).toBe(true);
                else {
                  err = Math.max(err, Math.abs(c[at] - want[at]));
                  scale = Math.max(scale, Math.abs(want[at]));
                }
              }
            }
            expect(err / scale, `${ta} ${tb} ${m}x${n}x${k} alpha ${alpha} beta ${beta}`).toBeLessThan(1e-5);
          }
        }
      }
    });

    it(`fused kernels (${where})`, () => {
      const rows = 37,
        cols = 10,
        n = rows * cols;
      const u = randomF32(n, 1),
        bias = randomF32(cols, 2),
        dy = randomF32(n, 3);
      const labels = Uint32Array.from({ length: rows }, (_, i) => (i * 7) % cols);

      const hJ = new Float32Array(n),
        uJ = Float32Array.from(u);
      jsBackend.biasRelu(hJ, uJ, bias, rows, cols);
      const h = place(new Float32Array(n)),
        uW = place(u);
      be.biasRelu(h, uW, place(bias), rows, cols);
      expect(relErr(h, hJ)).toBe(0);
      expect(relErr(uW, uJ)).toBe(0);

      const uJ2 = Float32Array.from(u),
        uW2 = place(u);
      jsBackend.biasAdd(uJ2, bias, rows, cols);
      be.biasAdd(uW2, place(bias), rows, cols);
      expect(relErr(uW2, uJ2)).toBe(0);

      const duJ = new Float32Array(n),
        du = place(new Float32Array(n));
      const lossJ = jsBackend.softmaxXentGrad(duJ, u, labels, rows, cols);
      const loss = be.softmaxXentGrad(du, place(u), labels, rows, cols);
      expect(Math.abs(loss - lossJ) / lossJ).toBeLessThan(1e-6);
      expect(relErr(du, duJ)).toBeLessThan(1e-6);

      const dxJ = new Float32Array(n),
        dx = place(new Float32Array(n));
      jsBackend.reluBackward(dxJ, dy, u, n);
      be.reluBackward(dx, place(dy), place(u), n);
      expect(relErr(dx, dxJ)).toBe(0);

      const sJ = new Float32Array(cols),
        s = place(new Float32Array(cols));
      jsBackend.colSums(sJ, u, rows, cols);
      be.colSums(s, place(u), rows, cols);
      expect(relErr(s, sJ)).toBe(0);

      const wJ = Float32Array.from(u),
        w = place(u);
      jsBackend.sgdUpdate(wJ, dy, 0.1, n);
      be.sgdUpdate(w, place(dy), 0.1, n);
      expect(relErr(w, wJ)).toBe(0);

      const features = 11,
        count = 9;
      const images = Uint8Array.from({ length: count * features }, (_, i) => (i * 37) % 256);
      const index = Uint32Array.from([8, 0, 3, 3, 7, 1]);
      const gJ = new Float32Array(4 * features),
        g = place(new Float32Array(4 * features));
      jsBackend.gatherPixels(gJ, images, index, 2, 4, features);
      be.gatherPixels(g, images, index, 2, 4, features);
      expect(relErr(g, gJ)).toBe(0);
    });

    it(`documented aliasing: h may be u, du may be logits, dx may be dy (${where})`, () => {
      const rows = 6,
        cols = 10,
        n = rows * cols;
      const u = randomF32(n, 4),
        bias = randomF32(cols, 5),
        labels = Uint32Array.from([1, 2, 3, 4, 5, 9]);
      const hJ = Float32Array.from(u);
      jsBackend.biasRelu(hJ, hJ, bias, rows, cols);
      const h = place(u);
      be.biasRelu(h, h, place(bias), rows, cols);
      expect(relErr(h, hJ)).toBe(0);
      const dJ = Float32Array.from(u);
      jsBackend.softmaxXentGrad(dJ, dJ, labels, rows, cols);
      const d = place(u);
      be.softmaxXentGrad(d, d, labels, rows, cols);
      expect(relErr(d, dJ)).toBeLessThan(1e-6);
      const xJ = Float32Array.from(u);
      jsBackend.reluBackward(xJ, xJ, randomF32(n, 6), n);
      const x = place(u);
      be.reluBackward(x, x, randomF32(n, 6), n);
      expect(relErr(x, xJ)).toBe(0);
    });
  }

  it('alloc: zeroed views into its memory, used in place; other arrays are not', () => {
    const a = be.alloc(1000);
    a.fill(3);
    const b = be.alloc(1000);
    expect(b.every((v) => v === 0)).toBe(true);
    expect(be.holds(a)).toBe(true);
    expect(be.holds(b.subarray(10, 20))).toBe(true);
    expect(be.holds(new Float32Array(4))).toBe(false);
    expect(be.holds(new Float32Array(new SharedArrayBuffer(16)))).toBe(false);
    expect(jsBackend.holds(new Float32Array(4))).toBe(true);
    expect(jsBackend.alloc(8).buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('alloc past the memory limit is a RangeError naming the size, not a crash', () => {
    expect(() => be.alloc(0x7fffffff)).toThrow(/Expected .* to fit in the WASM backend's memory/);
    expect(() => be.alloc(-1)).toThrow(RangeError);
    expect(() => be.alloc(1.5)).toThrow(/Expected n to be an integer/);
    expect(be.alloc(16).length).toBe(16); // still usable afterwards
  });

  it('hostile arguments are refused by the shared checks before WASM sees them', () => {
    const small = be.alloc(10),
      big = be.alloc(100);
    expect(() => be.sgemm(false, false, 10, 10, 10, 1, small, 10, big, 10, 0, big, 10)).toThrow(/Expected a to hold at least 100 elements/);
    expect(() => be.sgemm(false, false, 2, 2, 2, 1, big, 1, big, 2, 0, big, 2)).toThrow(/Expected lda >= 2/);
    expect(() => be.biasRelu(big, big, small, 10, 11)).toThrow(/Expected h to hold at least 110/);
    expect(() => be.softmaxXentGrad(big, big, Uint32Array.from([10]), 1, 10)).toThrow(/labels\[0\] is 10/);
    expect(() => be.gatherPixels(big, new Uint8Array(20), Uint32Array.from([2]), 0, 1, 10)).toThrow(/index\[0\] is 2/);
    expect(() => be.reluBackward(big, big, big, 2 ** 31)).toThrow(RangeError);
    expect(() => be.sgdUpdate(big, big, NaN, 1)).toThrow(/lr/);
    // A subarray of a WASM view is checked against its own length, not the memory's.
    expect(() => be.colSums(big.subarray(0, 5), big, 10, 10)).toThrow(/Expected out to hold at least 10/);
  });
});

describe('WASM worker threads', () => {
  const be = load.backend as Backend;
  afterAll(() => be.setThreads(1));

  it('split sgemm over 2 threads, bit-identical to 1 thread, on every transpose pair', async () => {
    const before = wasmSplitCalls();
    for (const [ta, tb, m, n, k] of [
      [false, false, 128, 128, 784],
      [true, false, 784, 128, 128],
      [false, true, 128, 784, 128],
      [false, false, 3, 700, 900],
    ] as const) {
      const aR = ta ? k : m,
        aC = ta ? m : k,
        bR = tb ? n : k,
        bC = tb ? k : n;
      const a = be.alloc(aR * aC),
        b = be.alloc(bR * bC);
      a.set(randomF32(a.length, 1));
      b.set(randomF32(b.length, 2));
      const one = be.alloc(m * n),
        two = be.alloc(m * n);
      be.setThreads(1);
      be.sgemm(ta, tb, m, n, k, 0.7, a, aC, b, bC, 0, one, n);
      expect(be.setThreads(2)).toBe(2);
      // Workers boot asynchronously; until they are up, calls run on the caller alone.
      for (let t = 0; t < 200 && wasmSplitCalls() === before; t++) {
        two.fill(NaN);
        be.sgemm(ta, tb, m, n, k, 0.7, a, aC, b, bC, 0, two, n);
        await new Promise((r) => setTimeout(r, 20));
      }
      two.fill(NaN);
      be.sgemm(ta, tb, m, n, k, 0.7, a, aC, b, bC, 0, two, n);
      expect(two).toEqual(one);
    }
    expect(wasmSplitCalls()).toBeGreaterThan(before);
  }, 60_000);
});

describe('selection', () => {
  it('auto without the native binary trains on WASM and says why, once', () => {
    const r = cli(['info', '--json'], { NATIVE_MLP_NATIVE_PATH: '/nonexistent/addon.node' });
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.backend).toBe('wasm');
    expect(info.isa).toBe('wasm-simd128');
    expect(info.fallbackReason).toMatch(/native backend unavailable \(.*nonexistent.*\); using the WASM backend/);
    expect(info.wasmPath).toMatch(/native-mlp\.wasm$/);
  });

  it('with NATIVE_MLP_WASM=0 too, auto falls back to TypeScript; --backend wasm fails loudly', () => {
    const env = { NATIVE_MLP_NATIVE_PATH: '/nonexistent/addon.node', NATIVE_MLP_WASM: '0' };
    expect(JSON.parse(cli(['info', '--json'], env).stdout).backend).toBe('js');
    const r = cli(['train', '--backend', 'wasm'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/The WASM backend is not available: disabled by NATIVE_MLP_WASM=0/);
  });

  it('info lists the native addon, the WASM module and js', () => {
    const r = cli(['info']);
    expect(r.stdout).toMatch(/^native addon: /m);
    expect(r.stdout).toMatch(/^wasm module: loaded from .*native-mlp\.wasm$/m);
    expect(r.stdout).toMatch(/^js: always available$/m);
  });
});
