/**
 * The sweep's training threads (src/sweep/pool.ts) on the native backend: once no training waits,
 * a thread left idle lends its core to the training still running (the native kernel setting is
 * process-wide, so this test reads it from its own thread), and the lent threads change no bit of
 * the model. And a queue worker's data: it keeps only the recent sweeps'.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNative } from '../src/backend/native/load.js';
import { loadCsvDataSet } from '../src/data/from-csv.js';
import type { DataSet } from '../src/data/dataset.js';
import { fileSha256, shareDataSet } from '../src/sweep/data.js';
import { TrainPool } from '../src/sweep/pool.js';
import type { QueuePayload } from '../src/sweep/queue.js';
import { DataCache } from '../src/sweep/queue-worker.js';
import type { UnitResult, UnitTask } from '../src/sweep/unit.js';
import { assertFreshDist } from './helpers/dist.js';
import { skipOrFail } from './helpers/skip-or-fail.js';

const native = loadNative();
const table = fileURLToPath(new URL('./fixtures/breast-cancer.csv', import.meta.url));

if (!native.backend) skipOrFail('sweep threads lending cores', native.error?.message ?? 'not built');
else {
  const be = native.backend;
  describe('sweep threads lending cores', { timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'nmlp-pool-'));
    let data: DataSet;
    const unit = (run: number, epochs: number): UnitTask => ({
      run,
      config: { hidden: [256], epochs, tol: 0, optimizer: 'adam' },
      validation: 0.2,
      checkpoint: join(dir, `${run}-${epochs}.ckpt`),
      model: join(dir, `${run}-${epochs}.safetensors`),
      data,
      checkpointSeconds: 30,
    });

    beforeAll(async () => {
      assertFreshDist();
      data = shareDataSet(await loadCsvDataSet(table, { target: 'diagnosis' }));
    });
    afterAll(() => be.setThreads(1));

    it('a thread with nothing left to train lends its core to the running one; the model is the same bits', async () => {
      be.setThreads(1);
      const pool = new TrainPool(2);
      const seen = new Set<number>();
      let shortDone = false;
      let long: UnitResult | undefined;
      const watch = setInterval(() => shortDone && !long && seen.add(be.getThreads()), 2);
      try {
        // Both threads up first (a busy machine may start one late), so the short run ends first.
        await Promise.all([pool.run(unit(3, 1)), pool.run(unit(4, 1))]);
        const longRun = pool.run(unit(0, 150)).then((r) => (long = r));
        const short = await pool.run(unit(1, 1));
        shortDone = true;
        expect(short.error).toBeUndefined();
        await longRun;
      } finally {
        clearInterval(watch);
        await pool.close();
      }
      expect(long!.error).toBeUndefined();
      expect(long!.epochs).toHaveLength(150);
      expect([...seen]).toContain(2);

      // The same training alone on one thread, never lent another.
      be.setThreads(1);
      const alone = new TrainPool(1);
      try {
        const r = await alone.run(unit(2, 150));
        expect(r.error).toBeUndefined();
      } finally {
        await alone.close();
      }
      expect(be.getThreads()).toBe(1);
      expect(readFileSync(join(dir, '2-150.safetensors'))).toEqual(readFileSync(join(dir, '0-150.safetensors')));
    });
  });
}

describe("a queue worker's data", () => {
  it('is read once per sweep, and only the recent sweeps are kept (a worker serving sweep after sweep)', async () => {
    const cache = new DataCache();
    const data = { location: table, sha256: await fileSha256(table), target: 'diagnosis' };
    // Each fold count is another sweep's data (its key: location, hash and folds).
    const job = (folds: number): QueuePayload => ({ job: { run: 0, fold: 0, config: {}, checkpoint: 'unused' }, data, folds });
    const first = await cache.get(job(2));
    expect(await cache.get(job(2))).toBe(first);
    const recent = [];
    for (const folds of [3, 4, 5, 6]) recent.push(await cache.get(job(folds)));
    expect(await cache.get(job(6))).toBe(recent[3]);
    expect(await cache.get(job(3))).toBe(recent[0]);
    const again = await cache.get(job(2)); // dropped when the fifth came: read again
    expect(again).not.toBe(first);
    expect(again.train.count).toBe(first.train.count);
  });
});
