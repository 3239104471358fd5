/**
 * Hostile class: what a CLI user can cause. Every case is one line on stderr starting with
 * "native-mlp: ", exit code 2, no stack trace, within the capped child's time and memory; strict
 * number parsing (decimal only, finite, in range, no subnormal learning rate); a closed stdout
 * ends the process quietly.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeIdx } from '../../src/data/idx.js';
import { CAP_KB, CLI, runCli } from '../helpers/capped.js';

const dir = mkdtempSync(join(tmpdir(), 'native-mlp-cli-hostile-'));

function expectOneLine(args: string[], pattern: RegExp) {
  const r = runCli(args, { timeoutMs: 15_000 });
  const what = args.join(' ');
  expect(r.signal, what).toBeNull();
  expect(r.status, `${what}: ${r.stderr}`).toBe(2);
  expect(r.stderr, what).toMatch(/^native-mlp: [^\n]*\n$/);
  expect(r.stderr, what).not.toMatch(/\n\s+at /);
  expect(r.stderr, what).toMatch(pattern);
}

describe('strict number flags', () => {
  const bad: [string, string, RegExp][] = [
    ['--epochs', '0x2', /--epochs must be an integer from 1 to 100000 in decimal digits, got "0x2"/],
    ['--epochs', '0b10', /--epochs must be an integer/],
    ['--epochs', '0o2', /--epochs must be an integer/],
    ['--epochs', '2e0', /--epochs must be an integer/],
    ['--epochs', ' 2', /--epochs must be an integer/],
    ['--epochs', '2 ', /--epochs must be an integer/],
    ['--epochs', '+2', /--epochs must be an integer/],
    ['--epochs', '2.0', /--epochs must be an integer/],
    ['--epochs', '1_0', /--epochs must be an integer/],
    ['--epochs', '', /--epochs must be an integer/],
    ['--epochs', '100001', /--epochs must be an integer from 1 to 100000/],
    ['--epochs', '99999999999999999999', /--epochs must be an integer/],
    ['--batch', '0x80', /--batch must be an integer/],
    ['--batch', '-1', /--batch must be an integer/],
    ['--seed', '1e3', /--seed must be an integer/],
    ['--seed', '9007199254740993', /--seed must be an integer/],
    ['--threads', '0x4', /--threads must be an integer/],
    ['--threads', '257', /--threads must be an integer from 1 to 256/],
    ['--lr', '1e-320', /--lr must be from 1\.1754943508222875e-38 .* got "1e-320"/],
    ['--lr', '1e-39', /--lr must be from/],
    ['--lr', '1e39', /--lr must be from/],
    ['--lr', 'Infinity', /--lr must be a number > 0 in decimal/],
    ['--lr', '0x1', /--lr must be a number > 0 in decimal/],
    ['--lr', '0', /--lr must be a number > 0/],
    ['--lr', '-0.1', /--lr must be a number > 0/],
    ['--lr', '1e999', /--lr must be a number > 0/],
    ['--lr', '.', /--lr must be a number > 0/],
    ['--lr', '0.1.2', /--lr must be a number > 0/],
    ['--hidden', '0x10', /--hidden must be layer sizes/],
    ['--hidden', '1e2', /--hidden must be layer sizes/],
    ['--hidden', '64,,32', /--hidden must be layer sizes/],
    ['--hidden', '64, 32', /--hidden must be layer sizes/],
  ];
  it.each(bad)('train %s %j', async (flag, value, pattern) => {
    const { UsageError } = await import('../../src/cli/args.js');
    const { parseTrainArgs } = await import('../../src/cli/train-args.js');
    expect(() => parseTrainArgs([flag, value])).toThrow(UsageError);
    expect(() => parseTrainArgs([flag, value])).toThrow(pattern);
  });

  it('from the command line: one line and exit code 2 (a sample of the above)', () => {
    for (const [flag, value, pattern] of [bad[0], bad[18], bad[22], bad[28]]) expectOneLine(['train', flag, value], pattern);
  });

  it('accepts the decimal forms: --lr .5, 1e-3, 0.1; --epochs 007', async () => {
    const { parseTrainArgs } = await import('../../src/cli/train-args.js');
    expect(parseTrainArgs(['--lr', '.5']).config.lr).toBe(0.5);
    expect(parseTrainArgs(['--lr', '1e-3']).config.lr).toBe(0.001);
    expect(parseTrainArgs(['--lr', '1.1754943508222875e-38']).config.lr).toBe(2 ** -126);
    expect(parseTrainArgs(['--epochs', '007']).config.epochs).toBe(7);
    expect(parseTrainArgs(['--hidden', '256,64']).config.hidden).toEqual([256, 64]);
  });
});

describe('user-caused errors are one line, never a stack trace', () => {
  it('memory and thread budgets', () => {
    expectOneLine(
      ['train', '--hidden', '1000000'],
      /Training layers 784-1000000-10 with batches of 128 needs [\d.]+ GiB, more than the limit of 2\.0 GiB/,
    );
    expectOneLine(['train', '--hidden', '1048576,1048576'], /needs [\d.]+ GiB/);
    expectOneLine(['train', '--batch', '1048576', '--hidden', '4096'], /needs [\d.]+ GiB/);
    expectOneLine(['train', '--backend', 'js', '--threads', '200'], /--threads 200: Expected threads to be an integer in \[0, 16\]/);
  });

  it('model files: nested JSON, a folder, a device, garbage, a truncated file', () => {
    const nested = join(dir, 'nested.safetensors');
    const h = Buffer.from(`{"a":${'['.repeat(100000)}${']'.repeat(100000)}}`);
    const b = Buffer.alloc(8 + h.length);
    b.writeBigUInt64LE(BigInt(h.length));
    h.copy(b, 8);
    writeFileSync(nested, b);
    writeFileSync(join(dir, 'garbage'), 'hello world, not a model');
    writeFileSync(join(dir, 'short'), Buffer.from([1, 2, 3]));
    const images = join(dir, 'raw.bin');
    writeFileSync(images, new Uint8Array(784));
    expectOneLine(['predict', '--model', nested, '--input', images], /nested\.safetensors: header JSON has a nesting deeper than 8 levels/);
    expectOneLine(['predict', '--model', dir, '--input', images], /is a folder, not a regular file/);
    expectOneLine(['predict', '--model', '/dev/zero', '--input', images], /\/dev\/zero: is a character device/);
    expectOneLine(['predict', '--model', join(dir, 'garbage'), '--input', images], /garbage: header length \d+ exceeds the limit/);
    expectOneLine(['predict', '--model', join(dir, 'short'), '--input', images], /too short for a safetensors header/);
    expectOneLine(['eval', '--model', join(dir, 'nope')], /nope: cannot read: no such file \(ENOENT\)/);
  });

  it('data files: a folder where a file should be, an empty data set', () => {
    const data = join(dir, 'data-dir');
    mkdirSync(join(data, 'train-images-idx3-ubyte'), { recursive: true });
    writeFileSync(join(data, 'train-labels-idx1-ubyte'), encodeIdx([1], new Uint8Array(1)));
    writeFileSync(join(data, 't10k-images-idx3-ubyte'), encodeIdx([1, 28, 28], new Uint8Array(784)));
    writeFileSync(join(data, 't10k-labels-idx1-ubyte'), encodeIdx([1], new Uint8Array(1)));
    expectOneLine(['train', '--data', data], /train-images-idx3-ubyte: is a folder, not a regular file/);
    const empty = join(dir, 'data-empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'train-images-idx3-ubyte'), encodeIdx([0, 28, 28], new Uint8Array(0)));
    writeFileSync(join(empty, 'train-labels-idx1-ubyte'), encodeIdx([0], new Uint8Array(0)));
    writeFileSync(join(empty, 't10k-images-idx3-ubyte'), encodeIdx([1, 28, 28], new Uint8Array(784)));
    writeFileSync(join(empty, 't10k-labels-idx1-ubyte'), encodeIdx([1], new Uint8Array(1)));
    expectOneLine(['train', '--data', empty], /train-images-idx3-ubyte: holds no data \(0x28x28\)/);
  });
});

describe('a closed stdout', () => {
  it('predict ... | head -1 ends quietly (no EPIPE trace)', () => {
    const input = join(dir, 'many.bin');
    writeFileSync(input, new Uint8Array(784 * 20000));
    const model = join(dir, 'epipe.safetensors');
    spawnSync(process.execPath, [
      '--input-type=module',
      '-e',
      `const lib = await import(${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)}); lib.saveModel(${JSON.stringify(model)}, lib.createModel({ sizes: [784, 8, 10] }));`,
    ]);
    const r = spawnSync(
      '/bin/sh',
      [
        '-c',
        `ulimit -v ${CAP_KB}; "$0" "$1" predict --backend js --model "$2" --input "$3" | head -1; echo "status=$?"`,
        process.execPath,
        CLI,
        model,
        input,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(r.stdout).toMatch(/^0\t\d\t0\.\d{4}\nstatus=0\n$/);
    expect(r.stderr).toBe('');
  });
});
