/** The example server, started as a user would, on a loopback port. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataSet } from '../src/data/mnist.js';

const script = fileURLToPath(new URL('../examples/server.mjs', import.meta.url));

describe('examples/server.mjs', () => {
  let child: ChildProcess | undefined;
  afterAll(() => child?.kill());

  it('serves predictions, trains in the background while answering, then predicts with the new model', async () => {
    const model = join(mkdtempSync(join(tmpdir(), 'native-mlp-server-')), 'model.safetensors');
    child = spawn(process.execPath, [script, '--model', model, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const base = await new Promise<string>((resolve, reject) => {
      let text = '';
      child!.stdout!.on('data', (d) => {
        text += d;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
        if (m) resolve(m[1]);
      });
      child!.on('exit', (code) => reject(new Error(`server exited with ${code}: ${text}`)));
    });
    const json = async (path: string, body?: unknown) => {
      const r = await fetch(base + path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };

    expect((await json('/health')).body).toMatchObject({ ok: true, model: null });
    expect((await json('/predict', { images: [[0]] })).status).toBe(503);
    expect((await json('/train', { epochs: 0 })).status).toBe(400);
    expect((await json('/train', { epochs: 1 })).status).toBe(202);

    // While the worker trains, the server keeps answering.
    let answered = 0;
    for (;;) {
      const t = await json('/train');
      expect((await json('/health')).status).toBe(200);
      answered++;
      if (t.body.status === 'done') break;
      expect(t.body.status).toBe('training');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(answered).toBeGreaterThan(0);
    expect(existsSync(model)).toBe(true);

    const test = loadDataSet().test;
    const images = Array.from({ length: 50 }, (_, i) => Array.from(test.images.subarray(i * 784, (i + 1) * 784)));
    const p = await json('/predict', { images });
    expect(p.status).toBe(200);
    const labels = p.body.labels as number[];
    const correct = labels.filter((l, i) => l === test.labels[i]).length;
    expect(correct).toBeGreaterThanOrEqual(42);
    expect((p.body.probabilities as number[][])[0].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect((await json('/predict', { images: [[1, 2, 3]] })).status).toBe(400);
  }, 120_000);
});
