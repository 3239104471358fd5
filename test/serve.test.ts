/**
 * `native-mlp serve` (src/serve/): predictions by column name through the model's pipeline with
 * class names, the encoded-features and pixel forms, GET /model, /healthz, /metrics, and bad
 * requests answered with 400/413 naming the field while the server keeps serving. Retraining is in
 * serve.train.test.ts, the browser and token guards in serve.hostile.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { predictRows } from '../src/infer/predict.js';
import { loadModel, saveModel } from '../src/model/index.js';
import { createModel } from '../src/nn/init.js';
import { type RunningServer, startServer } from '../src/serve/index.js';
import { assertFreshDist } from './helpers/dist.js';

const dir = mkdtempSync(join(tmpdir(), 'native-mlp-serve-'));
const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const csv = fileURLToPath(new URL('./fixtures/breast-cancer.csv', import.meta.url));
const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

async function post(base: string, path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const r = await fetch(base + path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** A classification model trained by the CLI on breast-cancer.csv (so it records its data source). */
function trainCsvModel(file: string, extra: string[] = []): void {
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
      '3',
      '--batch',
      '32',
      '--lr',
      '0.05',
      '--hidden',
      '8',
      '--save',
      file,
      ...extra,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0) throw new Error(`train failed: ${r.stderr}`);
}

describe('serve: a table model', () => {
  const file = join(dir, 'cancer.safetensors');
  let base = '';
  let names: string[] = [];
  const backend = selectBackend();
  beforeAll(async () => {
    trainCsvModel(file);
    const s = await startServer({ model: file, port: 0 });
    servers.push(s);
    base = s.url;
    names = loadModel(file).featureNames as string[];
  }, 120_000);

  const rowOf = (values: number[]) => Object.fromEntries(names.map((n, j) => [n, values[j]]));

  it("answers rows by column name with class names and every class's probability, as predictRows does", async () => {
    const rows = [rowOf(names.map((_, j) => 10 + j)), rowOf(names.map((_, j) => 0.1 * j))];
    const r = await post(base, '/predict', { rows });
    expect(r.status).toBe(200);
    const ours = predictRows(backend, loadModel(file), rows);
    if (ours.task !== 'classify') throw new Error('expected a classifier');
    const preds = r.body.predictions as { label: string; probabilities: Record<string, number> }[];
    expect(preds.map((p) => p.label)).toEqual(ours.labels);
    expect(Object.keys(preds[0].probabilities).sort()).toEqual(['benign', 'malignant']);
    const classNames = loadModel(file).classNames!;
    preds.forEach((p, i) => classNames.forEach((c, k) => expect(p.probabilities[c]).toBe(ours.probabilities[i * 2 + k])));
  });

  it('takes the encoded features as "inputs", standardised by the model', async () => {
    const values = names.map((_, j) => 3 + j);
    const a = await post(base, '/predict', { inputs: [values] });
    const b = await post(base, '/predict', { rows: [rowOf(values)] });
    expect(a.status).toBe(200);
    expect(a.body).toEqual(b.body);
  });

  it('refuses unknown columns, wrong types, wrong shapes and too many rows with 400 naming the field', async () => {
    const row = rowOf(names.map(() => 1));
    const cases: [unknown, RegExp][] = [
      [{ rows: [{ ...row, 'mean radiuss': 3 }] }, /rows\[0\]: unknown column "mean radiuss" \(columns: mean radius, /],
      [{ rows: [row, { ...row, 'mean radius': [1] }] }, /rows\[1\]\.mean radius: expected number, string or null/],
      [{ rows: [row, { ...row, 'mean radius': 'abc' }] }, /row 2.*"mean radius".*"abc"/],
      [{ inputs: [[1, 2, 3]] }, /inputs\[0\] must NOT have fewer than 30 items/],
      [{ rows: [] }, /rows must NOT have fewer than 1 items/],
      [{ rows: Array(10_001).fill({}) }, /rows must NOT have more than 10000 items/],
      [{ rows: [row], inputs: [] }, /exactly one of "inputs" or "rows"/],
      [{}, /exactly one of/],
      [{ images: [] }, /unknown field "images" \(expected inputs or rows\)/],
      [[row], /body must be a JSON object/],
      ['{"rows": [', /body is not valid JSON/],
    ];
    for (const [body, pattern] of cases) {
      const r = await post(base, '/predict', body);
      expect(r.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(r.body.error, JSON.stringify(body).slice(0, 60)).toMatch(pattern);
    }
  });

  it('an absent key or null is a missing cell, imputed as the pipeline says (as predictRows with null)', async () => {
    const full = rowOf(names.map((_, j) => 2 + j));
    const { [names[2]]: _, ...partial } = full;
    const r = await post(base, '/predict', { rows: [partial, { ...full, [names[2]]: null }] });
    expect(r.status).toBe(200);
    const ours = predictRows(backend, loadModel(file), [{ ...full, [names[2]]: null }]);
    if (ours.task !== 'classify') throw new Error('expected a classifier');
    const preds = r.body.predictions as { label: string }[];
    expect(preds.map((p) => p.label)).toEqual([ours.labels[0], ours.labels[0]]);
  });

  it('a model from before pipelines has no fill: a row missing a column is refused naming it', async () => {
    const old = join(dir, 'old.safetensors');
    saveModel(old, createModel({ sizes: [3, 4, 2] }), {}, { featureNames: ['a', 'b', 'c'], classNames: ['no', 'yes'] });
    const s = await startServer({ model: old, port: 0 });
    servers.push(s);
    const ok = await post(s.url, '/predict', { rows: [{ a: 1, b: 2, c: 3 }] });
    expect(ok.status).toBe(200);
    const r = await post(s.url, '/predict', { rows: [{ a: 1, c: 3 }] });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/row 1.*"b".*missing/);
  });

  it('refuses a 10 MB body with 413 and keeps serving', async () => {
    const big = JSON.stringify({ inputs: Array(200_000).fill(names.map(() => 1.5)) });
    expect(big.length).toBeGreaterThan(10_000_000);
    const r = await fetch(base + '/predict', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big }).catch(
      () => undefined,
    );
    if (r) expect(r.status).toBe(413);
    expect((await fetch(base + '/healthz')).status).toBe(200);
  });

  it('GET /model describes the model; /healthz answers; /metrics counts requests in Prometheus format', async () => {
    const m = (await (await fetch(base + '/model')).json()) as Record<string, unknown>;
    expect(m).toMatchObject({ task: 'classify', classes: ['benign', 'malignant'], layers: [30, 8, 2], activation: 'relu' });
    expect((m.metrics as Record<string, number>).testAccuracy).toBeGreaterThan(0.5);
    expect(m.training).toMatchObject({ epochs: 3, seed: 0, train_config: { hidden: [8], lr: 0.05 } });
    expect(m.training).not.toHaveProperty('data_source');
    expect(await (await fetch(base + '/healthz')).json()).toEqual({ ok: true });
    const text = await (await fetch(base + '/metrics')).text();
    expect(text).toMatch(/^native_mlp_requests_total\{route="\/predict",method="POST",code="200"\} [1-9]/m);
    expect(text).toMatch(/^native_mlp_request_errors_total\{route="\/predict",method="POST",code="400"\} [1-9]/m);
    expect(text).toMatch(/^native_mlp_request_duration_seconds_bucket\{route="\/predict",le="\+Inf"\} [1-9]/m);
    expect(text).toMatch(/^native_mlp_predicted_rows_total [1-9]/m);
  });
});

describe('serve: an image model', () => {
  it('takes raw pixel values 0-255 as "inputs" and answers class indices', async () => {
    const file = join(dir, 'pixels.safetensors');
    saveModel(file, createModel({ sizes: [784, 8, 10] }));
    const s = await startServer({ model: file, port: 0 });
    servers.push(s);
    const r = await post(s.url, '/predict', { inputs: [Array(784).fill(7), Array(784).fill(200)] });
    expect(r.status).toBe(200);
    const preds = r.body.predictions as { label: number; probabilities: Record<string, number> }[];
    expect(preds).toHaveLength(2);
    expect(Object.keys(preds[0].probabilities)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(typeof preds[0].label).toBe('number');
    for (const bad of [Array(784).fill(256), Array(784).fill(0.5), Array(783).fill(0)]) {
      expect((await post(s.url, '/predict', { inputs: [bad] })).status).toBe(400);
    }
    expect((await post(s.url, '/predict', { rows: [{}] })).body.error).toMatch(/unknown field "rows"/);
  });
});
