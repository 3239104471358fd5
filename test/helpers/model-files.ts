/**
 * Fixtures of the model-file suites (model.*.test.ts): small nets whose parameters a careless
 * encoder would not keep bit for bit, a bitwise comparison, temporary folders, and the check of a
 * ModelFileError's message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { ModelFileError } from '../../src/model/index.js';
import { Mlp } from '../../src/nn/mlp.js';

/** mulberry32: a small deterministic generator of floats in [-1, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 2 - 1;
  };
}

export function makeNet(sizes: number[], seed = 1): Mlp {
  const net = new Mlp(sizes);
  const r = rng(seed);
  for (let i = 0; i < net.params.length; i++) net.params[i] = r();
  // A few values that a careless encoder would not keep bit for bit.
  net.params[1] = -0;
  net.params[2] = 1e-40; // subnormal
  net.params[3] = 3.4028234663852886e38; // largest float32
  return net;
}

export const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

export function expectSameParams(a: Mlp, b: Mlp): void {
  expect(a.sizes).toEqual(b.sizes);
  expect(bits(a.params)).toEqual(bits(b.params));
}

/** A maker of temporary folders for the calling suite, removed after it. */
export function useTempDirs(): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'native-mlp-model-'));
    dirs.push(dir);
    return dir;
  };
}

/** A 5-4-3 net and a 6-5-4-3 net with awkward values (makeNet). */
export const small = makeNet([5, 4, 3]);
export const deep = makeNet([6, 5, 4, 3], 7);

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Expects a ModelFileError whose message starts with the source and matches `pattern`. */
export function expectModelError(fn: () => unknown, pattern: RegExp, source = 'model.safetensors'): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ModelFileError);
  const msg = (caught as Error).message;
  expect(msg.startsWith(`${source}: `), msg).toBe(true);
  expect(msg).toMatch(pattern);
}
