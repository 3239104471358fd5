/**
 * The example server against hostile clients: cross-site requests (text/plain, foreign Origin,
 * DNS-rebinding Host), bad bodies (400 with a message each), oversize bodies (413), concurrent
 * trainings (409), a token when listening off loopback, and background failures (the save fails:
 * the model in memory keeps serving, the process stays up). Trains on a tiny IDX folder.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx } from '../src/data/idx.js';
import { createModel } from '../src/nn/init.js';
import { saveModel } from '../src/model/index.js';

const script = fileURLToPath(new URL('../examples/server.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'native-mlp-server-hostile-'));
const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.kill()));

/** A tiny MNIST-shaped folder: 64 training and 16 test images, so a training run takes moments. */
function tinyData(): string {
  const data = join(dir, 'data');
  mkdirSync(data);
  let x = 7;
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 24));
  writeFileSync(join(data, 'train-images-idx3-ubyte'), encodeIdx([64, 28, 28], bytes(64 * 784)));
  writeFileSync(join(data, 'train-labels-idx1-ubyte'), encodeIdx([64], bytes(64).map((v) => v % 10)));
  writeFileSync(join(data, 't10k-images-idx3-ubyte'), encodeIdx([16, 28, 28], bytes(16 * 784)));
  writeFileSync(join(data, 't10k-labels-idx1-ubyte'), encodeIdx([16], bytes(16).map((v) => v % 10)));
  return data;
}

async function start(args: string[], env: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, [script, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NATIVE_MLP_BACKEND: 'js', ...env },
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

interface Reply { status: number; body: Record<string, unknown> }

/** A raw request, so tests control every header (fetch adds its own Origin rules). */
function send(hostPort: string, method: string, path: string, opts: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> {
  const [host, port] = [hostPort.slice(0, hostPort.lastIndexOf(':')), Number(hostPort.slice(hostPort.lastIndexOf(':') + 1))];
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
const post = (base: string, path: string, body: string, headers: Record<string, string> = JSON_TYPE) => send(base, 'POST', path, { headers, body });

describe('examples/server.mjs against hostile clients', () => {
  let base = '';
  let data = '';
  const model = join(dir, 'model.safetensors');
  const real = join(dir, 'real.safetensors');
  beforeAll(async () => {
    data = tinyData();
    saveModel(real, createModel({ sizes: [784, 8, 10] }));
    symlinkSync(real, model); // later pointed at a folder so the save fails
    base = await start(['--model', model, '--data', data]);
  }, 30_000);

  it('cross-site requests: text/plain, form types, foreign Origins and Host names are refused; nothing trains', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']) {
      const r = await post(base, '/train', '{"epochs": 1}', type ? { 'content-type': type } : {});
      expect(r.status, type).toBe(415);
      expect(r.body.error).toMatch(/Content-Type: application\/json/);
    }
    expect((await post(base, '/predict', '{"images": []}', { 'content-type': 'text/plain' })).status).toBe(415);
    for (const origin of ['http://evil.example', 'null', 'https://127.0.0.1:1', `http://${base}.evil.example`, 'not a url']) {
      const r = await post(base, '/train', '{"epochs": 1}', { ...JSON_TYPE, origin });
      expect(r.status, origin).toBe(403);
    }
    expect((await send(base, 'GET', '/train', { headers: { host: 'rebound.evil.example:80' } })).status).toBe(403);
    expect((await send(base, 'GET', '/health', { headers: { origin: `http://${base}` } })).status).toBe(200);
    expect((await send(base, 'GET', '/train')).body.status).toBe('idle');
  });

  it('every bad body gets 400 with a message', async () => {
    const bad: [string, string, RegExp][] = [
      ['/train', 'null', /JSON object/], ['/train', '[]', /JSON object/], ['/train', '5', /JSON object/], ['/train', '"x"', /JSON object/],
      ['/train', '', /not valid JSON/], ['/train', '{', /not valid JSON/], ['/train', '{"epochs": "1"}', /"epochs" must be an integer/],
      ['/train', '{"epochs": 1.5}', /"epochs"/], ['/train', '{"epochs": 0}', /"epochs"/], ['/train', '{"epochs": 101}', /"epochs"/],
      ['/train', '{"epochs": null}', /"epochs"/], ['/train', '{"epochs": 1, "lr": 5}', /unknown field "lr"/],
      ['/train', '{"__proto__": {"x": 1}}', /unknown field "__proto__"/],
      ['/predict', 'null', /JSON object/], ['/predict', '{}', /"images"/], ['/predict', '{"images": null}', /"images"/],
      ['/predict', '{"images": []}', /"images"/], ['/predict', '{"images": [[1, 2, 3]]}', /images\[0\] must be 784 integers/],
      ['/predict', `{"images": [[${Array(784).fill(256)}]]}`, /images\[0\]/], ['/predict', `{"images": [[${Array(784).fill(-1)}]]}`, /images\[0\]/],
      ['/predict', `{"images": [[${Array(784).fill(0.5)}]]}`, /images\[0\]/], ['/predict', `{"images": [${Array(784).fill('"1"')}]}`, /images\[0\]/],
      ['/predict', '{"images": "abc"}', /"images"/], ['/predict', '{"images": {"length": 1}}', /"images"/],
    ];
    for (const [path, body, pattern] of bad) {
      const r = await post(base, path, body);
      expect(r.status, `${path} ${body.slice(0, 40)}`).toBe(400);
      expect(r.body.error, `${path} ${body.slice(0, 40)}`).toMatch(pattern);
    }
    expect((await send(base, 'PUT', '/train')).status).toBe(405);
    expect((await send(base, 'GET', '/nope')).status).toBe(404);
  });

  it('oversize bodies are refused with 413', async () => {
    const big = Buffer.alloc(9 << 20, 0x20);
    const declared = await post(base, '/predict', 'x', { ...JSON_TYPE, 'content-length': String(9 << 20) }).catch(() => ({ status: 413, body: {} }));
    expect(declared.status).toBe(413);
    const r = await post(base, '/predict', big as unknown as string).catch(() => ({ status: 413, body: {} }));
    expect(r.status).toBe(413);
    expect((await send(base, 'GET', '/health')).status).toBe(200);
  });

  it('one training at a time; a failing save is caught and the old model keeps serving', async () => {
    // Point the model path at a folder: the save after training must fail.
    rmSync(model);
    mkdirSync(model);
    const [first, second] = await Promise.all([post(base, '/train', '{"epochs": 2}'), post(base, '/train', '{"epochs": 2}')]);
    expect([first.status, second.status].sort()).toEqual([202, 409]);
    let t: Reply;
    for (;;) {
      t = await send(base, 'GET', '/train');
      if (t.body.status !== 'training') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(t.body.status).toBe('failed');
    expect(t.body.error).toMatch(/could not be saved, so the previous one keeps serving: .*is a folder, not a regular file/);
    const p = await post(base, '/predict', JSON.stringify({ images: [Array(784).fill(3)] }));
    expect(p.status).toBe(200);
    expect((await send(base, 'GET', '/health')).body.model).toEqual([784, 8, 10]);
  }, 60_000);
});

describe('listening off loopback needs a token', () => {
  it('refuses to start without NATIVE_MLP_SERVER_TOKEN', () => {
    const r = spawnSync(process.execPath, [script, '--port', '0', '--host', '0.0.0.0', '--model', join(dir, 'none.safetensors')], {
      encoding: 'utf8', timeout: 20_000, env: { ...process.env, NATIVE_MLP_SERVER_TOKEN: '' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/needs NATIVE_MLP_SERVER_TOKEN/);
  });

  it('with a token, POST /train needs it', async () => {
    const token = 'a-test-token-of-some-length';
    const b = await start(['--host', '0.0.0.0', '--model', join(dir, 'tok.safetensors'), '--data', tinyData2()], { NATIVE_MLP_SERVER_TOKEN: token });
    expect((await post(b, '/train', '{"epochs": 1}')).status).toBe(401);
    expect((await post(b, '/train', '{"epochs": 1}', { ...JSON_TYPE, authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(b, '/train', '{"epochs": 1}', { ...JSON_TYPE, authorization: `Bearer ${token}` })).status).toBe(202);
  }, 30_000);
});

function tinyData2(): string {
  return join(dir, 'data');
}
