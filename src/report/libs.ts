/**
 * The report's packages (vega-lite to describe charts, vega to render them to SVG, fast-png to
 * encode images), imported only when a report is asked for: they are optional, outside the light
 * install, and missing ones are named with the command that installs them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInThisContext } from 'node:vm';
import { ReportError } from './events.js';

export interface ReportLibs {
  vega: typeof import('vega');
  vegaLite: typeof import('vega-lite');
  fastPng: typeof import('fast-png');
}

export const REPORT_PACKAGES = ['vega', 'vega-lite', 'fast-png'] as const;

let loaded: Promise<ReportLibs> | undefined;

async function tryImport<T>(name: string, load: () => Promise<T>, missing: string[]): Promise<T | undefined> {
  try {
    return await load();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw e;
    missing.push(name);
    return undefined;
  }
}

/**
 * A package's single-file build (the browser bundle its package ships beside the module entry),
 * run as CommonJS: vega's module entry imports some thirty packages a file at a time, several
 * times slower to load than the one file holding the same code. The build measures text by
 * estimate, as the module entry does without the native canvas package (not a dependency here).
 * Without such a file (another release's layout), the module entry is imported.
 */
async function loadBundle<T>(name: string, bundle: string, deps: Record<string, unknown>): Promise<T> {
  const file = join(dirname(fileURLToPath(import.meta.resolve(name))), bundle);
  if (!existsSync(file)) return (await import(name)) as T;
  const run = runInThisContext(`(function (exports, module, require) {${readFileSync(file, 'utf8')}\n})`, { filename: file });
  const module = { exports: {} };
  run(module.exports, module, (dep: string) => deps[dep]);
  return module.exports as T;
}

/** The three packages, imported once; a ReportError naming the missing ones otherwise. */
export function loadReportLibs(): Promise<ReportLibs> {
  loaded ??= (async () => {
    const missing: string[] = [];
    const vega = await tryImport('vega', () => loadBundle<ReportLibs['vega']>('vega', 'vega.min.js', {}), missing);
    const [vegaLite, fastPng] = await Promise.all([
      tryImport(
        'vega-lite',
        // Its bundle takes vega from the caller; with vega missing, the import only tells whether vega-lite is there.
        () => (vega ? loadBundle<ReportLibs['vegaLite']>('vega-lite', 'vega-lite.min.js', { vega }) : import('vega-lite')),
        missing,
      ),
      tryImport('fast-png', () => import('fast-png'), missing),
    ]);
    if (!vega || !vegaLite || !fastPng) {
      loaded = undefined;
      throw new ReportError(
        `the HTML report needs the optional packages ${REPORT_PACKAGES.join(', ')} (missing: ${missing.join(', ')}); ` +
          `install them with: npm install ${REPORT_PACKAGES.join(' ')}`,
      );
    }
    return { vega, vegaLite, fastPng };
  })();
  return loaded;
}
