/**
 * `native-mlp serve`: a model behind HTTP, on Fastify (an optional peer dependency, loaded when a
 * server starts). Routes:
 *   POST /predict  {"rows": [{column: value}]} or {"inputs": [[...]]} -> {"predictions": [...]} (predict.ts)
 *   GET  /model    what the model is: layers, task, classes, columns, metrics, training settings
 *   GET  /healthz  {"ok": true} while the server answers
 *   GET  /metrics  Prometheus text (metrics.ts)
 *   POST /train    retrain on the model's recorded data, swap only if not worse (retrain.ts; --allow-train)
 *   GET  /train    the last retraining's state
 * Every request first passes guards.ts (Origin, Host, content type, token). Bodies are JSON of at
 * most MAX_BODY bytes, validated by JSON schemas built from the model (schema.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { BackendChoice } from '../backend/select.js';
import { selectBackend } from '../backend/select.js';
import { UserError } from '../errors.js';
import { loadModel } from '../model/index.js';
import { checkRequest, HttpError, LOOPBACK } from './guards.js';
import { ServerMetrics } from './metrics.js';
import { answerPredict, describeModel, type ServedModel } from './predict.js';
import { Retrainer } from './retrain.js';
import { predictSchema, trainSchema, validationMessage } from './schema.js';

/** Largest request body accepted (bytes); larger ones are refused with 413 before they are read. */
export const MAX_BODY = 8 << 20;

/** A server that cannot start: the message says why and what to do. */
export class ServeError extends UserError {
  override name = 'ServeError';
}

export interface ServeOptions {
  /** The model file served (and replaced by a better retrained model). */
  model: string;
  host?: string;
  port?: number;
  allowOrigins?: readonly string[];
  /** Enable POST /train. */
  allowTrain?: boolean;
  /** Needed for POST /train; required (16+ characters) to listen off loopback with allowTrain. */
  token?: string;
  backend?: BackendChoice;
  threads?: number;
  /** Where the server says what happens (retraining, internal errors); default: nowhere. */
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  backend: string;
  close(): Promise<void>;
}

async function loadFastify() {
  try {
    return (await import('fastify')).default;
  } catch {
    throw new ServeError(
      'native-mlp serve needs the fastify package (an optional peer dependency, not installed with native-mlp): npm install fastify',
    );
  }
}

export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const host = o.host ?? '127.0.0.1';
  const token = o.token ?? '';
  if (o.allowTrain && !LOOPBACK.has(host) && token.length < 16) {
    throw new ServeError(
      `listening on ${host} (not loopback) with --allow-train needs NATIVE_MLP_SERVER_TOKEN set to a secret of at least 16 characters, which POST /train then requires`,
    );
  }
  const log = o.log ?? (() => {});
  const Fastify = await loadFastify();
  const backend = selectBackend(o.backend);
  if (o.threads !== undefined) backend.setThreads(o.threads);
  const served: { current: ServedModel } = { current: { ...loadModel(o.model), file: o.model, version: 0 } };
  const metrics = new ServerMetrics();
  const retrainer = new Retrainer(o.model, served, backend, metrics, log);
  const allowOrigins = new Set(o.allowOrigins ?? []);

  const app = Fastify({
    bodyLimit: MAX_BODY,
    logger: false,
    requestTimeout: 30_000,
    // Bodies are checked against the schema as sent: nothing removed, coerced or defaulted.
    ajv: {
      customOptions: {
        removeAdditional: false,
        coerceTypes: false,
        useDefaults: false,
        allErrors: false,
        verbose: true,
        allowUnionTypes: true,
      },
    },
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new HttpError(400, 'body is not valid JSON'), undefined);
    }
  });
  app.addHook('onRequest', async (req) => {
    const port = (app.server.address() as { port: number }).port;
    checkRequest({ host, allowOrigins }, port, req);
    if (
      req.method === 'POST' &&
      req.url.split('?')[0] === '/train' &&
      token &&
      !sameSecret(req.headers.authorization ?? '', `Bearer ${token}`)
    ) {
      throw new HttpError(401, 'POST /train needs Authorization: Bearer <NATIVE_MLP_SERVER_TOKEN>');
    }
  });
  app.addHook('onSend', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
  });
  app.addHook('onResponse', async (req, reply) => {
    metrics.request(req.routeOptions.url ?? 'unmatched', req.method, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.setErrorHandler((e: Error & { statusCode?: number; validation?: unknown; code?: string }, _req, reply) => {
    if (e instanceof HttpError) return reply.code(e.status).send({ error: e.message });
    if (e.validation) return reply.code(400).send({ error: validationMessage(e as Parameters<typeof validationMessage>[0]) });
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return reply
        .code(413)
        .header('connection', 'close')
        .send({ error: `body larger than ${MAX_BODY} bytes` });
    if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return reply.code(400).send({ error: 'body is not valid JSON (it is empty)' });
    if (e instanceof UserError) return reply.code(400).send({ error: e.message });
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return reply.code(e.statusCode).send({ error: e.message });
    log(`internal error: ${e.stack ?? e.message}`);
    return reply.code(500).send({ error: 'internal error' });
  });
  const routes = new Set(['/predict', '/model', '/healthz', '/metrics', '/train']);
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    reply.code(routes.has(path) ? 405 : 404).send({ error: `no route ${req.method} ${path.slice(0, 100)}` });
  });

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/model', async () => describeModel(served.current, backend.name));
  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.text()));
  app.post('/predict', { schema: { body: predictSchema(served.current) } }, async (req) => {
    const answer = answerPredict(backend, served.current, req.body as Parameters<typeof answerPredict>[2]);
    metrics.predicted(answer.predictions.length);
    return answer;
  });
  app.get('/train', async () => retrainer.status());
  app.post('/train', { schema: { body: trainSchema } }, async (req, reply) => {
    if (!o.allowTrain) throw new HttpError(403, 'retraining is disabled on this server; start it with --allow-train');
    return reply.code(202).send(retrainer.start(req.body as { epochs?: number; force?: boolean }));
  });

  try {
    // A deep accept queue: a burst of new connections waits instead of being dropped.
    await app.listen({ host, port: o.port ?? 3000, backlog: 2048 });
  } catch (e) {
    throw new ServeError(`cannot listen on ${host}:${o.port ?? 3000}: ${(e as Error).message}`);
  }
  const { address, port } = app.server.address() as { address: string; port: number };
  return {
    url: `http://${isIP(address) === 6 ? `[${address}]` : address}:${port}`,
    backend: backend.name,
    close: async () => {
      await retrainer.stop();
      await app.close();
    },
  };
}

/** Compares secrets in time that does not depend on where they differ. */
function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
