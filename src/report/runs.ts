/**
 * What the comparison report is drawn from: several runs, each with its settings, its epoch
 * events and its final metrics. A sweep's `runs.jsonl` holds one `ComparedRun` per line; a
 * `train --json` log becomes one through `runFromLog`. Both are validated here before anything
 * is drawn, so a damaged line gives one message naming the file, the line and the field.
 */
import type { LoggedEvent } from './events.js';
import { ReportError } from './events.js';
import { checkEvent } from './schema.js';

/** A setting's value as a sweep varies it (a learning rate, a width, an optimizer's name, a list of layer widths). */
export type SettingValue = string | number | boolean | null | number[] | string[];

/**
 * One run of a comparison: one line of a sweep's `runs.jsonl`.
 *
 * - `run`: the run's number in the sweep (or, for a train log, the file's name).
 * - `settings`: the settings that vary between runs (and any others worth showing), by flag name
 *   (`lr`, `hidden`, `optimizer` ...). Every setting becomes a column of the table and, when it
 *   varies, a panel of the parameter-vs-metric view.
 * - `epochs`: the run's epoch events as `train --json` prints them (`event: 'epoch'` may be left
 *   out): `epoch`, `loss`, and any of `validationLoss`, `validationAccuracy`, `validationRmse`,
 *   `trainAccuracy`, `trainRmse`, `lr`, `seconds`, `rowsPerSecond` ... The curves are drawn from them.
 * - `final`: the run's final metrics by their event names (`validationAccuracy`,
 *   `validationLoss`, `validationRmse`, `testAccuracy`, `testRmse`, `loss` ...): the table and
 *   the ranking use them.
 * - `seconds`: the run's wall time; `model`: where its model was saved; `error`: why a run that
 *   failed failed (it is listed, never ranked).
 */
export interface ComparedRun {
  run: number | string;
  settings: Record<string, SettingValue>;
  epochs: Array<Record<string, unknown>>;
  final: Record<string, number>;
  seconds?: number;
  model?: string;
  error?: string;
}

/** How to rank the runs: by which final metric (default: the first of METRICS a run has). */
export interface CompareOptions {
  /** A key of `final`, e.g. 'validationAccuracy' (higher is better) or 'validationLoss' (lower is better). */
  metric?: string;
  /** The page's subtitle line (plain text; it is escaped). */
  title?: string;
}

/** Metrics tried in this order when no metric is named. */
export const METRICS = ['validationAccuracy', 'validationRmse', 'validationLoss', 'testAccuracy', 'testRmse', 'testLoss', 'loss'];

/** Accuracies, R² and the like are better high; losses and errors are better low. */
export const higherIsBetter = (metric: string) => /accuracy|r2|auc|f1|precision|recall/i.test(metric);

const SETTING_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

function isSettingValue(v: unknown): v is SettingValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  return Array.isArray(v) && (v.every((x) => typeof x === 'number' && Number.isFinite(x)) || v.every((x) => typeof x === 'string'));
}

/** Checks one run (a runs.jsonl line or a caller's object); `where` names it in the message. */
export function checkRun(value: unknown, where: string): asserts value is ComparedRun {
  const bad = (field: string, expected: string): never => {
    throw new ReportError(`${where}: field "${field}": expected ${expected}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad('run', 'an object { run, settings, epochs, final }');
  const r = value as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!['run', 'settings', 'epochs', 'final', 'seconds', 'model', 'error'].includes(k))
      bad(k, 'no such field (a run has run, settings, epochs, final, seconds, model, error)');
  }
  if (!(typeof r.run === 'string' || (typeof r.run === 'number' && Number.isInteger(r.run)))) bad('run', 'an integer or a name');
  if (typeof r.settings !== 'object' || r.settings === null || Array.isArray(r.settings)) bad('settings', 'an object of setting values');
  for (const [k, v] of Object.entries(r.settings as object)) {
    if (!SETTING_KEY.test(k)) bad(`settings.${k.slice(0, 40)}`, 'a setting name of letters, digits, _ . - (at most 64)');
    if (!isSettingValue(v)) bad(`settings.${k}`, 'a string, finite number, boolean, null or a list of numbers or strings');
  }
  if (!Array.isArray(r.epochs)) bad('epochs', 'a list of epoch events');
  (r.epochs as unknown[]).forEach((e, i) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) bad(`epochs[${i}]`, 'an epoch event object');
    checkEvent({ event: 'epoch', ...(e as object) } as LoggedEvent, `${where}: epochs[${i}]`);
  });
  if (typeof r.final !== 'object' || r.final === null || Array.isArray(r.final)) bad('final', 'an object of metric values');
  for (const [k, v] of Object.entries(r.final as object)) {
    if (!SETTING_KEY.test(k)) bad(`final.${k.slice(0, 40)}`, 'a metric name');
    if (typeof v !== 'number') bad(`final.${k}`, 'a number');
  }
  if (r.seconds !== undefined && !(typeof r.seconds === 'number' && r.seconds >= 0)) bad('seconds', 'a number of seconds >= 0');
  if (r.model !== undefined && typeof r.model !== 'string') bad('model', 'a path');
  if (r.error !== undefined && typeof r.error !== 'string') bad('error', 'a message');
}

/**
 * One train --json log as a run: its start event's settings, its epochs and the last epoch's
 * validation and training metrics plus the test event's as `final`.
 */
export function runFromLog(events: LoggedEvent[], name: string): ComparedRun {
  const start = events.find((e) => e.event === 'start') ?? { event: 'start' };
  const SETTINGS = [
    'layers',
    'epochs',
    'batch',
    'lr',
    'optimizer',
    'schedule',
    'seed',
    'backend',
    'threads',
    'activation',
    'alpha',
    'dropout',
    'momentum',
    'weightDecay',
  ];
  const settings: Record<string, SettingValue> = {};
  for (const k of SETTINGS) if (isSettingValue(start[k])) settings[k] = start[k] as SettingValue;
  const epochs = events.filter((e) => e.event === 'epoch');
  const final: Record<string, number> = {};
  const last = epochs.at(-1);
  for (const [k, v] of Object.entries(last ?? {})) {
    if (typeof v === 'number' && /^(validation|train)|^loss$/.test(k)) final[k] = v;
  }
  for (const e of events.filter((e) => e.event === 'test')) {
    for (const [k, v] of Object.entries(e)) if (typeof v === 'number') final[k] = v;
  }
  const seconds = epochs.reduce(
    (s, e) => s + (typeof e.seconds === 'number' ? e.seconds : 0) + (typeof e.evalSeconds === 'number' ? e.evalSeconds : 0),
    0,
  );
  return { run: name, settings, epochs, final, ...(seconds > 0 ? { seconds } : {}) };
}
