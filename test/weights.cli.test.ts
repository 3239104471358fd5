/**
 * Class and sample weights through the CLI on a real table (Seattle's weather: 641 rain, 640 sun,
 * 101 fog, 53 drizzle, 26 snow): --class-weight balanced raises the balanced accuracy over the
 * unweighted run (same seed), rows of weight 0 in --weight-column do not steer training (their
 * labels are poisoned: ignoring the column ruins the model, honouring it does not), the settings
 * are recorded by --save, and every bad input is one line with exit code 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../src/model/safetensors.js';
import { assertFreshDist } from './helpers/dist.js';

const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const weather = fileURLToPath(new URL('./fixtures/seattle-weather.csv', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'native-mlp-weights-cli-'));
const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const events = (s: string) =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const testEvent = (s: string) =>
  events(s).find((e) => e.event === 'test') as { testAccuracy: number; testBalancedAccuracy: number; testLoss: number };

const CLASSES = ['drizzle', 'fog', 'rain', 'snow', 'sun'];
const lines = readFileSync(weather, 'utf8').trim().split('\n');
const header = lines[0];
const rows = lines.slice(1);
/** A CSV file in the temporary folder from a header and rows. */
const csv = (name: string, head: string, body: string[]) => {
  const path = join(tmp, name);
  writeFileSync(path, [head, ...body].join('\n') + '\n');
  return path;
};

beforeAll(() => assertFreshDist());

describe('--class-weight balanced', () => {
  it('raises the balanced accuracy on the imbalanced weather classes (same seed, same split)', () => {
    const run = (extra: string[]) => cli(['train', '--json', '--data', weather, '--target', 'weather', '--epochs', '40', ...extra]);
    const plain = run([]);
    const balanced = run(['--class-weight', 'balanced']);
    expect(plain.code).toBe(0);
    expect(balanced.code).toBe(0);
    const p = testEvent(plain.stdout),
      b = testEvent(balanced.stdout);
    // Unweighted, the rare classes (fog, drizzle, snow) are almost never predicted.
    expect(b.testBalancedAccuracy).toBeGreaterThan(p.testBalancedAccuracy + 0.08);
    const start = events(balanced.stdout).find((e) => e.event === 'start') as { classWeights: number[] };
    // balanced: the rare classes weigh most, rain and sun about 1 / (5 * 0.44).
    expect(start.classWeights).toHaveLength(5);
    expect(start.classWeights[3]).toBeGreaterThan(start.classWeights[0]); // snow over drizzle
    expect(start.classWeights[2]).toBeLessThan(0.6);
    expect(events(plain.stdout).find((e) => e.event === 'start')).not.toHaveProperty('classWeights');
  }, 240_000);

  it('NAME=W weights by class name; --save records the setting in train_config', () => {
    const model = join(tmp, 'weighted.safetensors');
    const r = cli([
      'train',
      '--data',
      weather,
      '--target',
      'weather',
      '--epochs',
      '2',
      '--class-weight',
      'fog=3,snow=4.5',
      '--save',
      model,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('loss weighted by class weights 1, 3, 1, 4.5, 1');
    const config = JSON.parse(loadModel(model).metadata.train_config) as Record<string, unknown>;
    expect(config.classWeight).toEqual({ fog: 3, snow: 4.5 });
  }, 120_000);
});

describe('--weight-column', () => {
  it('rows of weight 0 do not steer training: poisoned copies ruin the model unless their weight is honoured', () => {
    const test = rows.filter((_, i) => i % 5 === 0);
    const train = rows.filter((_, i) => i % 5 !== 0);
    // Each training row twice more, labelled with the next class and weighing 0.
    const rotate = (r: string) => r.replace(/[a-z]+$/, (c) => CLASSES[(CLASSES.indexOf(c) + 1) % CLASSES.length]);
    const testFile = csv(
      'test.csv',
      `${header},w`,
      test.map((r) => `${r},1`),
    );
    const clean = csv(
      'clean.csv',
      `${header},w`,
      train.map((r) => `${r},1`),
    );
    const poisoned = csv(
      'poisoned.csv',
      `${header},w`,
      train.flatMap((r) => [`${r},1`, `${rotate(r)},0`, `${rotate(r)},0`]),
    );
    const run = (data: string, extra: string[]) =>
      cli(['train', '--json', '--data', data, '--test', testFile, '--target', 'weather', '--epochs', '30', ...extra]);
    const a = run(poisoned, ['--weight-column', 'w']);
    const b = run(clean, ['--weight-column', 'w']);
    const c = run(poisoned, ['--ignore', 'w']);
    for (const r of [a, b, c]) expect(r.code, r.stderr).toBe(0);
    expect(a.stderr).toBe(''); // the weight column is not reported as a left-out feature
    const [ta, tb, tc] = [testEvent(a.stdout), testEvent(b.stdout), testEvent(c.stdout)];
    expect(tc.testAccuracy).toBeLessThan(0.4); // the poison, when it counts
    expect(ta.testAccuracy).toBeGreaterThan(tb.testAccuracy - 0.05);
    expect(ta.testAccuracy).toBeGreaterThan(tc.testAccuracy + 0.3);
    expect(events(a.stdout).find((e) => e.event === 'start')).toMatchObject({ sampleWeights: true, layers: [11, 100, 5] });
    const shown = cli(['inspect', poisoned, '--target', 'weather', '--weight-column', 'w']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/\nw +numeric .*excluded: sample weights \(--weight-column\)/);
  }, 240_000);
});

describe('bad weights: one line, exit code 2', () => {
  const head = `${header},w`;
  const body = (w: (i: number) => string) => rows.slice(0, 60).map((r, i) => `${r},${w(i)}`);
  const cases: [string, () => string[], RegExp][] = [
    [
      'a missing weight',
      () => [
        '--data',
        csv(
          'missing.csv',
          head,
          body((i) => (i === 7 ? '' : '1')),
        ),
        '--weight-column',
        'w',
      ],
      /missing\.csv: line 9, column "w" \(--weight-column\): the weight is missing/,
    ],
    [
      'a negative weight',
      () => [
        '--data',
        csv(
          'negative.csv',
          head,
          body((i) => (i === 3 ? '-2' : '1')),
        ),
        '--weight-column',
        'w',
      ],
      /negative\.csv: line 5, column "w" \(--weight-column\): "?-2"? is not a weight/,
    ],
    [
      'an infinite weight',
      () => [
        '--data',
        csv(
          'inf.csv',
          head,
          body((i) => (i === 4 ? '1e39' : '1')),
        ),
        '--weight-column',
        'w',
      ],
      /inf\.csv: line 6, column "w": "1e39" is beyond the float32 range/,
    ],
    [
      'a NaN weight',
      () => [
        '--data',
        csv(
          'nan.csv',
          head,
          body((i) => (i === 5 ? 'NaN' : '1')),
        ),
        '--weight-column',
        'w',
      ],
      /nan\.csv: line 7, column "w".*the weight is missing/,
    ],
    [
      'a text weight',
      () => [
        '--data',
        csv(
          'text.csv',
          head,
          body((i) => (i === 2 ? 'heavy' : '1')),
        ),
        '--weight-column',
        'w',
      ],
      /text\.csv: line 4, column "w".*"?heavy"? is not a weight/,
    ],
    [
      'all-zero weights',
      () => [
        '--data',
        csv(
          'zero.csv',
          head,
          body(() => '0'),
        ),
        '--weight-column',
        'w',
      ],
      /every training row has weight 0 in column "w"/,
    ],
    [
      'a weight column that does not exist',
      () => ['--data', weather, '--weight-column', 'mass'],
      /no column named "mass" \(--weight-column\)/,
    ],
    [
      'the target as the weight column',
      () => ['--data', weather, '--weight-column', 'weather'],
      /"weather" is the weight column \(--weight-column\); it cannot also be the target/,
    ],
    [
      'an unknown class name',
      () => ['--data', weather, '--class-weight', 'hail=2'],
      /names class "hail", which the data does not have; its classes are "drizzle", "fog", "rain", "snow", "sun"/,
    ],
    ['a negative class weight', () => ['--data', weather, '--class-weight', 'fog=-1'], /--class-weight must be balanced or NAME=W/],
    [
      'class weights that zero every row',
      () => ['--data', weather, '--class-weight', 'drizzle=0,fog=0,rain=0,snow=0,sun=0'],
      /every sample weight times class weight is 0/,
    ],
    [
      'class weights for regression',
      () => ['--data', weather, '--target', 'temp_max', '--task', 'regress', '--class-weight', 'balanced'],
      /no class weights for a regression run/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(
      what,
      () => {
        const a = args();
        const r = cli(['train', ...(a.includes('--target') ? [] : ['--target', 'weather']), '--epochs', '1', ...a]);
        expect(r.code, r.stderr).toBe(2);
        const out = r.stderr.trim().split('\n');
        expect(out, r.stderr).toHaveLength(1);
        expect(out[0]).toMatch(/^native-mlp: /);
        expect(out[0]).toMatch(message);
      },
      60_000,
    );
  }
});
