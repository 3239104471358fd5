/** The CLI as a user runs it: the compiled bin in a child process. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeIdx } from '../src/data/idx.js';
import { loadDataSet } from '../src/data/mnist.js';
import { assertFreshDist } from './helpers/dist.js';

// The CLI runs from dist/: fail here rather than test stale code.
assertFreshDist();

const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('native-mlp CLI', () => {
  it('is compiled (npm install runs tsc)', () => {
    expect(existsSync(bin)).toBe(true);
  });

  const bad: Array<[string[], RegExp]> = [
    [['train', '--lr', '0'], /--lr must be a number > 0 in decimal .*, got "0"/],
    [['train', '--lr', 'NaN'], /--lr must be a number > 0/],
    [['train', '--lr', '-1'], /--lr must be a number > 0/],
    [['train', '--batch', '0'], /--batch must be an integer from 1/],
    [['train', '--epochs', '0'], /--epochs must be an integer from 1/],
    [['train', '--epochs', '2.5'], /--epochs must be an integer/],
    [['train', '--hidden', '0'], /--hidden must be layer sizes/],
    [['train', '--hidden', '128,'], /--hidden must be layer sizes/],
    [['train', '--backend', 'gpu'], /--backend must be one of auto, native, wasm, js, got "gpu"/],
    [['train', '--data', '/nonexistent/mnist'], /\/nonexistent\/mnist: data folder not found/],
    [['train', '--dropout', '1'], /--dropout must be a number in \[0, 1\) in decimal, got "1"/],
    [['train', '--dropout', '-0.1'], /--dropout must be a number in \[0, 1\)/],
    [['train', '--dropout', 'NaN'], /--dropout must be a number in \[0, 1\)/],
    [['train', '--task', 'multilabel', '--target', 'a,b'], /--task multilabel is not supported: train one model per label/],
    [['train', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['fly'], /unknown command "fly"/],
    [['constructor'], /unknown command "constructor"/], // a name every object has is still not a command
  ];
  for (const [args, message] of bad) {
    it(`rejects ${args.join(' ')} with one line and exit code 2`, () => {
      const r = cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  /** A folder with the first images of the real MNIST, small enough for quick runs. */
  function smallMnist(trainCount: number, testCount: number): string {
    const ds = loadDataSet();
    const dir = mkdtempSync(join(tmpdir(), 'native-mlp-cli-'));
    const write = (name: string, dims: number[], bytes: ArrayLike<number>) =>
      writeFileSync(join(dir, name), encodeIdx(dims, Uint8Array.from(bytes)));
    write('train-images-idx3-ubyte', [trainCount, 28, 28], ds.train.inputs.subarray(0, trainCount * 784));
    write('train-labels-idx1-ubyte', [trainCount], ds.train.targets.subarray(0, trainCount));
    write('t10k-images-idx3-ubyte', [testCount, 28, 28], ds.test.inputs.subarray(0, testCount * 784));
    write('t10k-labels-idx1-ubyte', [testCount], ds.test.targets.subarray(0, testCount));
    return dir;
  }

  it('--json prints start, one epoch line per epoch, then test, as JSON Lines', () => {
    const r = cli(['train', '--json', '--epochs', '2', '--batch', '50', '--data', smallMnist(1000, 200)]);
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => e.event)).toEqual(['start', 'epoch', 'epoch', 'test']);
    expect(events[0]).toMatchObject({ layers: [784, 128, 10], epochs: 2, batch: 50, lr: 0.1, trainRows: 1000, testRows: 200 });
    // The old names stay one release as aliases.
    expect(events[0]).toMatchObject({ trainImages: 1000, testImages: 200 });
    expect(events[1].rowsPerSecond).toBe(events[1].imagesPerSecond);
    expect(['js', 'native']).toContain(events[0].backend);
    expect(events[1]).toMatchObject({ epoch: 1 });
    for (const key of ['trainAccuracy', 'loss', 'seconds', 'rowsPerSecond']) expect(events[1][key]).toBeGreaterThan(0);
    expect(events[3].testAccuracy).toBeGreaterThan(0.5);
  });

  it('prints the notebook lines in text mode', () => {
    const r = cli(['train', '--epochs', '1', '--data', smallMnist(500, 100)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Epoch 01 - Training accuracy: 0\.\d{4}  .* images\/s$/m);
    expect(r.stdout).toMatch(/^Test Accuracy: \d+\.\d\d%$/m);
  });

  it('falls back to TypeScript with one line saying why when the binary is missing', () => {
    const r = cli(['train', '--json', '--epochs', '1', '--data', smallMnist(300, 50)], {
      NATIVE_MLP_NATIVE_PATH: '/nonexistent/addon.node',
      NATIVE_MLP_WASM: '0',
    });
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /native backend unavailable \(.*\/nonexistent\/addon\.node.*\) and WASM backend unavailable \(disabled by NATIVE_MLP_WASM=0\); using the TypeScript backend/,
    );
    expect(JSON.parse(r.stdout.split('\n')[0])).toMatchObject({ event: 'start', backend: 'js' });
  });

  it('train --save then eval --model gives the test accuracy the training run printed; predict classifies', () => {
    const data = smallMnist(1000, 300);
    const model = join(mkdtempSync(join(tmpdir(), 'native-mlp-model-')), 'm.safetensors');
    const t = cli(['train', '--json', '--epochs', '2', '--data', data, '--save', model]);
    expect(t.code).toBe(0);
    const trained = JSON.parse(t.stdout.trim().split('\n').pop()!);
    const e = cli(['eval', '--json', '--model', model, '--data', data]);
    expect(e.code).toBe(0);
    const evaluated = JSON.parse(e.stdout);
    expect(evaluated.testAccuracy).toBe(trained.testAccuracy);
    expect(evaluated.confusion).toHaveLength(100);
    expect(evaluated.confusion.reduce((a: number, b: number) => a + b, 0)).toBe(300);
    const text = cli(['eval', '--model', model, '--data', data]);
    expect(text.stdout).toMatch(/^Test Accuracy: \d+\.\d\d%/m);
    expect(text.stdout).toMatch(/confusion/);

    const p = cli(['predict', '--json', '--model', model, '--input', join(data, 't10k-images-idx3-ubyte')]);
    expect(p.code).toBe(0);
    const lines = p.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(300);
    const truth = loadDataSet(data).test.targets;
    const correct = lines.filter((l, i) => l.label === truth[i]).length;
    expect(correct / 300).toBeCloseTo(evaluated.testAccuracy, 10);
  });

  it('eval and predict name a missing or corrupt model file', () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'native-mlp-bad-')), 'bad.safetensors');
    writeFileSync(bad, 'not a model');
    for (const args of [
      ['eval', '--model', bad],
      ['predict', '--model', bad, '--input', bad],
      ['eval', '--model', '/nonexistent.safetensors'],
    ]) {
      const r = cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/(bad\.safetensors|nonexistent\.safetensors)/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(cli(['eval']).stderr).toMatch(/--model is required/);
  });

  it('info says the version, backend and where the addon came from', () => {
    const r = cli(['info', '--json']);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(['js', 'native', 'wasm']).toContain(info.backend);
    if (info.backend === 'native') expect(info.nativePath).toMatch(/\.node$/);
    const missing = JSON.parse(cli(['info', '--json'], { NATIVE_MLP_NATIVE_PATH: '/nonexistent/addon.node', NATIVE_MLP_WASM: '0' }).stdout);
    expect(missing.backend).toBe('js');
    expect(missing.fallbackReason).toMatch(/nonexistent/);
  });

  it('rejects a bad NATIVE_MLP_BACKEND the same way', () => {
    const r = cli(['train'], { NATIVE_MLP_BACKEND: 'cuda' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/NATIVE_MLP_BACKEND is "cuda"/);
  });

  it('fails loudly when native is requested but missing', () => {
    const r = cli(['train', '--backend', 'native'], { NATIVE_MLP_NATIVE_PATH: '/nonexistent/addon.node' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/native backend is not available: .*npm run build:native/);
  });
});
