/**
 * serve's POST /train: retraining on the model's recorded data source in a worker, while 1,000
 * concurrent /predict requests keep being answered by the previous model; the swap only when the
 * new held-out score is not worse (or forced), the previous file kept as a versioned copy, the
 * architecture never changed; a model without a recorded source, or a disabled /train, refused.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../src/model/index.js';
import { createModel } from '../src/nn/init.js';
import { type RunningServer, startServer } from '../src/serve/index.js';
import { assertFreshDist } from './helpers/dist.js';

const dir = mkdtempSync(join(tmpdir(), 'native-mlp-serve-train-'));
const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const csv = fileURLToPath(new URL('./fixtures/breast-cancer.csv', import.meta.url));
const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

const JSON_TYPE = { 'content-type': 'application/json' };
async function post(base: string, path: string, body: unknown) {
  const r = await fetch(base + path, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** A recorded patience beyond the run keeps a long retraining from stopping early (tables stop on the training loss by default). */
function trainCsvModel(file: string, epochs: number): void {
  assertFreshDist();
  const r = spawnSync(
    process.execPath,
    [
      cli,
      'train',
      '--data',
      csv,
      '--target',
      'diagnosis',
      '--epochs',
      String(epochs),
      '--batch',
      '16',
      '--lr',
      '0.02',
      '--hidden',
      '8',
      '--early-stopping',
      '100000',
      '--save',
      file,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0) throw new Error(`train failed: ${r.stderr}`);
}

async function finished(base: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 1200; i++) {
    const t = (await (await fetch(base + '/train')).json()) as Record<string, unknown>;
    if (t.status !== 'training') return t;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('retraining did not finish within 60 s');
}

async function serve(file: string, allowTrain = true): Promise<string> {
  const s = await startServer({ model: file, port: 0, allowTrain });
  servers.push(s);
  return s.url;
}

describe('serve: POST /train', () => {
  it('retrains in a worker while 1,000 concurrent predictions are answered; a forced swap keeps the previous file', async () => {
    const file = join(dir, 'm.safetensors');
    trainCsvModel(file, 1);
    const before = readFileSync(file);
    const base = await serve(file);
    const row = Object.fromEntries((loadModel(file).featureNames as string[]).map((n) => [n, 1]));
    const started = await post(base, '/train', { epochs: 12000, force: true });
    expect(started.status).toBe(202);
    expect(started.body.status).toBe('training');
    const answered: number[] = [];
    const replies = await Promise.all(
      Array.from({ length: 1000 }, () =>
        post(base, '/predict', { rows: [row] }).then((r) => {
          answered.push(Date.now());
          return r;
        }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(1000).fill(200));
    const t = await finished(base);
    // The burst was answered while the worker trained, not after it.
    expect(answered.filter((ms) => ms < Date.parse(t.finished as string)).length).toBeGreaterThan(900);
    expect(t).toMatchObject({
      status: 'done',
      swapped: true,
      forced: true,
      metric: 'testAccuracy',
      previousFile: join(dir, 'm.v1.safetensors'),
    });
    expect(t.previous).toBe(Number(loadModel(join(dir, 'm.v1.safetensors')).metadata.testAccuracy));
    expect(typeof t.new).toBe('number');
    expect(readFileSync(join(dir, 'm.v1.safetensors'))).toEqual(before);
    const now = loadModel(file);
    expect(now.net.sizes).toEqual([30, 8, 2]);
    expect(now.metadata.testAccuracy).toBe(String(t.new));
    expect(JSON.parse(now.metadata.data_source)).toEqual(JSON.parse(loadModel(join(dir, 'm.v1.safetensors')).metadata.data_source));
    const m = (await (await fetch(base + '/model')).json()) as { version: number };
    expect(m.version).toBe(1);
    expect((await post(base, '/train', { epochs: 1 })).status).toBe(202); // the next run
    await finished(base);
  }, 180_000);

  it('never replaces a better model: a worse held-out score keeps the file and the model served', async () => {
    const file = join(dir, 'better.safetensors');
    trainCsvModel(file, 2);
    // The served model claims a perfect score, so no retraining can be better.
    const m = loadModel(file);
    saveModel(
      file,
      m.net,
      {
        ...Object.fromEntries(
          Object.entries(m.metadata).filter(
            ([k]) =>
              !['format', 'format_version', 'layers', 'activation', 'output', 'task', 'feature_names', 'class_names', 'pipeline'].includes(
                k,
              ),
          ),
        ),
        testAccuracy: '1',
      },
      m,
    );
    const before = readFileSync(file);
    const base = await serve(file);
    expect((await post(base, '/train', { epochs: 2 })).status).toBe(202);
    const t = await finished(base);
    expect(t).toMatchObject({ status: 'done', swapped: false, previous: 1 });
    expect(t.reason).toMatch(/not swapped: testAccuracy .* is worse than the served model's 1/);
    expect(readFileSync(file)).toEqual(before);
    expect(existsSync(join(dir, 'better.v1.safetensors'))).toBe(false);
    expect(((await (await fetch(base + '/model')).json()) as { version: number }).version).toBe(0);
  }, 120_000);

  it('refuses a model without a recorded data source, a second run at once, bad bodies, and a disabled /train', async () => {
    const bare = join(dir, 'bare.safetensors');
    saveModel(bare, createModel({ sizes: [4, 3, 2] }));
    const base = await serve(bare);
    const r = await post(base, '/train', {});
    expect(r.status).toBe(409);
    expect(r.body.error).toMatch(/does not record its data source/);
    for (const body of [{ epochs: 0 }, { epochs: 1.5 }, { epochs: '1' }, { lr: 1 }, { force: 'yes' }]) {
      expect((await post(base, '/train', body)).status, JSON.stringify(body)).toBe(400);
    }
    const file = join(dir, 'twice.safetensors');
    trainCsvModel(file, 1);
    const b2 = await serve(file);
    const [a, b] = await Promise.all([post(b2, '/train', { epochs: 200 }), post(b2, '/train', { epochs: 200 })]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    await finished(b2);
    const off = await serve(file, false);
    const d = await post(off, '/train', {});
    expect(d.status).toBe(403);
    expect(d.body.error).toMatch(/--allow-train/);
  }, 120_000);
});
