/**
 * Hostile class: a checkpoint's data source (the data path, the data options, each file's size and
 * SHA-256) is untrusted. Stored paths must be absolute and normalised (nothing is resolved against
 * the working directory or the checkpoint's folder), the files must be the ones the source reads,
 * option values plain data; a file that is not a regular file (/dev/zero, a FIFO) or that changed
 * is refused before anything reads it as data. Capped child processes; one line, exit 2.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_RSS_MB, runCapped, runCli } from '../helpers/capped.js';

const dir = mkdtempSync(join(tmpdir(), 'native-mlp-ckpt-source-'));
const csv = join(dir, 'train.csv');
copyFileSync(new URL('../fixtures/wine.csv', import.meta.url), csv);
const base = join(dir, 'base.ckpt');

/** A copy of the base checkpoint with its state's source changed by `edit`. */
function withSource(edit: (s: Record<string, any>) => void): Buffer {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  const bytes = readFileSync(base);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  const state = JSON.parse(header.__metadata__.state);
  edit(state.source);
  header.__metadata__.state = JSON.stringify(state);
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h, bytes.subarray(8 + n)]);
}

beforeAll(() => {
  const r = runCli(['train', '--data', csv, '--target', 'cultivar', '--hidden', '4', '--epochs', '1', '--checkpoint', base], {
    timeoutMs: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
});

describe("a checkpoint's data source is checked field by field", () => {
  const cases: [string, (s: Record<string, any>) => void, RegExp][] = [
    // eslint-disable-line @typescript-eslint/no-explicit-any
    ['relative data path', (s) => (s.data = 'train.csv'), /its source data must be an absolute, normalised path/],
    [
      'data path with ..',
      (s) => (s.data = `${dir}/../${dir.split('/').at(-1)}/train.csv`),
      /its source data must be an absolute, normalised path/,
    ],
    ['data path with NUL', (s) => (s.data = `${csv}\u0000x`), /its source data must be an absolute, normalised path/],
    [
      'a file outside the source',
      (s) => (s.files[0].path = '/etc/passwd'),
      /neither the data file, a file of the data folder, nor the test file/,
    ],
    ['a file path relative', (s) => (s.files[0].path = 'train.csv'), /source file 1 must hold path/],
    ['sha256 not hex', (s) => (s.files[0].sha256 = 'x'.repeat(64)), /source file 1 must hold path .* sha256/],
    ['negative size', (s) => (s.files[0].bytes = -1), /source file 1 must hold/],
    ['no files', (s) => (s.files = []), /its source files must be a list of 1 to 8 files/],
    ['nine files', (s) => (s.files = Array(9).fill(s.files[0])), /its source files must be a list of 1 to 8 files/],
    ['options not an object', (s) => (s.options = ['target']), /its source options must be an object/],
    ['an option nested two levels', (s) => (s.options.table = { x: { y: 1 } }), /its source option "table" is not plain data/],
    [
      'an option named __proto__',
      (s) => (s.options = JSON.parse('{"__proto__": {"polluted": true}}')),
      /its source option "__proto__" is not plain data/,
    ],
    ['a relative test file', (s) => (s.options.testFile = 'test.csv'), /its source option testFile must be an absolute, normalised path/],
    [
      'a bad warm-start file',
      (s) => (s.initFrom = { path: 'm.safetensors', bytes: 1, sha256: '0'.repeat(64) }),
      /its source initFrom must hold path/,
    ],
  ];
  it('every tampered field is refused with a ModelFileError naming it (one capped child for all)', () => {
    const files = cases.map(([name, edit]) => {
      const file = join(dir, `${name.replace(/\W+/g, '-')}.ckpt`);
      writeFileSync(file, withSource(edit));
      return file;
    });
    const run = runCapped(
      files.map((f, i) => `await check(${JSON.stringify(cases[i][0])}, () => lib.loadCheckpoint(${JSON.stringify(f)}));`).join('\n'),
    );
    expect(run.maxRssMb).toBeLessThan(MAX_RSS_MB);
    for (const [name, , pattern] of cases) {
      const r = run.results.get(name)!;
      expect(r.error?.instance, name).toContain('ModelFileError');
      expect(r.error?.message, name).toMatch(pattern);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const cli = runCli(['train', '--resume', files[0], '--epochs', '2']);
    expect(cli.status, cli.stderr).toBe(2);
    expect(cli.stderr).toMatch(/^native-mlp: [^\n]*its source data must be an absolute, normalised path[^\n]*\n$/);
  });
});

describe('files a checkpoint names are fingerprinted before they are read', () => {
  const resume = (file: string) => runCli(['train', '--resume', file, '--epochs', '2'], { timeoutMs: 30_000 });
  it('a device named as the data (/dev/zero) is refused as not a regular file, without a hang', () => {
    const file = join(dir, 'dev-zero.ckpt');
    writeFileSync(
      file,
      withSource((s) => {
        s.data = '/dev/zero';
        s.files = [{ path: '/dev/zero', bytes: 0, sha256: '0'.repeat(64) }];
      }),
    );
    const r = resume(file);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /^native-mlp: [^\n]*dev-zero\.ckpt: its data file \/dev\/zero cannot be read \(\/dev\/zero: not a regular file[^\n]*\n$/,
    );
  });
  it('another file named as the data is refused by its fingerprint before it is parsed', () => {
    const file = join(dir, 'passwd.ckpt');
    writeFileSync(
      file,
      withSource((s) => {
        s.data = '/etc/passwd';
        s.files = [{ ...s.files[0], path: '/etc/passwd' }];
      }),
    );
    const r = resume(file);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^native-mlp: [^\n]*its data file \/etc\/passwd changed since the checkpoint was written[^\n]*\n$/);
    expect(r.stderr).not.toMatch(/root/);
  });
  it('a data file that is gone is named', () => {
    const file = join(dir, 'gone.ckpt');
    writeFileSync(
      file,
      withSource((s) => {
        s.data = join(dir, 'gone.csv');
        s.files = [{ ...s.files[0], path: join(dir, 'gone.csv') }];
      }),
    );
    const r = resume(file);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/its data file .*gone\.csv is gone; restore it, or start a new run without --resume\n$/);
  });
});
