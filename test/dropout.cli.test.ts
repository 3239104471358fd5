/**
 * --dropout through the CLI as a user runs it: the start event and the model file record it, the
 * saved model predicts the same rows the same way every time and eval reproduces train's test
 * event (dropout is off outside training), and bad values are one line with exit code 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { assertFreshDist } from './helpers/dist.js';

assertFreshDist();

const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const penguins = fileURLToPath(new URL('./fixtures/penguins.csv', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'native-mlp-dropout-cli-'));
const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const jsonLines = (s: string) =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const QUICK = ['--hidden', '16,8', '--epochs', '5', '--batch', '32', '--optimizer', 'adam', '--lr', '0.01'];

it('train --dropout 0.3 says so, saves a model that predicts deterministically, and eval agrees with its test event', () => {
  const lines = readFileSync(penguins, 'utf8').trim().split('\n');
  const trainFile = join(tmp, 'train.csv');
  const testFile = join(tmp, 'test.csv');
  writeFileSync(trainFile, [lines[0], ...lines.slice(1).filter((_, i) => i % 4 !== 0)].join('\n') + '\n');
  writeFileSync(testFile, [lines[0], ...lines.slice(1).filter((_, i) => i % 4 === 0)].join('\n') + '\n');
  const model = join(tmp, 'penguins.safetensors');
  const t = cli([
    'train',
    '--json',
    '--data',
    trainFile,
    '--test',
    testFile,
    '--target',
    'Species',
    ...QUICK,
    '--dropout',
    '0.3',
    '--save',
    model,
  ]);
  expect(t.code, t.stderr).toBe(0);
  const events = jsonLines(t.stdout);
  expect(events.find((e) => e.event === 'start')).toMatchObject({ dropout: 0.3 });
  expect(readFileSync(model).subarray(0, 8192).toString('latin1')).toMatch(/\\"dropout\\":0\.3/);
  // Evaluation runs without dropout: eval on the saved model gives the test event's numbers.
  const test = events.find((e) => e.event === 'test')!;
  const e = cli(['eval', '--json', '--model', model, '--data', testFile]);
  expect(e.code, e.stderr).toBe(0);
  const ev = jsonLines(e.stdout)[0];
  for (const k of ['testAccuracy', 'testLoss']) expect(ev[k]).toBe(test[k]);
  // And so does predict: the same rows, the same answers, every time.
  const p1 = cli(['predict', '--json', '--model', model, '--input', testFile]);
  const p2 = cli(['predict', '--json', '--model', model, '--input', testFile]);
  expect(p1.code, p1.stderr).toBe(0);
  expect(jsonLines(p1.stdout)).toHaveLength(lines.slice(1).filter((_, i) => i % 4 === 0).length);
  expect(p2.stdout).toBe(p1.stdout);
}, 120_000);

for (const value of ['1', '1.5', '-0.1', 'NaN', 'half']) {
  it(`train --dropout ${value} is refused in one line with exit code 2`, () => {
    const r = cli(['train', '--data', penguins, '--target', 'Species', '--dropout', value]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`native-mlp: --dropout must be a number in [0, 1) in decimal, got "${value}"`);
  });
}
