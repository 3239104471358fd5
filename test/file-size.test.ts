/**
 * No source file in src/, native/ or test/ over 400 lines (test/fixtures/ holds data, not code):
 * a file that grows past it has two jobs and should be split (docs/development.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const MAX_LINES = 400;
const SOURCE = /\.(ts|mts|mjs|js|cc|h|S|py|sh)$/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return path === join(root, 'test', 'fixtures') ? [] : sources(path);
    return SOURCE.test(e.name) ? [path] : [];
  });
}

it(`no source file in src/, native/ or test/ is over ${MAX_LINES} lines`, () => {
  const files = ['src', 'native', 'test'].flatMap((d) => sources(join(root, d)));
  expect(files.length).toBeGreaterThan(100);
  const long = files
    .map((f) => ({ file: relative(root, f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
    .filter((f) => f.lines > MAX_LINES)
    .map((f) => `${f.file}: ${f.lines} lines`);
  expect(long).toEqual([]);
});
