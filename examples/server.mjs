#!/usr/bin/env node
/**
 * An example inference server: node:http, a model loaded at start, POST /predict answered from
 * the event loop, and POST /train running a new training in a worker thread while predictions
 * keep being served. When training finishes the new model is saved (atomically) and swapped in.
 *
 *   node examples/server.mjs --model model.safetensors [--port 3000] [--host 127.0.0.1] [--data DIR]
 *
 *   curl -s localhost:3000/health
 *   curl -s -X POST -H 'content-type: application/json' localhost:3000/train -d '{"epochs": 1}'
 *   curl -s localhost:3000/train
 *   curl -s -X POST -H 'content-type: application/json' localhost:3000/predict -d '{"images": [[0, 0, ... 784 values 0-255]]}'
 *
 * What it guards (people copy this file, so it is written to be safe to copy):
 * - It listens on 127.0.0.1 unless --host says otherwise; on any other address it refuses to start
 *   without a token in NATIVE_MLP_SERVER_TOKEN, which POST /train then requires as
 *   `Authorization: Bearer <token>`.
 * - Browsers: every POST must be `Content-Type: application/json` (a web page cannot send that
 *   cross-site without a CORS preflight, which this server never approves), a request with an
 *   Origin that is not the server's own (or in --allow-origin) is refused with 403, and so is a
 *   Host header that is not the server's own (DNS rebinding).
 * - Bodies: at most MAX_BODY bytes (413), a JSON object with known keys and checked values, or 400
 *   with a message. One training at a time (409).
 * - Background training: every failure (training, saving) is caught and shown by GET /train; the
 *   model in memory keeps serving. Internal errors answer 500 without details (logged on stderr).
 * What it does not do: TLS, rate limiting, per-user accounts, or limits on CPU time per request.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { loadModel, NOTEBOOK_CONFIG, predict, saveModel, selectBackend, trainInWorker } from 'native-mlp';

const fatal = (msg) => {
  process.stderr.write(`server: ${msg}\n`);
  process.exit(2);
};

let values;
try {
  ({ values } = parseArgs({
    options: {
      model: { type: 'string', default: 'model.safetensors' },
      port: { type: 'string', default: '3000' },
      host: { type: 'string', default: '127.0.0.1' },
      data: { type: 'string' },
      'allow-origin': { type: 'string', default: '' },
    },
  }));
} catch (e) {
  fatal(e.message);
}
if (!/^[0-9]{1,5}$/.test(values.port) || Number(values.port) > 65535) fatal(`--port must be 0 to 65535, got "${values.port}"`);

const MAX_BODY = 8 << 20;
const MAX_IMAGES = 10000;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const TOKEN = process.env.NATIVE_MLP_SERVER_TOKEN || '';
if (!LOOPBACK.has(values.host) && TOKEN.length < 16) {
  fatal(`listening on ${values.host} (not loopback) needs NATIVE_MLP_SERVER_TOKEN set to a secret of at least 16 characters, which POST /train then requires`);
}
const allowOrigins = new Set(values['allow-origin'].split(',').filter(Boolean));

const backend = selectBackend();
let net = null;
try {
  net = existsSync(values.model) ? loadModel(values.model).net : null;
} catch (e) {
  fatal(e.message);
}
let training = { status: 'idle', progress: null, lastEvent: null, error: null };

/** An error answered to the client with its status and message. */
class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function send(res, code, body) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(JSON.stringify(body));
}

/** The host:port names this server answers to, for the Host and Origin checks. */
function ownHosts(port) {
  const names = LOOPBACK.has(values.host) ? ['127.0.0.1', 'localhost', '[::1]'] : [isIP(values.host) === 6 ? `[${values.host}]` : values.host];
  return new Set(names.map((h) => `${h}:${port}`));
}

function checkRequest(req) {
  const port = server.address().port;
  const hosts = ownHosts(port);
  const host = req.headers.host ?? '';
  const origin = req.headers.origin;
  if (origin !== undefined && !allowOrigins.has(origin)) {
    let url;
    try {
      url = new URL(origin);
    } catch {
      throw new HttpError(403, 'Origin header is not a URL');
    }
    if (url.protocol !== 'http:' || !hosts.has(url.host)) throw new HttpError(403, `requests from origin ${origin.slice(0, 100)} are not allowed`);
  }
  // A page that rebinds its own name to this address sends its own name as Host.
  if (origin === undefined || !allowOrigins.has(origin)) {
    if (!hosts.has(host) && !(values.host === '0.0.0.0' || values.host === '::')) throw new HttpError(403, `Host ${host.slice(0, 100)} is not this server`);
  }
  if (req.method === 'POST') {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') throw new HttpError(415, 'POST bodies must be sent with Content-Type: application/json');
  }
}

async function readJson(req) {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY) throw new HttpError(413, `body larger than ${MAX_BODY} bytes`);
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, `body larger than ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  let body;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'body must be a JSON object');
  return body;
}

function onlyKeys(body, keys) {
  for (const k of Object.keys(body)) if (!keys.includes(k)) throw new HttpError(400, `unknown field "${k.slice(0, 50)}" (expected ${keys.join(', ')})`);
}

function toPixels(images, features) {
  if (!Array.isArray(images) || images.length === 0 || images.length > MAX_IMAGES) {
    throw new HttpError(400, `expected "images": an array of 1 to ${MAX_IMAGES} images`);
  }
  const out = new Uint8Array(images.length * features);
  images.forEach((img, i) => {
    if (!Array.isArray(img) || img.length !== features || img.some((v) => !Number.isInteger(v) || v < 0 || v > 255)) {
      throw new HttpError(400, `images[${i}] must be ${features} integers from 0 to 255`);
    }
    out.set(img, i * features);
  });
  return out;
}

function startTraining(body) {
  onlyKeys(body, ['epochs']);
  const epochs = Object.hasOwn(body, 'epochs') ? body.epochs : 1;
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 100) throw new HttpError(400, '"epochs" must be an integer from 1 to 100');
  if (training.status === 'training') throw new HttpError(409, 'a training run is already going');
  training = { status: 'training', progress: null, lastEvent: null, error: null };
  const run = training;
  // Every failure lands in `run` (shown by GET /train); the model in memory keeps serving.
  (async () => {
    try {
      const result = await trainInWorker({ ...NOTEBOOK_CONFIG, epochs }, {
        data: values.data,
        onEvent: (e) => (run.lastEvent = e),
        onBatch: (p) => (run.progress = p),
      });
      try {
        saveModel(values.model, result.net, { testAccuracy: String(result.test?.testAccuracy) });
      } catch (e) {
        throw new Error(`trained, but the model could not be saved, so the previous one keeps serving: ${e.message}`);
      }
      net = result.net;
      run.status = 'done';
    } catch (e) {
      run.status = 'failed';
      run.error = e instanceof Error ? e.message : String(e);
      process.stderr.write(`server: training failed: ${run.error}\n`);
    }
  })();
}

function checkToken(req) {
  if (!TOKEN) return;
  const auth = req.headers.authorization ?? '';
  if (auth !== `Bearer ${TOKEN}`) throw new HttpError(401, 'POST /train needs Authorization: Bearer <NATIVE_MLP_SERVER_TOKEN>');
}

const ROUTES = {
  'GET /health': () => [200, { ok: true, model: net ? net.sizes : null, backend: backend.name }],
  'GET /train': () => [200, training],
  'POST /train': async (req) => {
    checkToken(req);
    startTraining(await readJson(req));
    return [202, training];
  },
  'POST /predict': async (req) => {
    const body = await readJson(req);
    onlyKeys(body, ['images']);
    if (!net) throw new HttpError(503, 'no model loaded yet: POST /train first');
    const model = net; // a training finishing meanwhile swaps `net`; this request uses one model
    const { labels, probabilities } = predict(backend, model, toPixels(body.images, model.inputs));
    const C = model.classes;
    return [200, {
      labels: Array.from(labels),
      probabilities: Array.from(labels, (_, i) => Array.from(probabilities.subarray(i * C, (i + 1) * C))),
    }];
  },
};

const server = http.createServer(async (req, res) => {
  try {
    checkRequest(req);
    const path = (req.url ?? '').split('?')[0];
    const route = ROUTES[`${req.method} ${path}`];
    if (!route) {
      const known = Object.keys(ROUTES).some((r) => r.endsWith(` ${path}`));
      throw new HttpError(known ? 405 : 404, `no route ${req.method} ${path.slice(0, 100)}`);
    }
    const [code, body] = await route(req);
    send(res, code, body);
  } catch (e) {
    if (e instanceof HttpError) {
      if (e.status === 413) res.setHeader('connection', 'close'); // the rest of the body is not read
      send(res, e.status, { error: e.message });
    } else {
      process.stderr.write(`server: ${req.method} ${req.url}: ${e?.stack ?? e}\n`);
      send(res, 500, { error: 'internal error' });
    }
  }
});
server.requestTimeout = 30_000;
server.headersTimeout = 10_000;
server.on('clientError', (_e, socket) => socket.destroy());
server.on('error', (e) => fatal(`cannot listen on ${values.host}:${values.port}: ${e.message}`));

server.listen(Number(values.port), values.host, () => {
  const { address, port } = server.address();
  const shown = isIP(address) === 6 ? `[${address}]` : address;
  console.log(`listening on http://${shown}:${port} (model: ${net ? values.model : 'none yet'}, backend: ${backend.name})`);
});
