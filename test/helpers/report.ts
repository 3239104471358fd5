/**
 * What the report test files share: the built CLI, a scratch folder per file, and the check that
 * a page refers to nothing outside itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** A fresh folder under the system temp folder, removed after the calling test file. */
export function scratchDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `native-mlp-${name}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function cli(args: string[], nodeFlags: string[] = []) {
  const r = spawnSync(process.execPath, [...nodeFlags, bin, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Anything in the page that would make a browser fetch from elsewhere. */
const EXTERNAL = /https?:|\/\/[a-z0-9]|\b(src|href)="(?!data:)|url\((?!#)|@import|<script|<link|<iframe/i;

/** The first external reference in a page (inline PNG data left out), or undefined. */
export const externalIn = (html: string) =>
  html
    .replace(/data:image\/png;base64,[A-Za-z0-9+/=]+/g, 'data:')
    .replace(/<script type="application\/json" id="[\w-]+">[^<]*<\/script>/g, '')
    .match(EXTERNAL)?.[0];
