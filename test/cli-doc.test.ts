/**
 * The CLI's documentation cannot drift from its parser: docs/cli.md is what scripts/cli-doc.mjs
 * draws from the flag table, and every `native-mlp <command> --flag` written in the README's and
 * docs' shell examples names a flag that command takes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS, flagsOf } from '../src/cli/flags.js';
import { assertFreshDist } from './helpers/dist.js';

const root = new URL('..', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const pages = [
  'README.md',
  ...readdirSync(new URL('docs/', root))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The `native-mlp <command> ...` invocations in a page's sh code blocks (continued lines joined). */
function invocations(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```(?:sh|bash|console)\n([\s\S]*?)```/g)].map((m) => m[1].replace(/\\\n/g, ' '));
  return blocks
    .flatMap((b) => b.split('\n'))
    .map((l) => l.replace(/#.*$/, ''))
    .filter((l) => /native-mlp \w/.test(l));
}

describe('docs/cli.md and the examples follow the flag table', () => {
  it('docs/cli.md is what scripts/cli-doc.mjs generates', async () => {
    assertFreshDist();
    const { cliMarkdown } = await import('../scripts/cli-doc.mjs');
    expect(read('docs/cli.md'), 'run: npm run build:ts && node scripts/cli-doc.mjs').toBe(cliMarkdown());
  });

  it('every flag in a shell example exists for its command', () => {
    const names = new Set(COMMANDS.map((c) => c.name));
    let checked = 0;
    for (const page of pages) {
      for (const line of invocations(read(page))) {
        const [, command, rest] = line.match(/native-mlp (\w+)(.*)/)!;
        if (!names.has(command)) continue;
        const known = new Set(flagsOf(command).map((f) => f.name));
        for (const [, flag] of rest.matchAll(/(?:^|\s)--([a-z][a-z0-9-]*)/g)) {
          expect(known.has(flag), `${page}: native-mlp ${command} has no --${flag}`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});
