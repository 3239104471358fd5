/**
 * Hostile class: checkpoints as untrusted input. A real checkpoint (adam, plateau schedule, early
 * stopping) is written by the CLI, then each field of its state and its tensors is tampered with;
 * every tampered file is refused by one validation with a ModelFileError naming the field, never a
 * stack trace or a silent resume. A resume with nothing left to do exits 2. Capped child processes.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_RSS_MB, runCapped, runCli } from '../helpers/capped.js';

const dir = mkdtempSync(join(tmpdir(), 'native-mlp-ckpt-hostile-'));
const csv = join(dir, 'train.csv');
copyFileSync(new URL('../fixtures/diabetes.csv', import.meta.url), csv);
const base = join(dir, 'base.ckpt');
const flags = [
  '--target',
  'progression',
  '--task',
  'regress',
  '--hidden',
  '4',
  '--optimizer',
  'adam',
  '--schedule',
  'plateau',
  '--early-stopping',
  '3',
  '--validation',
  '0.2',
];

type Header = Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;

/** The checkpoint's header (JSON) and data section. */
function split(bytes: Buffer): { header: Header; data: Buffer } {
  const n = Number(bytes.readBigUInt64LE(0));
  return { header: JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')), data: bytes.subarray(8 + n) };
}

function join8(headerText: string, data: Buffer): Buffer {
  const h = Buffer.from(headerText, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h, data]);
}

/** A copy of the base checkpoint with its state (parsed) changed by `edit`. */
function withState(edit: (s: Record<string, any>) => void): Buffer {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  const { header, data } = split(readFileSync(base));
  const meta = header.__metadata__ as Record<string, string>;
  const s = JSON.parse(meta.state);
  edit(s);
  meta.state = JSON.stringify(s);
  return join8(JSON.stringify(header), data);
}

/** A copy with the header's text changed by `edit` (duplicate keys, renamed tensors). */
function withHeaderText(edit: (text: string) => string): Buffer {
  const bytes = readFileSync(base);
  const n = Number(bytes.readBigUInt64LE(0));
  return join8(edit(bytes.subarray(8, 8 + n).toString('utf8')), bytes.subarray(8 + n));
}

/** A copy with float32 index i of tensor `name` set to v. */
function withValue(name: string, i: number, v: number): Buffer {
  const bytes = Buffer.from(readFileSync(base));
  const n = Number(bytes.readBigUInt64LE(0));
  const { header } = split(bytes);
  const [b] = (header[name] as { data_offsets: [number, number] }).data_offsets;
  bytes.writeFloatLE(v, 8 + n + b + 4 * i);
  return bytes;
}

beforeAll(() => {
  const r = runCli(['train', '--data', csv, ...flags, '--epochs', '2', '--checkpoint', base], { timeoutMs: 60_000 });
  expect(r.status, r.stderr).toBe(0);
});

describe('tampered checkpoints are refused by field', () => {
  const cases: [string, () => Buffer, RegExp][] = [
    ['schedule lr negative', () => withState((s) => (s.schedule.lr = -1)), /its schedule must hold lr/],
    ['schedule lr above the config', () => withState((s) => (s.schedule.lr = 1e9)), /its schedule must hold lr/],
    ['schedule badEpochs fractional', () => withState((s) => (s.schedule.badEpochs = 0.5)), /its schedule/],
    ['schedule missing', () => withState((s) => delete s.schedule), /its schedule/],
    ['optimizer step negative', () => withState((s) => (s.optimizerStep = -1)), /its optimizerStep/],
    ['rng state not hex', () => withState((s) => (s.rng.state = 'zz')), /its rng must hold/],
    ['rng state over 128 bits', () => withState((s) => (s.rng.state = 'f'.repeat(40))), /its rng must hold/],
    ['rng inc even', () => withState((s) => (s.rng.inc = '2')), /its rng inc is even/],
    ['rng uinteger above uint32', () => withState((s) => (s.rng.uinteger = 2 ** 33)), /its rng must hold/],
    ['sizes with a zero', () => withState((s) => (s.sizes = [10, 0, 1])), /its sizes must be/],
    ['sizes against hidden', () => withState((s) => (s.sizes = [10, 5, 1])), /do not match its config's hidden/],
    ['epoch negative', () => withState((s) => (s.epoch = -1)), /its epoch must be/],
    ['epoch beyond the config', () => withState((s) => (s.epoch = 1e9)), /its epoch must be/],
    ['batch fractional', () => withState((s) => (s.batch = 1.5)), /its batch must be/],
    ['lossSum negative', () => withState((s) => ((s.batch = 1), (s.epoch = 1), (s.lossSum = -5))), /its lossSum must be/],
    ['config lr negative', () => withState((s) => (s.config.lr = -1)), /its config is invalid: Expected lr/],
    ['config optimizer unknown', () => withState((s) => (s.config.optimizer = 'rmsprop')), /its config is invalid/],
    ['early bestEpoch beyond epoch', () => withState((s) => (s.early.bestEpoch = 99)), /its early stopping state/],
    ['early state without early stopping', () => withState((s) => (s.config.earlyStopping = 0)), /holds early stopping state but/],
    ['fingerprint not SHA-256', () => withState((s) => (s.fingerprint = 'abc')), /its fingerprint/],
    [
      'duplicate state key',
      () => withHeaderText((t) => t.replace('\\"epoch\\":2', '\\"epoch\\":2,\\"epoch\\":0')),
      /duplicate key "epoch"/,
    ],
    ['duplicate header key', () => withHeaderText((t) => t.replace('{"__metadata__"', '{"x":1,"x":2,"__metadata__"')), /duplicate key "x"/],
    [
      'optimizer tensor missing',
      () => withHeaderText((t) => t.replace('"optimizer.m"', '"optimizer.q"')),
      /missing optimizer\.m; unexpected optimizer\.q/,
    ],
    ['NaN in params', () => withValue('params', 3, NaN), /tensor params holds NaN at index 3/],
    ['Infinity in the best weights', () => withValue('best', 0, Infinity), /tensor best holds Infinity/],
    ['negative second moment', () => withValue('optimizer.v', 2, -1), /optimizer\.v holds -1 at index 2/],
  ];
  it('the untampered checkpoint loads', () => {
    const run = runCapped(`await check('ok', () => lib.loadCheckpoint(${JSON.stringify(base)}).epoch);`);
    expect(run.results.get('ok')).toMatchObject({ error: null, value: 2 });
  });
  it('every tampered field is refused with a ModelFileError naming it (one capped child for all)', () => {
    const files = cases.map(([name, make]) => {
      const file = join(dir, `${name.replace(/\W+/g, '-')}.ckpt`);
      writeFileSync(file, make());
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
    // The CLI says it in one line, exit code 2.
    const cli = runCli(['train', '--data', csv, ...flags, '--epochs', '3', '--resume', files[0]]);
    expect(cli.status, cli.stderr).toBe(2);
    expect(cli.stderr).toMatch(/^native-mlp: [^\n]*its schedule must hold lr[^\n]*\n$/);
  });
});

describe('resume with nothing to do', () => {
  it.each([['2'], ['1']])('--epochs %s after 2 epochs done exits 2 and says so', (epochs) => {
    const r = runCli(['train', '--data', csv, ...flags, '--epochs', epochs, '--resume', base]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /^native-mlp: nothing to do: .* has 2 epochs done and this run asks for \d in all; pass --epochs \(epochs\) above 2[^\n]*\n$/,
    );
  });
  it("no --epochs: the checkpoint's own count is done, so there is nothing to do", () => {
    const r = runCli(['train', '--data', csv, ...flags, '--resume', base]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nothing to do/);
  });
});
