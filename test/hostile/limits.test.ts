/**
 * Hostile class: resource limits. Networks, workspaces and training runs are measured before
 * anything is allocated and refused beyond the budget (src/limits.ts: 2 GiB by default,
 * NATIVE_MLP_MAX_MEMORY_MB, the machine's free memory) with the number; thread counts are capped
 * (MAX_THREADS native, MAX_JS_THREADS for the TypeScript backend's workers). Capped children.
 */
import { describe, expect, it } from 'vitest';
import { HANG_MS, MAX_RSS_MB, runCapped } from '../helpers/capped.js';

describe('memory budgets, checked before allocation', () => {
  it('createModel, Workspace, train and trainInWorker refuse oversize networks with the number', () => {
    const run = runCapped(
      `
      const data = lib.dataSetFromArrays({ trainImages: new Uint8Array(4 * 784), trainLabels: new Uint8Array(4), testImages: new Uint8Array(784), testLabels: new Uint8Array(1), features: 784 });
      await check('hidden 1e6', () => lib.createModel({ sizes: [784, 1e6, 10] }));
      await check('2^20 x 2^20', () => lib.createModel({ sizes: [2 ** 20, 2 ** 20] }));
      await check('deep', () => lib.createModel({ sizes: [784, 30000, 30000, 10] }));
      await check('refused by the system', () => lib.createModel({ sizes: [784, 20000, 20000, 10] }));
      await check('new Mlp', () => new internal.Mlp([50000, 50000]));
      const net = new internal.Mlp([784, 4096, 10]);
      await check('workspace', () => new internal.Workspace(net, 1 << 20));
      await check('train hidden 1e6', () => lib.train(internal.jsBackend, data, { ...lib.NOTEBOOK_CONFIG, hidden: [1e6], epochs: 1 }));
      await check('worker hidden 1e6', () => lib.trainInWorker({ ...lib.NOTEBOOK_CONFIG, hidden: [1e6], epochs: 1 }, { data, backend: 'js' }));
      await check('fits', () => lib.createModel({ sizes: [784, 4096, 10] }).params.length);
    `,
      { timeoutMs: 30_000 },
    );
    expect(run.signal).toBeNull();
    expect(run.maxRssMb).toBeLessThan(MAX_RSS_MB);
    const r = (k: string) => run.results.get(k)!;
    expect(r('hidden 1e6').error?.message).toMatch(
      /^A network with layers 784-1000000-10 needs 3\.0 GiB, more than the limit of 2\.0 GiB \(set NATIVE_MLP_MAX_MEMORY_MB to change it\)/,
    );
    expect(r('2^20 x 2^20').error?.message).toMatch(/layers 1048576-1048576 needs 4096\.0 GiB/);
    expect(r('deep').error?.message).toMatch(/needs [\d.]+ GiB/);
    // Under the 2 GiB budget, but over this child's address-space cap: still a clear message.
    expect(r('refused by the system').error?.message).toMatch(
      /^Cannot allocate 1\.5 GiB of float32 storage: Array buffer allocation failed/,
    );
    expect(r('new Mlp').error?.message).toMatch(/needs 9\.3 GiB/);
    expect(r('workspace').error?.message).toMatch(/^The workspace for 1048576 rows of layers 784-4096-10 needs [\d.]+ GiB/);
    expect(r('train hidden 1e6').error?.message).toMatch(/784-1000000-10 needs 3\.0 GiB/);
    expect(r('worker hidden 1e6').error?.name).toBe('MemoryBudgetError');
    for (const k of ['hidden 1e6', '2^20 x 2^20', 'new Mlp', 'workspace', 'worker hidden 1e6']) {
      expect(r(k).error?.instance, k).toContain('UserError');
      expect(r(k).ms, k).toBeLessThan(HANG_MS);
    }
    expect(r('fits').value).toBe(784 * 4096 + 4096 + 4096 * 10 + 10);
  });

  it('NATIVE_MLP_MAX_MEMORY_MB lowers (or raises) the budget; a bad value is named', () => {
    const body = `await check('small', () => lib.createModel({ sizes: [784, 1000, 10] }).sizes);`;
    const low = runCapped(body, { env: { NATIVE_MLP_MAX_MEMORY_MB: '1' } });
    expect(low.results.get('small')!.error?.message).toMatch(/needs 3\.0 MiB, more than NATIVE_MLP_MAX_MEMORY_MB=1/);
    const bad = runCapped(body, { env: { NATIVE_MLP_MAX_MEMORY_MB: '0x10' } });
    expect(bad.results.get('small')!.error?.message).toMatch(
      /Expected NATIVE_MLP_MAX_MEMORY_MB to be a whole number of MiB >= 1 but received "0x10"/,
    );
    const fine = runCapped(body, { env: { NATIVE_MLP_MAX_MEMORY_MB: '100' } });
    expect(fine.results.get('small')!.value).toEqual([784, 1000, 10]);
  });
});

describe('thread caps', () => {
  it('the TypeScript backend starts at most 16 workers; the native pool at most 256 threads', () => {
    const run = runCapped(`
      await check('js 256', () => internal.jsBackend.setThreads(256));
      await check('js 17', () => internal.jsBackend.setThreads(17));
      await check('js 2', () => internal.jsBackend.setThreads(2));
      await check('js 1', () => internal.jsBackend.setThreads(1));
      const native = lib.availableBackends().find((b) => b.name === 'native');
      if (native) {
        await check('native 257', () => native.setThreads(257));
        await check('native 1e9', () => native.setThreads(1e9));
      }
    `);
    expect(run.maxRssMb).toBeLessThan(MAX_RSS_MB);
    expect(run.results.get('js 256')!.error?.message).toMatch(/Expected threads to be an integer in \[0, 16\]/);
    expect(run.results.get('js 17')!.error?.instance).toContain('RangeError');
    expect(run.results.get('js 2')!.value).toBe(2);
    if (run.results.has('native 257')) {
      expect(run.results.get('native 257')!.error?.instance).toContain('RangeError');
      expect(run.results.get('native 1e9')!.error?.instance).toContain('RangeError');
    }
  });
});
