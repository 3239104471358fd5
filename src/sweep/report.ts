/**
 * report.html: the comparison report of the sweep's runs (src/report builds it; the sweep only
 * hands it the runs and writes the page). Without the report's packages the sweep still ends,
 * with a warning saying what to install.
 */
import { writeFileAtomic } from '../model/index.js';
import type { RunLine } from './results.js';
import type { RunDir } from './run-dir.js';

type CompareFn = (runs: RunLine[], options?: { metric?: string }) => string | Promise<string>;

async function comparisonReport(): Promise<CompareFn | undefined> {
  const mod = (await import('../report/index.js')) as Record<string, unknown>;
  return typeof mod.compareReportHtml === 'function' ? (mod.compareReportHtml as CompareFn) : undefined;
}

/** Writes dir/report.html and returns its path, or warns and returns null. */
export async function writeSweepReport(dir: RunDir, runs: RunLine[], metric: string, warn: (m: string) => void): Promise<string | null> {
  try {
    const html = await (await comparisonReport())?.(runs, { metric });
    if (html === undefined) {
      warn('report.html not written: this build has no comparison report; runs.jsonl holds every run');
      return null;
    }
    const file = dir.path('report.html');
    writeFileAtomic(file, new TextEncoder().encode(html));
    return file;
  } catch (e) {
    warn(`report.html not written: ${(e as Error).message}`);
    return null;
  }
}
