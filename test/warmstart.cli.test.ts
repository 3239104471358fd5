/**
 * Warm start and self-contained resumes as a user meets them (the compiled CLI in capped child
 * processes): `train --init-from model.safetensors` continues a saved model on new rows of its
 * schema and records where it started; `train --resume c.ckpt --epochs N` needs nothing else and
 * ends bit-identical to an unbroken run, on a CSV table, an IDX folder and a warm-started run; flags
 * that contradict the model or the checkpoint, other schemas and changed data files are one line, exit 2.
 */
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeIdx } from '../src/data/idx.js';
import { loadModel } from '../src/model/index.js';
import { runCli } from './helpers/capped.js';
import { xorshift } from './helpers/random.js';

const dir = mkdtempSync(join(tmpdir(), 'nmlp-warmstart-cli-'));
const [header, ...rows] = readFileSync(new URL('./fixtures/wine.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n');
const table = (name: string, lines: string[]) => {
  const f = join(dir, name);
  writeFileSync(f, [header, ...lines].join('\n') + '\n');
  return f;
};
const a = table(
  'a.csv',
  rows.filter((_, i) => i % 2 === 0),
);
const b = table(
  'b.csv',
  rows.filter((_, i) => i % 2 === 1),
);
const model = join(dir, 'm.safetensors');

function ok(...args: string[]): string {
  const r = runCli(['train', '--backend', 'js', ...args], { timeoutMs: 120_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

function refused(args: string[], message: RegExp): void {
  const r = runCli(['train', '--backend', 'js', ...args], { timeoutMs: 120_000 });
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
}

const same = (x: string, y: string) => readFileSync(x).equals(readFileSync(y));

describe('train --init-from', () => {
  it('continues a saved model on new rows through its pipeline and records the warm start', () => {
    ok('--data', a, '--target', 'cultivar', '--hidden', '8', '--epochs', '10', '--save', model);
    const warm = join(dir, 'warm.safetensors');
    const out = ok('--data', b, '--init-from', model, '--epochs', '3', '--save', warm);
    expect(out).toMatch(/^native-mlp: 13-8-3 relu net, .*, init from .*m\.safetensors/);
    const before = loadModel(model);
    const after = loadModel(warm);
    expect(JSON.parse(after.metadata.warm_start)).toEqual({ file: model, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(after.metadata.pipeline).toBe(before.metadata.pipeline); // not refitted on b's rows
    expect(JSON.parse(after.metadata.data_source)).toMatchObject({ data: b, options: { target: ['cultivar'] } }); // serve's POST /train can retrain it
    expect(after.preprocessing).toEqual(before.preprocessing);
    expect(Buffer.from(after.net.params.buffer).equals(Buffer.from(before.net.params.buffer))).toBe(false);
  }, 240_000);

  // b's rows without the hue column.
  const hue = header.split(',').indexOf('hue');
  const withoutHue = (l: string) =>
    l
      .split(',')
      .filter((_, j) => j !== hue)
      .join(',');
  const drop = join(dir, 'no-hue.csv');
  writeFileSync(drop, [withoutHue(header), ...rows.filter((_, i) => i % 2 === 1).map(withoutHue)].join('\n') + '\n');
  const cases: [string, string[], RegExp][] = [
    [
      '--hidden that contradicts the model',
      ['--data', b, '--hidden', '16'],
      /^native-mlp: --hidden 16 contradicts .*m\.safetensors, whose hidden layers are 8; drop --hidden/,
    ],
    [
      '--activation that contradicts the model',
      ['--data', b, '--activation', 'tanh'],
      /--activation tanh contradicts .* whose activation is relu; drop --activation/,
    ],
    ['--init', ['--data', b, '--init', 'he'], /--init has no effect with --init-from/],
    ['a missing column', ['--data', drop], /no-hue\.csv: no column "hue", which the model needs/],
    ['another target', ['--data', b, '--target', 'alcohol'], /target alcohol differs from the model's target cultivar/],
    [
      'a table flag that would refit the pipeline',
      ['--data', b, '--categorical', 'ash'],
      /table\.categorical \(--categorical\) has no effect: the rows go through the model's own pipeline/,
    ],
  ];
  for (const [name, args, message] of cases) {
    it(`refuses ${name} with one line, exit 2`, () => refused([...args, '--init-from', model, '--epochs', '1'], message), 120_000);
  }
  it('refuses a model of another input width (an IDX folder for a 13-column table)', () => {
    refused(
      ['--data', idxFolder(), '--init-from', model, '--epochs', '1'],
      /the rows have 64 input features but .*m\.safetensors takes 13/,
    );
  }, 120_000);
});

/** A small IDX folder of 8x8 images (made once). */
let idx: string | undefined;
function idxFolder(): string {
  if (idx) return idx;
  const next = xorshift(3);
  const byte = () => Math.floor(((next() + 1) / 2) * 256);
  idx = mkdtempSync(join(dir, 'idx-'));
  const write = (name: string, dims: number[], data: Uint8Array) => writeFileSync(join(idx!, name), encodeIdx(dims, data));
  // Learnable labels: the brightest of each image's first ten pixels.
  const images = (n: number) => Uint8Array.from({ length: n * 64 }, byte);
  const labels = (x: Uint8Array) =>
    Uint8Array.from({ length: x.length / 64 }, (_, i) => {
      const first = Array.from(x.subarray(i * 64, i * 64 + 10));
      return first.indexOf(Math.max(...first));
    });
  const train = images(300);
  const test = images(50);
  write('train-images-idx3-ubyte', [300, 8, 8], train);
  write('train-labels-idx1-ubyte', [300], labels(train));
  write('t10k-images-idx3-ubyte', [50, 8, 8], test);
  write('t10k-labels-idx1-ubyte', [50], labels(test));
  return idx;
}

describe('train --resume c.ckpt --epochs N needs nothing else', () => {
  it('a CSV table (validation split, early stopping state, table flags, a weight column): the same file as an unbroken run', () => {
    // a.csv's rows with a sample-weight column w: carried by the checkpoint like every data flag.
    const weighted = join(dir, 'weighted.csv');
    writeFileSync(
      weighted,
      [`${header.trimEnd()},w`, ...rows.filter((_, i) => i % 2 === 0).map((l, i) => `${l.trimEnd()},${1 + (i % 3)}`)].join('\n') + '\n',
    );
    const data = [
      '--data',
      weighted,
      '--target',
      'cultivar',
      '--delimiter',
      ',',
      '--weight-column',
      'w',
      '--validation',
      '0.2',
      '--early-stopping',
      '20',
      '--hidden',
      '6',
    ];
    const [c, r, u] = ['csv.ckpt', 'csv-r.safetensors', 'csv-u.safetensors'].map((f) => join(dir, f));
    ok(...data, '--epochs', '3', '--checkpoint', c);
    const out = ok('--resume', c, '--epochs', '6', '--save', r);
    expect(out).toMatch(/Epoch 04/);
    ok(...data, '--epochs', '6', '--save', u);
    expect(same(r, u)).toBe(true);
  }, 240_000);

  it('an IDX folder: the same file as an unbroken run, and the start line names the initialisation', () => {
    const data = ['--data', idxFolder(), '--hidden', '16', '--batch', '32', '--optimizer', 'adam', '--lr', '0.01'];
    const [c, r, u] = ['idx.ckpt', 'idx-r.safetensors', 'idx-u.safetensors'].map((f) => join(dir, f));
    const first = ok(...data, '--epochs', '2', '--checkpoint', c);
    expect(first).toMatch(/^native-mlp: 64-16-10 relu net, .*adam lr 0.01, seed 0, init notebook \(notebook defaults\)/);
    ok('--resume', c, '--epochs', '4', '--save', r);
    ok(...data, '--epochs', '4', '--save', u);
    expect(same(r, u)).toBe(true);
  }, 240_000);

  it('a warm-started run: the checkpoint also records the model it started from', () => {
    const [c, r, u] = ['warm.ckpt', 'warm-r.safetensors', 'warm-u.safetensors'].map((f) => join(dir, f));
    ok('--data', b, '--init-from', model, '--epochs', '2', '--checkpoint', c);
    ok('--resume', c, '--epochs', '4', '--save', r);
    ok('--data', b, '--init-from', model, '--epochs', '4', '--save', u);
    expect(same(r, u)).toBe(true);
  }, 240_000);

  it('refuses flags that contradict the checkpoint, --init-from with --resume, and a data file that changed', () => {
    const copy = join(dir, 'copy.csv');
    copyFileSync(a, copy);
    const c = join(dir, 'refuse.ckpt');
    ok('--data', copy, '--target', 'cultivar', '--hidden', '4', '--epochs', '1', '--checkpoint', c);
    refused(
      ['--resume', c, '--epochs', '2', '--target', 'alcohol'],
      /refuse\.ckpt was written with target \["cultivar"\] but this run has \["alcohol"\]; drop --target/,
    );
    refused(
      ['--resume', c, '--epochs', '2', '--data', b],
      /refuse\.ckpt was written for data .*copy\.csv but this run has .*b\.csv; drop --data/,
    );
    refused(['--resume', c, '--epochs', '2', '--lr', '0.5'], /refuse\.ckpt was written with lr 0\.001 but this run has lr 0\.5/);
    refused(['--resume', c, '--epochs', '2', '--init-from', model], /--init-from and --resume contradict each other/);
    appendFileSync(copy, rows[0] + '\n');
    refused(
      ['--resume', c, '--epochs', '2'],
      /refuse\.ckpt: its data file .*copy\.csv changed since the checkpoint was written .*; restore it, or start a new run without --resume/,
    );
  }, 240_000);
});
