/**
 * Some code under test runs from dist/, not src/: worker threads (the TypeScript backend's helper
 * threads, training workers) and child processes (the CLI). `npm test` compiles first (pretest);
 * a bare `npx vitest run` after editing src/ would test the old code there, so the files that
 * load dist/ check first that every compiled file is at least as new as its source.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The src/ files whose dist/ output is missing or older than the source. */
export function staleDist(): string[] {
  const src = join(ROOT, 'src');
  return sources(src)
    .filter((file) => {
      const out = join(ROOT, 'dist', relative(src, file)).replace(/\.ts$/, '.js');
      return !existsSync(out) || statSync(out).mtimeMs < statSync(file).mtimeMs;
    })
    .map((file) => relative(ROOT, file));
}

/** Throws, naming the stale files and what to run, when dist/ is older than src/. */
export function assertFreshDist(): void {
  const stale = staleDist();
  if (stale.length > 0) {
    const list = stale.slice(0, 5).join(', ') + (stale.length > 5 ? ` and ${stale.length - 5} more` : '');
    throw new Error(
      `dist/ is older than src/ (${list}): this test runs compiled code from dist/; ` +
        'run `npm run build:ts` (or `npm test`, which compiles first) and try again',
    );
  }
}
