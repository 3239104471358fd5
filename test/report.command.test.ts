/**
 * The report's failure paths: missing optional packages and a bad --report folder are named
 * before training starts; bad logs are named by line and field.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli, scratchDir } from './helpers/report.js';

const dir = scratchDir('report-command');

describe('report command and missing packages', () => {
  it('says in one line how to install the report packages, before training starts', () => {
    // A resolve hook that hides the three packages, as on a light install without them.
    const hooks = join(dir, 'hide-report-packages.mjs');
    writeFileSync(
      hooks,
      `export async function resolve(s, c, next) {
      if (['vega', 'vega-lite', 'fast-png'].includes(s)) throw Object.assign(new Error('Cannot find package ' + s), { code: 'ERR_MODULE_NOT_FOUND' });
      return next(s, c);
    }`,
    );
    const register = join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hooks).href)});`);
    const r = cli(['train', '--json', '--report', join(dir, 'never.html')], ['--import', pathToFileURL(register).href]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(''); // not one epoch trained
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/missing: vega, vega-lite, fast-png\); install them with: npm install vega vega-lite fast-png/);
    expect(existsSync(join(dir, 'never.html'))).toBe(false);
  });

  it('refuses a report path in a missing folder before training', () => {
    const r = cli(['train', '--json', '--report', '/nonexistent-folder/r.html']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--report \/nonexistent-folder\/r.html: folder \/nonexistent-folder does not exist/);
  });

  it('keeps the report packages out of the production install (optional peers, present for development)', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    for (const name of ['vega', 'vega-lite', 'fast-png']) {
      expect(pkg.dependencies?.[name], name).toBeUndefined();
      expect(pkg.optionalDependencies?.[name], name).toBeUndefined();
      expect(pkg.peerDependenciesMeta?.[name]?.optional, name).toBe(true);
      expect(pkg.devDependencies?.[name], name).toBeDefined();
    }
  });

  it('names a bad log line, a log without a start event and a damaged report event', () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"event":"start"}\nEpoch 01 - Training accuracy\n');
    let r = cli(['report', bad, '-o', join(dir, 'x.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.jsonl line 2: expected a JSON object/);
    writeFileSync(bad, '{"event":"epoch","epoch":1}\n');
    r = cli(['report', bad, '-o', join(dir, 'x.html')]);
    expect(r.stderr).toMatch(/no "start" event/);
    r = cli(['report', bad]);
    expect(r.stderr).toMatch(/--output is required/);
    const start = '{"event":"start","layers":[4,2]}\n';
    const damaged: Array<[object, RegExp]> = [
      [{ classes: 2, confusion: [1, 2, 3] }, /confusion of the report event to be classes x classes counts/],
      [
        { classes: 2, imageSide: 2, mistakes: [{ index: 0, truth: 0, predicted: 1, confidence: 1, pixels: 'AAA=' }] },
        /base64 pixels of 2 x 2 bytes/,
      ],
      [{ imageSide: 1e9 }, /imageSide of the report event to be an integer from 1 to 1024/],
      [{ regression: { truth: [1, 2], predicted: [1] } }, /two number lists of one length/],
    ];
    for (const [fields, message] of damaged) {
      writeFileSync(bad, start + JSON.stringify({ event: 'report', environment: {}, count: 1, ...fields }) + '\n');
      r = cli(['report', bad, '-o', join(dir, 'x.html')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/bad\.jsonl line 2: field "\w+": expected /);
      expect(r.stderr).toMatch(message);
    }
  });
});
