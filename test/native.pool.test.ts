/**
 * The native thread pool is one per process, shared by every addon instance: concurrent callers
 * in worker_threads (each with its own instance) must each get the single-thread result bit for
 * bit, whether they got the pool or ran alone while another held it. Runs once, at the ISA the
 * addon picks by itself (the pool does not depend on the ISA; sgemm-threads.test.ts runs the
 * pooled kernels at every ISA).
 */
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNative } from '../src/backend/native/load.js';
import { nativePath, nativePoolAlways } from './helpers/native.js';
import { call, prepare, type SgemmCase } from './helpers/sgemm-cases.js';
import { skipOrFail } from './helpers/skip-or-fail.js';
import { extent } from './helpers/storage.js';

const native = loadNative();
const path = nativePath();

if (!native.backend || !path) {
  skipOrFail('native thread pool', native.error?.message ?? 'not built');
} else {
  const be = native.backend;
  nativePoolAlways();
  describe(`native thread pool [native ${be.isa()}]`, { timeout: 120_000 }, () => {
    afterAll(() => {
      be.setThreads(1);
    });

    it('sgemm: concurrent callers in worker_threads (own addon instances, one shared pool)', async () => {
      // Results do not depend on the thread count (same blocking, same summation order). One more
      // worker keeps changing the thread count meanwhile.
      be.setThreads(1);
      const shapes: SgemmCase[] = [
        { ta: false, tb: false, m: 128, n: 128, k: 784, alpha: 1, beta: 0, shared: true },
        { ta: true, tb: false, m: 200, n: 96, k: 128, alpha: -0.5, beta: 0, shared: true },
        { ta: false, tb: true, m: 3, n: 700, k: 300, alpha: 1, beta: 0, shared: true },
      ];
      const jobs = shapes.map((cs) => {
        const p = prepare(cs);
        call(be, p);
        const want = Float32Array.from(p.c.view.subarray(0, extent(cs.m, cs.n, p.ldc)));
        return { ...cs, lda: p.lda, ldb: p.ldb, ldc: p.ldc, a: p.a.view, b: p.b.view, want };
      });
      be.setThreads(2);
      const source = `
        const { parentPort, workerData } = require('node:worker_threads');
        const addon = require(workerData.path);
        let bad = 0;
        if (workerData.toggler) {
          for (let i = 0; i < 300; i++) addon.setThreads(1 + (i % 2));
          addon.setThreads(2);
        } else {
          for (let r = 0; r < workerData.rounds; r++) {
            for (const j of workerData.jobs) {
              const c = new Float32Array(j.want.length).fill(NaN);
              addon.sgemm(j.ta, j.tb, j.m, j.n, j.k, j.alpha, j.a, j.lda, j.b, j.ldb, 0, c, j.ldc);
              for (let i = 0; i < c.length; i++) if (!Object.is(c[i], j.want[i])) { bad++; break; }
            }
          }
        }
        parentPort.postMessage(bad);
      `;
      const run = (toggler: boolean) =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(source, { eval: true, workerData: { path, jobs, rounds: 15, toggler } });
          w.once('message', resolve);
          w.once('error', reject);
          w.once('exit', (code) => {
            if (code !== 0) reject(new Error(`worker exited with ${code}`));
          });
        });
      const results = await Promise.all([run(false), run(false), run(false), run(true)]);
      expect(results).toEqual([0, 0, 0, 0]);
      // And the main thread still gets correct results afterwards.
      for (const j of jobs) {
        const c = new Float32Array(j.want.length).fill(NaN);
        be.sgemm(j.ta, j.tb, j.m, j.n, j.k, j.alpha, j.a, j.lda, j.b, j.ldb, 0, c, j.ldc);
        expect(c).toEqual(j.want);
      }
    });
  });
}
