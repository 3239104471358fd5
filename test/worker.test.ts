/** Training in a worker thread: same results, a responsive event loop, abort, concurrency. */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { loadNative } from '../src/backend/native/load.js';
import { jsBackend } from '../src/backend/js/index.js';
import { loadDataSet } from '../src/data/mnist.js';
import { NOTEBOOK_CONFIG, train } from '../src/train/train.js';
import { trainInWorker } from '../src/train/worker.js';
import { assertFreshDist } from './helpers/dist.js';
import { nativeRequired } from './helpers/skip-or-fail.js';

// Training workers run from dist/: fail here rather than test stale code.
assertFreshDist();

const ONE_EPOCH = { ...NOTEBOOK_CONFIG, epochs: 1 };
const nativeLoads = loadNative().backend !== null;

describe('trainInWorker', () => {
  it('streams the same events and returns the same network as training in-process', async () => {
    const events: string[] = [];
    let batches = 0;
    const r = await trainInWorker(ONE_EPOCH, {
      backend: 'js',
      onEvent: (e) => events.push(e.event),
      onBatch: () => batches++,
    });
    expect(events).toEqual(['start', 'epoch', 'test']);
    expect(batches).toBe(469);
    const local = train(jsBackend, loadDataSet(), ONE_EPOCH);
    expect(r.epochs[0].trainAccuracy).toBe(local.epochs[0].trainAccuracy);
    expect(Buffer.compare(Buffer.from(r.net.params.buffer), Buffer.from(local.net.params.buffer))).toBe(0);
  }, 120_000);

  it('keeps the event loop free while an epoch trains', async () => {
    // Timer callbacks run on this thread between the worker's batch messages: training in-process
    // would run none until the epoch ended. Counted, not timed.
    let batches = 0;
    let ticksAmidBatches = 0;
    const timer = setInterval(() => {
      if (batches > 0 && batches < 469) ticksAmidBatches++;
    }, 1);
    try {
      await trainInWorker(ONE_EPOCH, {
        backend: nativeLoads ? 'native' : 'js',
        onBatch: () => batches++,
      });
    } finally {
      clearInterval(timer);
    }
    expect(batches).toBe(469);
    expect(ticksAmidBatches).toBeGreaterThan(1);
  }, 120_000);

  it('stops within one batch of an abort and returns the model as of the last step', async () => {
    const ctrl = new AbortController();
    let seen = 0;
    const r = await trainInWorker(ONE_EPOCH, {
      backend: 'js',
      signal: ctrl.signal,
      onBatch: (p) => {
        seen = p.batch;
        if (p.batch === 20) ctrl.abort();
      },
    });
    expect(r.aborted).toBe(true);
    expect(r.test).toBeUndefined();
    expect(r.epochs).toHaveLength(0);
    // Progress messages already in flight may arrive after the abort, but the worker stops soon.
    expect(seen).toBeLessThan(469);
    expect(r.net.params.every(Number.isFinite)).toBe(true);
  }, 120_000);

  it('in-process, an abort stops after exactly the batch that saw it', () => {
    const ctrl = new AbortController();
    let batches = 0;
    const r = train(jsBackend, loadDataSet(), ONE_EPOCH, {
      signal: ctrl.signal,
      onBatch: (p) => {
        batches = p.batch;
        if (p.batch === 5) ctrl.abort();
      },
    });
    expect(r.aborted).toBe(true);
    expect(batches).toBe(5);
  });

  it('reports errors from the worker with their message', async () => {
    await expect(trainInWorker(ONE_EPOCH, { backend: 'js', data: '/nonexistent/folder' })).rejects.toThrow(/data folder not found/);
    await expect(trainInWorker({ ...ONE_EPOCH, lr: -1 }, { backend: 'js' })).rejects.toThrow(RangeError);
  }, 60_000);

  it.skipIf(!nativeLoads && !nativeRequired())(
    'two workers training at once on native both match the single-worker result',
    async () => {
      const single = await trainInWorker(ONE_EPOCH, { backend: 'native' });
      const [a, b] = await Promise.all([trainInWorker(ONE_EPOCH, { backend: 'native' }), trainInWorker(ONE_EPOCH, { backend: 'native' })]);
      for (const r of [a, b]) {
        expect(Buffer.compare(Buffer.from(r.net.params.buffer), Buffer.from(single.net.params.buffer))).toBe(0);
        expect(r.test?.testAccuracy).toBe(single.test?.testAccuracy);
      }
    },
    120_000,
  );

  it('terminating training workers mid-epoch leaks nothing', async () => {
    // Each worker reads MNIST (55 MB) and starts training; terminate() tears it down mid-epoch.
    const script = new URL('../dist/train/worker-main.js', import.meta.url);
    const runOnce = () =>
      new Promise<void>((resolve, reject) => {
        const stop = new Int32Array(new SharedArrayBuffer(4));
        const w = new Worker(script, { workerData: { config: ONE_EPOCH, backend: nativeLoads ? 'native' : 'js', stop } });
        let batches = 0;
        w.on('message', (m: { type: string }) => {
          if (m.type === 'batch' && ++batches === 10) void w.terminate();
        });
        w.on('error', reject);
        w.on('exit', () => (batches >= 10 ? resolve() : reject(new Error(`worker exited after ${batches} batches`))));
      });
    await runOnce();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 8; i++) await runOnce();
    const grownMB = (process.memoryUsage().rss - before) / 2 ** 20;
    // Eight leaked workers would hold at least 8 x 55 MB of images.
    console.log(`rss grew ${grownMB.toFixed(0)} MB over 8 terminated workers`);
    expect(grownMB).toBeLessThan(200);
  }, 120_000);
});
