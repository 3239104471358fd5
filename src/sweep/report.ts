/**
 * report.html: the comparison report of the sweep's runs (src/report builds it; the sweep only
 * hands it the runs and writes the page). A report that cannot be built is a warning: the sweep's
 * runs are kept either way.
 */
import { writeFileAtomic } from '../model/index.js';
import type { ComparedRun } from '../report/index.js';
import type { RunLine } from './results.js';
import type { RunDir } from './run-dir.js';

/** Writes dir/report.html and returns its path, or warns and returns null. */
export async function writeSweepReport(dir: RunDir, runs: RunLine[], metric: string, warn: (m: string) => void): Promise<string | null> {
  try {
    // Imported here, off every sweep's start-up; its packages are already loading (runPlan starts them with the trainings).
    const { compareReportHtml } = await import('../report/index.js');
    // The report takes runs as runs.jsonl lines read back (open records); these are those lines.
    const html = await compareReportHtml(runs as unknown as ComparedRun[], { metric });
    const file = dir.path('report.html');
    writeFileAtomic(file, new TextEncoder().encode(html));
    return file;
  } catch (e) {
    warn(`report.html not written: ${(e as Error).message}`);
    return null;
  }
}
