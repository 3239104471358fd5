#!/usr/bin/env node
/**
 * An example inference server: node:http, a model loaded at start, POST /predict answered from
 * the event loop, and POST /train running a new training in a worker thread while predictions
 * keep being served. When training finishes the new model is saved (atomically) and swapped in.
 *
 *   node examples/server.mjs --model model.safetensors [--port 3000] [--host 127.0.0.1]
 *
 *   curl -s localhost:3000/health
 *   curl -s -X POST localhost:3000/train -d '{"epochs": 1}'
 *   curl -s localhost:3000/train
 *   curl -s -X POST localhost:3000/predict -d '{"images": [[0, 0, ... 784 pixel values 0-255]]}'
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { loadModel, NOTEBOOK_CONFIG, predict, saveModel, selectBackend, trainInWorker } from 'native-mlp';

const { values } = parseArgs({
  options: { model: { type: 'string', default: 'model.safetensors' }, port: { type: 'string', default: '3000' }, host: { type: 'string', default: '127.0.0.1' } },
});
const MAX_BODY = 8 << 20;
const backend = selectBackend();
let net = existsSync(values.model) ? loadModel(values.model).net : null;
let training = { status: 'idle', progress: null, lastEvent: null, error: null };

function send(res, code, body) {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw Object.assign(new Error(`body larger than ${MAX_BODY} bytes`), { status: 413 });
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw Object.assign(new Error('body is not valid JSON'), { status: 400 });
  }
}

function toPixels(images, features) {
  if (!Array.isArray(images) || images.length === 0 || images.length > 10000) {
    throw Object.assign(new Error('expected "images": an array of 1 to 10000 images'), { status: 400 });
  }
  const out = new Uint8Array(images.length * features);
  images.forEach((img, i) => {
    if (!Array.isArray(img) || img.length !== features || img.some((v) => !Number.isInteger(v) || v < 0 || v > 255)) {
      throw Object.assign(new Error(`images[${i}] must be ${features} integers from 0 to 255`), { status: 400 });
    }
    out.set(img, i * features);
  });
  return out;
}

function startTraining(body) {
  const epochs = body.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 100) throw Object.assign(new Error('"epochs" must be an integer from 1 to 100'), { status: 400 });
  if (training.status === 'training') throw Object.assign(new Error('a training run is already going'), { status: 409 });
  training = { status: 'training', progress: null, lastEvent: null, error: null };
  trainInWorker({ ...NOTEBOOK_CONFIG, epochs }, {
    onEvent: (e) => (training.lastEvent = e),
    onBatch: (p) => (training.progress = p),
  }).then((result) => {
    saveModel(values.model, result.net, { testAccuracy: String(result.test?.testAccuracy) });
    net = result.net;
    training.status = 'done';
  }, (e) => {
    training = { ...training, status: 'failed', error: e.message };
  });
}

const server = http.createServer(async (req, res) => {
  try {
    if (req.method === 'GET' && req.url === '/health') return send(res, 200, { ok: true, model: net ? net.sizes : null, backend: backend.name });
    if (req.method === 'GET' && req.url === '/train') return send(res, 200, training);
    if (req.method === 'POST' && req.url === '/train') {
      startTraining(await readJson(req));
      return send(res, 202, training);
    }
    if (req.method === 'POST' && req.url === '/predict') {
      if (!net) return send(res, 503, { error: 'no model loaded yet: POST /train first' });
      const body = await readJson(req);
      const { labels, probabilities } = predict(backend, net, toPixels(body.images, net.inputs));
      const C = net.classes;
      return send(res, 200, {
        labels: Array.from(labels),
        probabilities: Array.from(labels, (_, i) => Array.from(probabilities.subarray(i * C, (i + 1) * C))),
      });
    }
    send(res, 404, { error: `no route ${req.method} ${req.url}` });
  } catch (e) {
    send(res, e.status ?? 500, { error: e.message });
  }
});

server.listen(Number(values.port), values.host, () => {
  const { address, port } = server.address();
  console.log(`listening on http://${address}:${port} (model: ${net ? values.model : 'none yet'}, backend: ${backend.name})`);
});
