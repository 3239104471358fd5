/**
 * The report's packages (vega-lite to describe charts, vega to render them to SVG, fast-png to
 * encode images), imported only when a report is asked for: they are optional, outside the light
 * install, and missing ones are named with the command that installs them.
 */
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

/** The three packages, imported once; a ReportError naming the missing ones otherwise. */
export function loadReportLibs(): Promise<ReportLibs> {
  loaded ??= (async () => {
    const missing: string[] = [];
    const [vega, vegaLite, fastPng] = await Promise.all([
      tryImport('vega', () => import('vega'), missing),
      tryImport('vega-lite', () => import('vega-lite'), missing),
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
