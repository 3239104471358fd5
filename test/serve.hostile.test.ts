/**
 * serve against hostile clients, started as a user would (the CLI, and examples/server.mjs):
 * cross-site requests (text/plain, foreign Origin, DNS-rebinding Host), bad bodies (400 with a
 * message), oversize bodies (413), unknown routes and methods, and the token off loopback.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModel } from '../src/model/index.js';
import { createModel } from '../src/nn/init.js';
import { assertFreshDist } from './helpers/dist.js';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const example = fileURLToPath(new URL('../examples/server.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'native-mlp-serve-hostile-'));
const model = join(dir, 'model.safetensors');
const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.kill()));

async function start(args: string[], env: Record<string, string> = {}, script = cli): Promise<string> {
  const child = spawn(process.execPath, [script, ...(script === cli ? ['serve'] : []), '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NATIVE_MLP_BACKEND: 'js', ...env },
  });
  children.push(child);
  return new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (d) => {
      text += d;
      const m = /listening on http:\/\/([^ ]+)/.exec(text);
      if (m) resolve(m[1]);
    });
    child.stderr!.on('data', (d) => (text += d));
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${text}`)));
  });
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** A raw request, so tests control every header (fetch adds its own Origin rules). */
function send(
  hostPort: string,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Reply> {
  const at = hostPort.lastIndexOf(':');
  const [host, port] = [hostPort.slice(0, at), Number(hostPort.slice(at + 1))];
  return new Promise((resolve, reject) => {
    const req = request({ host: host === '0.0.0.0' ? '127.0.0.1' : host, port, method, path, headers: opts.headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : {} }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}
const JSON_TYPE = { 'content-type': 'application/json' };
const post = (base: string, path: string, body: string, headers: Record<string, string> = JSON_TYPE) =>
  send(base, 'POST', path, { headers, body });

describe('serve against hostile clients', () => {
  let base = '';
  beforeAll(async () => {
    assertFreshDist();
    saveModel(model, createModel({ sizes: [784, 8, 10] }));
    base = await start(['--model', model, '--allow-train']);
  }, 30_000);

  it('cross-site requests: text/plain, form types, foreign Origins and Host names are refused', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']) {
      const r = await post(base, '/train', '{"epochs": 1}', type ? { 'content-type': type } : {});
      expect(r.status, type).toBe(415);
      expect(r.body.error).toMatch(/Content-Type: application\/json/);
    }
    expect((await post(base, '/predict', '{"inputs": []}', { 'content-type': 'text/plain' })).status).toBe(415);
    for (const origin of ['http://evil.example', 'null', 'https://127.0.0.1:1', `http://${base}.evil.example`, 'not a url']) {
      expect((await post(base, '/train', '{"epochs": 1}', { ...JSON_TYPE, origin })).status, origin).toBe(403);
    }
    expect((await send(base, 'GET', '/model', { headers: { host: 'rebound.evil.example:80' } })).status).toBe(403);
    expect((await send(base, 'GET', '/healthz', { headers: { origin: `http://${base}` } })).status).toBe(200);
    expect((await send(base, 'GET', '/train')).body.status).toBe('idle');
  });

  it('every bad body gets 400 with a message; unknown routes 404, wrong methods 405', async () => {
    const bad: [string, string, RegExp][] = [
      ['/train', 'null', /JSON object/],
      ['/train', '[]', /JSON object/],
      ['/train', '5', /JSON object/],
      ['/train', '', /not valid JSON/],
      ['/train', '{', /not valid JSON/],
      ['/train', '{"epochs": "1"}', /epochs: expected integer/],
      ['/train', '{"epochs": 0}', /epochs must be >= 1/],
      ['/train', '{"epochs": 1, "lr": 5}', /unknown field "lr"/],
      ['/train', '{"__proto__": {"x": 1}}', /unknown field "__proto__"/],
      ['/predict', '{}', /exactly one of/],
      ['/predict', '{"inputs": null}', /inputs: expected array/],
      ['/predict', '{"inputs": [[1, 2, 3]]}', /inputs\[0\] must NOT have fewer than 784 items/],
      ['/predict', `{"inputs": [[${Array(784).fill(256)}]]}`, /inputs\[0\]\[0\] must be <= 255/],
      ['/predict', `{"inputs": [[${Array(784).fill(0.5)}]]}`, /inputs\[0\]\[0\]: expected integer/],
    ];
    for (const [path, body, pattern] of bad) {
      const r = await post(base, path, body);
      expect(r.status, `${path} ${body.slice(0, 40)}`).toBe(400);
      expect(r.body.error, `${path} ${body.slice(0, 40)}`).toMatch(pattern);
    }
    expect((await send(base, 'PUT', '/train')).status).toBe(405);
    expect((await send(base, 'GET', '/nope')).status).toBe(404);
  });

  it('oversize bodies are refused with 413 and the server keeps answering', async () => {
    const declared = await post(base, '/predict', 'x', { ...JSON_TYPE, 'content-length': String(9 << 20) }).catch(() => ({
      status: 413,
      body: {},
    }));
    expect(declared.status).toBe(413);
    const r = await post(base, '/predict', Buffer.alloc(9 << 20, 0x20) as unknown as string).catch(() => ({ status: 413, body: {} }));
    expect(r.status).toBe(413);
    expect((await send(base, 'GET', '/healthz')).status).toBe(200);
  });
});

describe('serve off loopback needs a token for /train', () => {
  it('refuses to start with --allow-train and no NATIVE_MLP_SERVER_TOKEN (CLI and example alike)', () => {
    for (const [script, args] of [
      [cli, ['serve']],
      [example, []],
    ] as const) {
      const r = spawnSync(process.execPath, [script, ...args, '--port', '0', '--host', '0.0.0.0', '--allow-train', '--model', model], {
        encoding: 'utf8',
        timeout: 20_000,
        env: { ...process.env, NATIVE_MLP_SERVER_TOKEN: '' },
      });
      expect(r.status, script).toBe(2);
      expect(r.stderr).toMatch(/needs NATIVE_MLP_SERVER_TOKEN/);
    }
  });

  it('with a token, POST /train needs it', async () => {
    const token = 'a-test-token-of-some-length';
    const b = await start(['--host', '0.0.0.0', '--model', model, '--allow-train'], { NATIVE_MLP_SERVER_TOKEN: token }, example);
    expect((await post(b, '/train', '{"epochs": 1}')).status).toBe(401);
    expect((await post(b, '/train', '{"epochs": 1}', { ...JSON_TYPE, authorization: 'Bearer wrong' })).status).toBe(401);
    // Past the token: this model records no data source to retrain on.
    const ok = await post(b, '/train', '{"epochs": 1}', { ...JSON_TYPE, authorization: `Bearer ${token}` });
    expect(ok.status).toBe(409);
    expect(ok.body.error).toMatch(/does not record its data source/);
  }, 30_000);
});
