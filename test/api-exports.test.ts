/**
 * The package exports the documented API only: the runtime exports of src/index.ts are exactly
 * the names in the first column of docs/api.md's "Every export" table, so an export nobody
 * documented, or a documented name that is gone, fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import * as api from '../src/index.js';

const root = join(import.meta.dirname, '..');

/** The identifiers each `code` span of the table's first column starts with. */
function documented(): string[] {
  const doc = readFileSync(join(root, 'docs', 'api.md'), 'utf8');
  const start = doc.indexOf('## Every export');
  expect(start, 'docs/api.md has an "Every export" section').toBeGreaterThan(-1);
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end === -1 ? undefined : end);
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    const first = /^\|([^|]*)\|/.exec(line)?.[1];
    if (!first) continue;
    for (const m of first.matchAll(/`([A-Za-z_$][\w$]*)/g)) names.add(m[1]);
  }
  return [...names].sort();
}

it('src/index.ts exports exactly what docs/api.md documents', () => {
  const exported = Object.keys(api).sort();
  expect(exported.length).toBeGreaterThan(10);
  expect(exported).toEqual(documented());
});
