/**
 * The CLI on real tables (vega-datasets fixtures): inspect as text and JSON, train --json's schema
 * and warning events, predict --json on rows with missing cells and an unseen category, eval
 * agreeing with train's test event, and bad input as one line with exit code 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'native-mlp-table-cli-'));
const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NATIVE_MLP_BACKEND: 'js' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const jsonLines = (s: string) =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const QUICK = ['--hidden', '16', '--epochs', '5', '--batch', '32', '--optimizer', 'adam', '--lr', '0.01'];

describe('native-mlp inspect', () => {
  it('prints each column: type, missing, distinct, values, what it becomes', () => {
    const r = cli(['inspect', fixture('cars.csv'), '--target', 'Origin']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/cars\.csv: 406 rows, 9 columns \(delimiter ,\) -> \d+ input features/);
    expect(r.stdout).toMatch(/\nName +id +0 +311 +excluded: text unique or nearly unique per row/);
    expect(r.stdout).toMatch(/\nHorsepower +numeric +6 +\d+ +46 \.\. 230 +2 features \(Horsepower, Horsepower \(missing\)\)/);
    expect(r.stdout).toMatch(/\nYear +date +0 +12 +1970-01-01 \.\. 1982-01-01 +\d features \(Year year/);
    expect(r.stdout).toMatch(/\nOrigin +target +0 +3 +Europe 73, Japan 79, USA 254 +target/);
    expect(r.stderr).toMatch(/^native-mlp: warning: column "Name" is left out/);
  });

  it('--json: one object per column', () => {
    const r = cli(['inspect', '--json', fixture('penguins.csv'), '--target', 'Species']);
    expect(r.code).toBe(0);
    const cols = jsonLines(r.stdout);
    expect(cols.map((c) => c.column)).toEqual([
      'Species',
      'Island',
      'Beak Length (mm)',
      'Beak Depth (mm)',
      'Flipper Length (mm)',
      'Body Mass (g)',
      'Sex',
    ]);
    expect(cols[0]).toMatchObject({
      type: 'target',
      missing: 0,
      features: 0,
      classes: [
        { name: 'Adelie', rows: 152 },
        { name: 'Chinstrap', rows: 68 },
        { name: 'Gentoo', rows: 124 },
      ],
    });
    expect(cols[1]).toMatchObject({ type: 'categorical', missing: 0, distinct: 3, features: 3 });
    expect(cols[2]).toMatchObject({ type: 'numeric', missing: 2, features: 2, min: 32.1, max: 59.6 });
    expect(cols[6]).toMatchObject({ type: 'categorical', missing: 10, features: 4 });
  });
});

describe('train, predict and eval on a table', () => {
  it('train --json has the schema in its start event and warnings as events; predict answers rows with missing and unseen cells; eval agrees with the test event', () => {
    const train = join(tmp, 'train.csv');
    const test = join(tmp, 'test.csv');
    const lines = spawnSync('cat', [fixture('cars.csv')], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n');
    writeFileSync(train, [lines[0], ...lines.slice(1).filter((_, i) => i % 5 !== 0)].join('\n') + '\n');
    writeFileSync(test, [lines[0], ...lines.slice(1).filter((_, i) => i % 5 === 0)].join('\n') + '\n');
    const model = join(tmp, 'cars.safetensors');
    const t = cli(['train', '--json', '--data', train, '--test', test, '--target', 'Origin', ...QUICK, '--save', model]);
    expect(t.code).toBe(0);
    const events = jsonLines(t.stdout);
    const warning = events.find((e) => e.event === 'warning');
    expect(warning).toMatchObject({ code: 'excluded-column' });
    expect(t.stderr).toContain(`native-mlp: warning: ${warning!.message}`);
    const start = events.find((e) => e.event === 'start')!;
    expect((start.schema as { column: string }[]).map((c) => c.column)).toEqual(lines[0].split(','));
    const testEvent = events.find((e) => e.event === 'test')!;
    expect(Object.keys(testEvent)).toEqual(['event', 'testAccuracy', 'testLoss', 'testMacroF1', 'testBalancedAccuracy']);

    const e = cli(['eval', '--json', '--model', model, '--data', test]);
    expect(e.code).toBe(0);
    const ev = jsonLines(e.stdout)[0];
    for (const k of ['testAccuracy', 'testLoss', 'testMacroF1', 'testBalancedAccuracy']) expect(ev[k]).toBe(testEvent[k]);

    const rows = join(tmp, 'rows.csv');
    writeFileSync(
      rows,
      'Origin,Name,Miles_per_Gallon,Cylinders,Displacement,Horsepower,Weight_in_lbs,Acceleration,Year,extra\n' +
        ',x,,4,97,,2130,14.5,1972-01-01,1\n,y,NA,6,250,100,3329,15.5,,2\n,z,27,4,A-Z,88,2130,14.5,1972-01-01,3\n',
    );
    const bad = cli(['predict', '--json', '--model', model, '--input', rows]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(/rows\.csv: line 4, column "Displacement": "A-Z" is not a decimal number/);
    writeFileSync(
      rows,
      'Name,Miles_per_Gallon,Cylinders,Displacement,Horsepower,Weight_in_lbs,Acceleration,Year\n' +
        'x,,4,97,,2130,14.5,1972-01-01\ny,NA,6,250,100,3329,15.5,\n',
    );
    const p = cli(['predict', '--json', '--model', model, '--input', rows]);
    expect(p.code).toBe(0);
    const out = jsonLines(p.stdout);
    expect(out).toHaveLength(2);
    for (const r of out) {
      const probs = r.probabilities as Record<string, number>;
      expect(Object.keys(probs)).toEqual(['Europe', 'Japan', 'USA']);
      expect(probs[r.label as string]).toBe(r.probability);
    }
    const top = cli(['predict', '--model', model, '--input', rows, '--top', '2']);
    expect(top.stdout.trim().split('\n')[0]).toMatch(/^0\t(Europe|Japan|USA)\t0\.\d{4}\t(Europe|Japan|USA)\t0\.\d{4}$/);
    const missingCol = join(tmp, 'nocol.csv');
    writeFileSync(missingCol, 'Name,Cylinders\nx,4\n');
    const m = cli(['predict', '--model', model, '--input', missingCol]);
    expect(m.code).toBe(2);
    expect(m.stderr.trim()).toMatch(/nocol\.csv: no column "Miles_per_Gallon", which the model needs/);
  }, 120_000);

  it('predict --json answers every row of penguins with missing cells and an unseen island, and says so on stderr', () => {
    const model = join(tmp, 'penguins.safetensors');
    expect(cli(['train', '--data', fixture('penguins.csv'), '--target', 'Species', ...QUICK, '--save', model]).code).toBe(0);
    const rows = join(tmp, 'penguin-rows.csv');
    writeFileSync(
      rows,
      'Island;Beak Length (mm);Beak Depth (mm);Flipper Length (mm);Body Mass (g);Sex\n' +
        'Atlantis;45,1;NA;210;4500;MALE\nDream;;17,5;?;3600;\nBiscoe;47;15;215;5000;FEMALE\n',
    );
    const p = cli(['predict', '--json', '--model', model, '--input', rows, '--decimal', ',']);
    expect(p.code).toBe(0);
    const out = jsonLines(p.stdout);
    expect(out.map((r) => r.row)).toEqual([0, 1, 2]);
    for (const r of out) expect(['Adelie', 'Chinstrap', 'Gentoo']).toContain(r.label);
    expect(p.stderr.trim()).toBe(
      'native-mlp: warning: column "Island": 1 row had a category not seen in training ("Atlantis"), encoded as all zero',
    );
  }, 120_000);

  it('multi-output regression from CSV: --target a,b', () => {
    const model = join(tmp, 'multi.safetensors');
    const t = cli([
      'train',
      '--json',
      '--data',
      fixture('cars.csv'),
      '--target',
      'Miles_per_Gallon,Horsepower',
      '--task',
      'regress',
      ...QUICK,
      '--save',
      model,
    ]);
    expect(t.code).toBe(0);
    expect((jsonLines(t.stdout).find((e) => e.event === 'start')!.layers as number[]).at(-1)).toBe(2);
    const p = cli(['predict', '--json', '--model', model, '--input', fixture('cars.csv')]);
    expect(Object.keys(jsonLines(p.stdout)[0].values as object)).toEqual(['Miles_per_Gallon', 'Horsepower']);
  }, 120_000);
});

describe('bad table input: one line, exit code 2', () => {
  const semi = join(tmp, 'semi.csv');
  writeFileSync(semi, 'a;b;y\n1,5;2;p\n2,5;3;q\n');
  const cases: Array<[string[], RegExp]> = [
    [['train', '--data', semi, '--target', 'y'], /semi\.csv: line 2, column "a": "1,5" is not a number with "\." decimals; .*--decimal ,/],
    [['inspect', semi, '--delimiter', ';;'], /--delimiter must be one character/],
    [['inspect', semi, '--decimal', ';'], /--decimal must be "\." or ","/],
    [['inspect', semi, '--impute', 'mode'], /--impute must be one of median, mean, zero/],
    [['inspect', semi, '--max-categories', '0'], /--max-categories must be an integer from 1/],
    [['inspect'], /inspect takes one CSV file, got 0/],
    [['inspect', semi, '--decimal', ',', '--target', 'zz'], /no column named "zz" \(--target\)/],
  ];
  for (const [args, message] of cases) {
    it(args.join(' ').replace(tmp, '…'), () => {
      const r = cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
});
