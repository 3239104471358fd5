/**
 * The HTML report: written during a run (`train --report`, `bench --report`) or afterwards from
 * saved logs (`native-mlp report RUN.jsonl`, several logs or a sweep's runs.jsonl for a
 * comparison). Logs are read with the package's bounded reader and checked against the schema
 * (schema.ts) before anything is drawn; the page is built with markup.ts, which escapes every
 * value by construction. Rendering needs the optional packages of libs.ts.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { BenchReport } from '../bench/run.js';
import { readBounded } from '../io/read-file.js';
import { writeFileAtomic } from '../model/atomic-write.js';
import { renderBenchReport } from './bench.js';
import { checkBenchReport } from './bench-schema.js';
import { renderComparison } from './compare.js';
import { type LoggedEvent, ReportError } from './events.js';
import { loadReportLibs } from './libs.js';
import { type CompareOptions, type ComparedRun, checkRun, runFromLog } from './runs.js';
import { checkEvent, parseRunLog } from './schema.js';
import { renderTrainingReport } from './training.js';

export { analyzeRun, classScores, MISTAKES_SHOWN, regressionPoints, squareSide } from './analysis.js';
export { chartWarnings } from './charts.js';
export { classCurve, classCurves, regressionMetrics } from './curves.js';
export {
  type ClassCurve,
  type ClassScore,
  type LoggedEvent,
  type Mistake,
  type RegressionMetrics,
  type ReportEvent,
  ReportError,
} from './events.js';
export { loadReportLibs, REPORT_PACKAGES } from './libs.js';
export { type CompareOptions, type ComparedRun, checkRun, runFromLog, type SettingValue } from './runs.js';
export { parseRunLog } from './schema.js';

/** Largest log the report reads (a sweep of 1,000 long runs fits well below it). */
export const MAX_LOG_BYTES = 64 * 1024 * 1024;

/** A run log's events as one page; the events are checked against the schema first (a caller's array too). */
export async function trainingReportHtml(events: LoggedEvent[]): Promise<string> {
  events.forEach((e, i) => checkEvent(e, `event ${i + 1}`));
  if (!events.some((e) => e.event === 'start')) throw new ReportError('the events have no "start" event');
  return renderTrainingReport(await loadReportLibs(), events);
}

export async function benchReportHtml(report: BenchReport): Promise<string> {
  checkBenchReport(report, 'the bench report');
  return renderBenchReport(await loadReportLibs(), report);
}

/**
 * The comparison page of several runs (a sweep's runs, or train logs through runFromLog): curves
 * overlaid, each varying setting against the metric, a table sorted by the metric, the best run
 * highlighted. Every run is checked first (checkRun); options.metric names the final metric to
 * rank by (default: validationAccuracy, validationRmse, validationLoss ... whichever the runs have;
 * when no run has it, as when every run of a sweep failed, the page says so and ranks nothing).
 */
export async function compareReportHtml(runs: ComparedRun[], options: CompareOptions = {}): Promise<string> {
  if (!Array.isArray(runs) || runs.length === 0) throw new ReportError('expected at least one run to compare');
  runs.forEach((r, i) => checkRun(r, `run ${i + 1}`));
  return renderComparison(await loadReportLibs(), runs, options);
}

/** A metric asked for by name (--metric) that no run has is a typo: refused, naming the ones they have. */
function checkMetric(runs: ComparedRun[], metric: string | undefined): void {
  if (metric === undefined || runs.some((r) => typeof r.final[metric] === 'number')) return;
  const known = [...new Set(runs.flatMap((r) => Object.keys(r.final)))];
  throw new ReportError(`--metric ${metric.slice(0, 40)}: no run has it; the runs have ${known.join(', ') || 'no final metrics'}`);
}

/** Checks, before a long run, that the report can be written where asked (its folder exists, the path is not a folder or device). */
export function checkReportTarget(file: string, flag = '--report'): void {
  const dir = dirname(resolve(file));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ReportError(`${flag} ${file}: folder ${dir} does not exist; create it or choose another path`);
  }
  if (existsSync(file) && !statSync(file).isFile()) {
    throw new ReportError(
      `${flag} ${file}: is ${statSync(file).isDirectory() ? 'a folder' : 'not a regular file'}; name an HTML file to write`,
    );
  }
}

/** Writes the page atomically, so a failed write never leaves half a report. */
export function writeReport(file: string, html: string): void {
  writeFileAtomic(file, new TextEncoder().encode(html));
}

/** A log's text: a regular file (a FIFO or device is refused at once), at most MAX_LOG_BYTES, UTF-8. */
export function readLog(file: string): string {
  const bytes = readBounded(
    file,
    MAX_LOG_BYTES,
    (m) => {
      throw new ReportError(m);
    },
    'the report reads logs up to 64 MiB',
  );
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ReportError(`${file}: is not UTF-8 text; expected the JSON Lines of train --json`);
  }
}

type Parsed = { kind: 'bench'; report: BenchReport } | { kind: 'log'; events: LoggedEvent[] } | { kind: 'runs'; runs: ComparedRun[] };

/** One file: a bench report (one JSON object with machine and columns), a sweep's runs.jsonl, or a train --json log. */
export function parseReportFile(file: string): Parsed {
  const text = readLog(file);
  const first =
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? '';
  let head: Record<string, unknown> | undefined;
  try {
    head = JSON.parse(first) as Record<string, unknown>;
  } catch {
    // not JSON: parseRunLog names the line
  }
  if (head && typeof head === 'object' && Array.isArray(head.columns) && typeof head.machine === 'object' && text.trim() === first) {
    checkBenchReport(head, file);
    return { kind: 'bench', report: head as unknown as BenchReport };
  }
  if (head && typeof head === 'object' && !('event' in head) && 'run' in head) {
    const runs: ComparedRun[] = [];
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new ReportError(
          `${file} line ${i + 1}: expected a JSON object (a line of a sweep's runs.jsonl) but received ${JSON.stringify(line.slice(0, 40))}`,
        );
      }
      checkRun(value, `${file} line ${i + 1}`);
      runs.push(value);
    });
    return { kind: 'runs', runs };
  }
  return { kind: 'log', events: parseRunLog(text, file) };
}

/**
 * The page for `native-mlp report FILE...`: one train log -> the training report; one bench
 * report -> the bench report; a runs.jsonl or several files -> the comparison of their runs.
 */
export async function reportHtmlFromFiles(files: string[], options: CompareOptions = {}): Promise<string> {
  const parsed = files.map((f) => ({ file: f, ...parseReportFile(f) }));
  if (parsed.length === 1 && parsed[0].kind === 'log' && options.metric === undefined) return trainingReportHtml(parsed[0].events);
  if (parsed.length === 1 && parsed[0].kind === 'bench') return benchReportHtml(parsed[0].report);
  const names = files.map((f) => basename(f));
  const runs: ComparedRun[] = [];
  for (const [i, p] of parsed.entries()) {
    if (p.kind === 'bench') throw new ReportError(`${p.file}: a bench report cannot be compared with training runs; give it alone`);
    const label = names.filter((n) => n === names[i]).length > 1 ? p.file : names[i];
    if (p.kind === 'log') runs.push(runFromLog(p.events, label));
    else runs.push(...(parsed.length > 1 ? p.runs.map((r) => ({ ...r, run: `${label}: ${r.run}` })) : p.runs));
  }
  checkMetric(runs, options.metric);
  return compareReportHtml(runs, options);
}

/** One file (kept for callers of the single-log form). */
export const reportHtmlFromFile = (file: string) => reportHtmlFromFiles([file]);
