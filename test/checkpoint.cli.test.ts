/**
 * The CLI's training-loop flags and signals as a user meets them: the compiled bin in a child
 * process. SIGINT/SIGTERM mid-epoch finish the batch, write a loadable checkpoint and exit 130/143;
 * a second SIGINT exits at once without leaving a half-written file.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeIdx } from '../src/data/idx.js';
import { loadDataSet } from '../src/data/mnist.js';
import { loadCheckpoint } from '../src/train/checkpoint.js';

const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nmlp-cli-ckpt-'));

/** Starts a training run; resolves once its first event line is out. */
function start(args: string[]): Promise<{ child: ChildProcess; output: () => { stdout: string; stderr: string } }> {
  const child = spawn(process.execPath, [bin, 'train', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      const first = stdout === '';
      stdout += d;
      if (first) resolve({ child, output: () => ({ stdout, stderr }) });
    });
    child.on('exit', () => reject(new Error(`train exited before its first event: ${stderr}`)));
  });
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('train: signals and checkpoints', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} mid-epoch finishes the batch, writes a loadable checkpoint and exits ${code}`, async () => {
      const file = join(dir, `${signal}.ckpt`);
      // Far more epochs than can run before the signal, whatever the machine's speed.
      const run = await start(['--backend', 'js', '--hidden', '16', '--epochs', '50', '--checkpoint', file]);
      await sleep(1500);
      run.child.kill(signal);
      expect(await exited(run.child)).toBe(code);
      expect(run.output().stderr).toContain(`${signal}: finishing the current batch`);
      const ck = loadCheckpoint(file);
      expect(ck.epoch).toBeLessThan(50);
      expect(ck.batch).toBeGreaterThan(0); // stopped inside an epoch (469 batches each)
      expect(run.output().stdout).toContain('"reason":"aborted"');
    }, 60_000);
  }

  it('a second SIGINT exits at once, leaving no half-written file', async () => {
    const file = join(dir, 'twice.ckpt');
    const run = await start(['--backend', 'js', '--hidden', '16', '--epochs', '2', '--checkpoint', file]);
    await sleep(800);
    run.child.kill('SIGINT');
    run.child.kill('SIGINT');
    expect(await exited(run.child)).toBe(130);
    if (existsSync(file)) expect(() => loadCheckpoint(file)).not.toThrow();
    expect(readdirSync(dir).filter((f) => f.startsWith('.twice'))).toEqual([]);
  }, 60_000);

  const bad: [string[], RegExp][] = [
    [['--optimizer', 'rmsprop'], /--optimizer must be one of sgd, momentum, nesterov, adam, adamw, got "rmsprop"/],
    [['--beta2', '1'], /--beta2 must be a number in \[0, 1\)/],
    [['--schedule', 'linear'], /--schedule must be one of constant, step, cosine, plateau/],
    [['--early-stopping', '3', '--epochs', '1'], /validation split for early stopping.*--validation 0.1/],
    [['--resume', join(dir, 'missing.ckpt')], /missing.ckpt: cannot read: no such file/],
  ];
  for (const [args, message] of bad) {
    it(`rejects ${args.join(' ')} with one line and exit code 2`, () => {
      const r = spawnSync(process.execPath, [bin, 'train', ...args], { encoding: 'utf8', timeout: 120_000 });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }, 120_000);
  }

  it('a diverging run prints one line naming the epoch and batch, saves nothing, exits 2', () => {
    const save = join(dir, 'diverged.safetensors');
    const r = spawnSync(process.execPath, [bin, 'train', '--lr', '1e30', '--epochs', '1', '--hidden', '16', '--save', save], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^native-mlp: the training loss became non-finite at epoch 1, batch \d+ .*smaller learning rate/);
    expect(existsSync(save)).toBe(false);
  }, 120_000);
});

describe('train --resume', () => {
  it('--epochs 4 --checkpoint c, then --resume c --epochs 8 --save a, equals --epochs 8 --save b byte for byte (Adam)', () => {
    // A 3,000-image MNIST folder keeps the three runs short on any backend.
    const ds = loadDataSet();
    const data = mkdtempSync(join(tmpdir(), 'nmlp-resume-data-'));
    const write = (name: string, dims: number[], bytes: Uint8Array) => writeFileSync(join(data, name), encodeIdx(dims, bytes));
    write('train-images-idx3-ubyte', [3000, 28, 28], ds.train.inputs.subarray(0, 3000 * 784) as Uint8Array);
    write('train-labels-idx1-ubyte', [3000], Uint8Array.from(ds.train.targets.subarray(0, 3000)));
    write('t10k-images-idx3-ubyte', [500, 28, 28], ds.test.inputs.subarray(0, 500 * 784) as Uint8Array);
    write('t10k-labels-idx1-ubyte', [500], Uint8Array.from(ds.test.targets.subarray(0, 500)));
    const train = (...args: string[]) => {
      const r = spawnSync(
        process.execPath,
        [bin, 'train', '--data', data, '--optimizer', 'adam', '--lr', '0.001', '--hidden', '32', ...args],
        { encoding: 'utf8', timeout: 120_000 },
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    };
    const [c, a, b] = ['c.ckpt', 'a.safetensors', 'b.safetensors'].map((f) => join(dir, f));
    train('--epochs', '4', '--checkpoint', c);
    train('--resume', c, '--epochs', '8', '--save', a);
    train('--epochs', '8', '--save', b);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(loadCheckpoint(c).epoch).toBe(4); // the resumed run really started from epoch 4's state
  }, 300_000);
});
