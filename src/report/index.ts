/**
 * The HTML report: written during a run (`train --report`, `bench --report`) or afterwards from a
 * saved log (`native-mlp report RUN.jsonl`). Rendering needs the optional packages of libs.ts.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { BenchReport } from '../bench/run.js';
import { writeFileAtomic } from '../model/atomic-write.js';
import { renderBenchReport } from './bench.js';
import { type LoggedEvent, parseRunLog, ReportError } from './events.js';
import { loadReportLibs } from './libs.js';
import { renderTrainingReport } from './training.js';

export { analyzeClassifier, classScores, MISTAKES_SHOWN, regressionPoints, squareSide } from './analysis.js';
export { type ClassScore, type LoggedEvent, type Mistake, parseRunLog, type ReportEvent, ReportError } from './events.js';
export { loadReportLibs, REPORT_PACKAGES } from './libs.js';

export async function trainingReportHtml(events: LoggedEvent[]): Promise<string> {
  return renderTrainingReport(await loadReportLibs(), events);
}

export async function benchReportHtml(report: BenchReport): Promise<string> {
  return renderBenchReport(await loadReportLibs(), report);
}

/** Checks, before a long run, that the report can be written where asked (its folder exists). */
export function checkReportTarget(file: string): void {
  const dir = dirname(resolve(file));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ReportError(`--report ${file}: folder ${dir} does not exist; create it or choose another path`);
  }
}

/** Writes the page atomically, so a failed write never leaves half a report. */
export function writeReport(file: string, html: string): void {
  writeFileAtomic(file, new TextEncoder().encode(html));
}

/** A bench report (one JSON object of `bench --json`) or a training log (JSON Lines of `train --json`). */
export async function reportHtmlFromFile(file: string): Promise<string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ReportError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const whole = text.trim();
  if (whole.startsWith('{') && !whole.includes('\n')) {
    let one: Record<string, unknown> | undefined;
    try {
      one = JSON.parse(whole) as Record<string, unknown>;
    } catch {
      // not one JSON object: parseRunLog names the bad line
    }
    if (Array.isArray(one?.columns) && typeof one?.machine === 'object') return benchReportHtml(one as unknown as BenchReport);
  }
  return trainingReportHtml(parseRunLog(text, file));
}
