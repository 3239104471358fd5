#!/usr/bin/env node
/**
 * Inference latency and throughput (issue 23), for BENCHMARKS.md; not part of the tests:
 *   1. in-process predictRows on 1 row and on 1,000 rows, against onnxruntime-node running the
 *      exported ONNX graph (pipeline included) on the same rows;
 *   2. `serve`: POST /predict with one row, requests per second and p50/p99 latency under
 *      autocannon (loopback, a fixed number of connections and seconds).
 * Results are checked before they are timed: ONNX Runtime's labels must equal predictRows'.
 *
 *   npm run build:ts && node src/bench/serve_onnx.mjs [--model M.safetensors] [--duration 10] [--connections 10] [--json]
 * Without --model it trains a small classifier on test/fixtures/breast-cancer.csv first.
 * Needs the devDependencies onnxruntime-node and autocannon.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { fit, loadModel, predictRows, saveModel, saveOnnx, selectBackend, startServer } from '../../dist/index.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
  },
});
const say = (line) => process.stderr.write(`bench: ${line}\n`);
const [{ default: autocannon }, ort] = await Promise.all([import('autocannon'), import('onnxruntime-node')]);

const dir = mkdtempSync(join(os.tmpdir(), 'native-mlp-bench-serve-'));
let modelFile = values.model;
if (!modelFile) {
  const csv = fileURLToPath(new URL('../../test/fixtures/breast-cancer.csv', import.meta.url));
  say(`training a classifier on ${csv}`);
  const { net, model } = await fit(csv, { target: 'diagnosis', hidden: [32], epochs: 20, batch: 32, lr: 0.05 });
  modelFile = join(dir, 'model.safetensors');
  saveModel(modelFile, net, {}, model);
}
const model = loadModel(modelFile);
const backend = selectBackend();
const onnxFile = join(dir, 'model.onnx');
saveOnnx(onnxFile, model);
const session = await ort.InferenceSession.create(onnxFile);

/** `count` rows by column name (raw cells), deterministic. */
function rowsOf(count) {
  const columns = model.pipeline?.columns ?? (model.featureNames ?? []).map((name) => ({ name, type: 'numeric' }));
  if (columns.length === 0) throw new Error('the bench needs a model with named columns (a table model)');
  return Array.from({ length: count }, (_, i) =>
    Object.fromEntries(
      columns.map((c, j) => {
        const x = Math.sin(i * 7 + j) * 2;
        if (c.type === 'categorical') return [c.name, c.categories[(i + j) % c.categories.length]];
        if (c.type === 'boolean') return [c.name, (i + j) % 2 ? 'true' : 'false'];
        if (c.type === 'date') return [c.name, new Date(Date.UTC(2020, 0, 1 + ((i * 13 + j) % 700))).toISOString().slice(0, 10)];
        return [c.name, Math.abs(x) * 10];
      }),
    ),
  );
}

/** The ONNX feeds for rows by column name: one [N, 1] tensor per column. */
function feedsOf(rows) {
  const columns = model.pipeline?.columns ?? model.featureNames.map((name) => ({ name, type: 'numeric' }));
  if (!model.pipeline) {
    const x = Float32Array.from(rows.flatMap((r) => columns.map((c) => r[c.name])));
    return { input: new ort.Tensor('float32', x, [rows.length, columns.length]) };
  }
  return Object.fromEntries(
    columns.map((c) => {
      const cells = rows.map((r) => r[c.name]);
      if (c.type === 'numeric')
        return [
          c.name,
          new ort.Tensor(
            'float32',
            Float32Array.from(cells, (v) => (v == null ? NaN : Number(v))),
            [rows.length, 1],
          ),
        ];
      if (c.type === 'date')
        return [
          c.name,
          new ort.Tensor(
            'float64',
            Float64Array.from(cells, (v) => (v == null ? NaN : Date.parse(v) / 1000)),
            [rows.length, 1],
          ),
        ];
      return [
        c.name,
        new ort.Tensor(
          'string',
          cells.map((v) => (v == null ? '' : String(v))),
          [rows.length, 1],
        ),
      ];
    }),
  );
}

/** Median and p99 of `reps` timed calls (ms), after `warm` untimed ones. */
async function time(fn, reps, warm = Math.ceil(reps / 10)) {
  for (let i = 0; i < warm; i++) await fn();
  const t = [];
  for (let i = 0; i < reps; i++) {
    const s = process.hrtime.bigint();
    await fn();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  t.sort((a, b) => a - b);
  return { medianMs: t[Math.floor(reps / 2)], p99Ms: t[Math.min(reps - 1, Math.floor(reps * 0.99))], reps };
}

const results = {
  machine: {
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    backend: backend.name,
    load: os.loadavg(),
  },
  model: modelFile,
  layers: model.net.sizes,
  inProcess: [],
  serve: null,
};
for (const count of [1, 1000]) {
  const rows = rowsOf(count);
  const feeds = feedsOf(rows);
  // Check before timing: the same labels from both.
  const ours = predictRows(backend, model, rows);
  const theirs = await session.run(feeds);
  const labels = Array.from(theirs.label?.data ?? [], (v) => (typeof v === 'bigint' ? Number(v) : v));
  if (ours.task === 'classify' && JSON.stringify(labels) !== JSON.stringify(ours.labels))
    throw new Error(`${count} rows: ONNX Runtime's labels differ from predictRows'; not timing`);
  const reps = count === 1 ? 2000 : 100;
  say(`timing ${count} row(s)`);
  results.inProcess.push({
    rows: count,
    predictRows: await time(() => predictRows(backend, model, rows), reps),
    onnxruntime: await time(() => session.run(feeds), reps),
  });
}

const server = await startServer({ model: modelFile, port: 0 });
const body = JSON.stringify({ rows: rowsOf(1) });
const check = await fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
if (check.status !== 200) throw new Error(`serve answered ${check.status}: ${await check.text()}`);
say(`autocannon: ${values.connections} connections for ${values.duration} s on ${server.url}/predict`);
const ac = await autocannon({
  url: `${server.url}/predict`,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body,
  connections: Number(values.connections),
  duration: Number(values.duration),
});
await server.close();
results.serve = {
  connections: Number(values.connections),
  seconds: Number(values.duration),
  requestsPerSecond: ac.requests.average,
  latencyMs: { p50: ac.latency.p50, p99: ac.latency.p99, mean: ac.latency.mean },
  non2xx: ac.non2xx,
  errors: ac.errors,
};

if (values.json) console.log(JSON.stringify(results));
else {
  console.log(
    `machine: ${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.machine.node}, backend ${results.machine.backend}, load ${results.machine.load.map((l) => l.toFixed(1)).join(' ')}`,
  );
  console.log(`model: layers ${results.layers.join('-')}`);
  console.log('rows   predictRows median / p99 (ms)   onnxruntime-node median / p99 (ms)');
  for (const r of results.inProcess) {
    console.log(
      `${String(r.rows).padStart(4)}   ${r.predictRows.medianMs.toFixed(4)} / ${r.predictRows.p99Ms.toFixed(4)}`.padEnd(40) +
        `${r.onnxruntime.medianMs.toFixed(4)} / ${r.onnxruntime.p99Ms.toFixed(4)}`,
    );
  }
  const s = results.serve;
  console.log(
    `serve POST /predict (1 row): ${s.requestsPerSecond.toFixed(0)} requests/s, p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms (${s.connections} connections, ${s.seconds} s, ${s.non2xx} non-2xx, ${s.errors} errors)`,
  );
}
