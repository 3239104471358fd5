/**
 * Hostile class: the WASM backend's memory. An array subclass whose `length` lies cannot make a
 * kernel call copy past the array (into the rest of its buffer); the allocator hands out single
 * blocks up to the documented 2 GiB budget (a power-of-two rounding made 1.1 GiB fail). Child
 * processes with a time limit; no address-space cap here, because the WASM memory's reservation
 * (2 GiB plus guard regions) is address space, not memory: the cases touch only a few pages.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST } from '../helpers/capped.js';
import { assertFreshDist } from '../helpers/dist.js';

/** Runs an ES module body in a child (timeout 60 s) and returns its JSON line. */
function child(body: string): Record<string, unknown> {
  assertFreshDist();
  const file = join(mkdtempSync(join(tmpdir(), 'native-mlp-wasm-hostile-')), 'case.mjs');
  writeFileSync(file, `${body}\n`);
  const r = spawnSync(process.execPath, [file], { timeout: 60_000, encoding: 'utf8', env: { ...process.env, NATIVE_MLP_WASM: '1' } });
  expect(r.signal, r.stderr).toBeNull();
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

describe('WASM backend memory', () => {
  it('an array subclass lying about its length cannot make a call copy past the array', () => {
    const out = child(`
      const lib = await import(${JSON.stringify(DIST + 'index.js')});
      const be = lib.selectBackend('wasm');
      class Liar extends Float32Array { get length() { return 4096; } }
      const buffer = new ArrayBuffer(4 * 4096);
      new Float32Array(buffer).fill(7);
      const u = new Liar(buffer, 0, 4);
      let error = null;
      try { be.biasAdd(u, new Float32Array(4096).fill(1), 1, 4096); } catch (e) { error = e.name + ': ' + e.message; }
      const after = new Float32Array(buffer);
      process.stdout.write(JSON.stringify({ error, outside: after[4], last: after[4095] }) + '\\n');
    `);
    expect(out.error).toMatch(/RangeError: Expected an array of at least 16384 bytes but it really holds 16/);
    expect(out.outside).toBe(7); // the buffer beyond the view is untouched
    expect(out.last).toBe(7);
  });

  it('single blocks up to the 2 GiB budget: 1.1 GiB, freed and reused, then 1.5 GiB', () => {
    const out = child(`
      const { readFileSync } = await import('node:fs');
      const { instantiate, wasmPath } = await import(${JSON.stringify(DIST + 'backend/wasm/load.js')});
      const { MEMORY_INITIAL_PAGES, MEMORY_MAXIMUM_PAGES } = await import(${JSON.stringify(DIST + 'backend/wasm/exports.js')});
      const module = new WebAssembly.Module(readFileSync(wasmPath()));
      const memory = new WebAssembly.Memory({ initial: MEMORY_INITIAL_PAGES, maximum: MEMORY_MAXIMUM_PAGES, shared: true });
      const ex = instantiate(module, memory);
      const GiB = 2 ** 30;
      const small = ex.alloc(1000) >>> 0;
      const a = ex.alloc(1.1 * GiB) >>> 0;
      ex.free(a);
      const again = ex.alloc(1.1 * GiB) >>> 0;
      ex.free(again);
      const b = ex.alloc(1.5 * GiB) >>> 0;
      const tooMuch = ex.alloc(1.0 * GiB) >>> 0; // 1.5 + 1.0 GiB is over the budget
      ex.free(b);
      const after = ex.alloc(64) >>> 0;
      process.stdout.write(JSON.stringify({ small, a, again, b, tooMuch, after, bytes: memory.buffer.byteLength }) + '\\n');
    `);
    expect(out.small).toBeGreaterThan(0);
    expect(out.a).toBeGreaterThan(0);
    expect(out.again).toBe(out.a); // the freed block is reused, not carved again
    expect(out.b).toBeGreaterThan(0);
    expect(out.tooMuch).toBe(0);
    expect(out.after).toBeGreaterThan(0);
    expect(out.bytes).toBeLessThanOrEqual(2 ** 31);
  });
});
