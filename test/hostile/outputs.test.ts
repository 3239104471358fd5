/**
 * Hostile class: outputs that would destroy inputs. Every output flag (--save, --checkpoint,
 * --report, report's -o) naming an input (--data, --test, --resume, the report's log), directly,
 * through a symlink, a hard link or a path spelled differently, is refused with one line and exit
 * code 2 before any work, and the input is left byte for byte as it was. Capped child processes.
 */
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeIdx } from '../../src/data/idx.js';
import { runCapped, runCli } from '../helpers/capped.js';

const dir = mkdtempSync(join(tmpdir(), 'native-mlp-outputs-'));
const fixture = new URL('../fixtures/diabetes.csv', import.meta.url);
const csv = join(dir, 'train.csv');
copyFileSync(fixture, csv);
const original = readFileSync(csv);
symlinkSync(csv, join(dir, 'link.csv'));
linkSync(csv, join(dir, 'hard.csv'));
const test = join(dir, 'test.csv');
copyFileSync(fixture, test);

/** A tiny IDX data folder: 8 images of 2x2 pixels. */
const idx = join(dir, 'idx');
mkdirSync(idx);
for (const [name, labels] of [
  ['train', true],
  ['t10k', true],
] as const) {
  writeFileSync(join(idx, `${name}-images-idx3-ubyte`), encodeIdx([8, 2, 2], new Uint8Array(32).fill(7)));
  if (labels) writeFileSync(join(idx, `${name}-labels-idx1-ubyte`), encodeIdx([8], Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7])));
}
const idxImages = join(idx, 'train-images-idx3-ubyte');
const idxBytes = readFileSync(idxImages);

function expectRefused(args: string[], pattern: RegExp) {
  const r = runCli(args, { timeoutMs: 20_000 });
  const what = args.join(' ');
  expect(r.status, `${what}: ${r.stderr}`).toBe(2);
  expect(r.stderr, what).toMatch(/^native-mlp: [^\n]*\n$/);
  expect(r.stderr, what).toMatch(pattern);
  expect(r.stdout, what).toBe(''); // refused before training printed anything
}

const table = ['train', '--target', 'progression', '--hidden', '4', '--epochs', '1'];

describe('outputs never replace inputs', () => {
  const cases: [string, string[], RegExp][] = [
    ['--save over --data', [...table, '--data', csv, '--save', csv], /--save .* is the same file as --data/],
    ['--checkpoint over --data', [...table, '--data', csv, '--checkpoint', csv], /--checkpoint .* is the same file as --data/],
    ['--report over --data', [...table, '--data', csv, '--report', csv], /--report .* is the same file as --data/],
    ['--save through a symlink', [...table, '--data', csv, '--save', join(dir, 'link.csv')], /same file as --data/],
    ['--save as a hard link', [...table, '--data', csv, '--save', join(dir, 'hard.csv')], /same file as --data/],
    ['--save spelled differently', [...table, '--data', csv, '--save', `${dir}/./idx/../train.csv`], /same file as --data/],
    ['--save over --test', [...table, '--data', test, '--test', csv, '--save', csv], /same file as --test/],
    [
      '--save and --checkpoint the same',
      [...table, '--data', csv, '--save', join(dir, 'm.st'), '--checkpoint', join(dir, 'm.st')],
      /are the same file/,
    ],
    ['--save over a file of an IDX folder', ['train', '--data', idx, '--epochs', '1', '--save', idxImages], /a file of --data/],
  ];
  for (const [name, args, pattern] of cases) {
    it(name, () => {
      expectRefused(args, pattern);
      expect(readFileSync(csv).equals(original)).toBe(true);
      expect(readFileSync(idxImages).equals(idxBytes)).toBe(true);
    });
  }

  it('report RUN.jsonl -o RUN.jsonl is refused and the log kept', () => {
    const log = join(dir, 'run.jsonl');
    const body = '{"event":"epoch","epoch":1,"loss":0.5,"seconds":1,"imagesPerSecond":1}\n';
    writeFileSync(log, body);
    expectRefused(['report', log, '-o', log], /--output .* is the same file as the log/);
    expect(readFileSync(log, 'utf8')).toBe(body);
  });

  it('--checkpoint may continue a run in the file it resumed from', () => {
    const ck = join(dir, 'run.ckpt');
    const first = runCli([...table, '--data', csv, '--checkpoint', ck]);
    expect(first.status, first.stderr).toBe(0);
    const again = runCli([...table.slice(0, -1), '2', '--data', csv, '--resume', ck, '--checkpoint', ck]);
    expect(again.status, again.stderr).toBe(0);
  });

  it('the library function refuses the same cases', () => {
    const run = runCapped(`
      await check('same', () => internal.checkOutputs([{ flag: '--onnx', path: ${JSON.stringify(join(dir, 'link.csv'))} }], [{ flag: '--data', path: ${JSON.stringify(csv)} }]));
      await check('new file', () => internal.checkOutputs([{ flag: '--onnx', path: ${JSON.stringify(join(dir, 'new.onnx'))} }], [{ flag: '--data', path: ${JSON.stringify(csv)} }]));
    `);
    expect(run.results.get('same')?.error?.instance).toContain('ModelFileError');
    expect(run.results.get('new file')?.error).toBeNull();
  });
});
