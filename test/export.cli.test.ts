/** `native-mlp export` as a user runs it: the file written, and bad input as one line with exit code 2. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeOnnx } from '../src/export/onnx.js';
import { loadModel } from '../src/model/index.js';
import { assertFreshDist } from './helpers/dist.js';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'native-mlp-export-cli-'));
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });

describe('native-mlp export', () => {
  beforeAll(() => assertFreshDist());

  it('writes the model with its pipeline as ONNX', () => {
    const model = join(dir, 'w.safetensors');
    const csv = fileURLToPath(new URL('./fixtures/penguins.csv', import.meta.url));
    expect(run('train', '--data', csv, '--target', 'Species', '--epochs', '2', '--hidden', '4', '--save', model).status).toBe(0);
    const onnx = join(dir, 'w.onnx');
    const r = run('export', '--model', model, '--onnx', onnx);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`Wrote ${onnx}\n`);
    expect(readFileSync(onnx)).toEqual(Buffer.from(encodeOnnx(loadModel(model))));
  }, 120_000);

  it('bad input: one line, exit 2, nothing written', () => {
    const csv = join(dir, 'named.csv');
    writeFileSync(csv, 'label,x,y\n' + Array.from({ length: 40 }, (_, i) => `${i % 3},${i},${i % 2 ? 'a' : 'b'}`).join('\n') + '\n');
    const model = join(dir, 'named.safetensors');
    expect(run('train', '--data', csv, '--target', 'y', '--epochs', '1', '--hidden', '3', '--save', model).status).toBe(0);
    const cases: [string[], RegExp][] = [
      [['export', '--model', model], /--onnx is required/],
      [['export', '--onnx', join(dir, 'x.onnx')], /--model is required/],
      [['export', '--model', join(dir, 'none.safetensors'), '--onnx', join(dir, 'x.onnx')], /none\.safetensors/],
      [['export', '--model', model, '--onnx', join(dir, 'x.onnx')], /cannot export column "label": its name is taken by a graph output/],
      [['export', '--model', join(dir, 'w.safetensors'), '--onnx', dir], /not a regular file/],
    ];
    for (const [args, pattern] of cases) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(pattern);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect(existsSync(join(dir, 'x.onnx'))).toBe(false);
  }, 120_000);
});
