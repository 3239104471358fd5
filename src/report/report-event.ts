/**
 * The check of a logged `report` event: every field the page indexes into, with its shape and
 * range, so a damaged or hand-edited log gives one clear line instead of a crash, a huge page
 * or a picture of something else. Unknown fields are refused like those of the other events.
 */
import { type LoggedEvent, ReportError, type ReportEvent } from './events.js';

/** Largest image side the report draws (a hand-edited log must not make it allocate without bound). */
export const MAX_SIDE = 1024;
/** Most classes a report event may name (the page draws fewer: see CLASSES_DRAWN). */
export const MAX_CLASSES = 65536;
/** Most points of a regression sample or a curve, and most mistakes, a log may carry. */
const MAX_POINTS = 100_000;
const MAX_NAME = 4096;

const FIELDS = new Set([
  'event',
  'environment',
  'count',
  'classes',
  'classNames',
  'confusion',
  'perClass',
  'inputKind',
  'imageSide',
  'mistakes',
  'regression',
  'regressionMetrics',
  'curves',
]);
const ENVIRONMENT = ['version', 'node', 'platform', 'cpu', 'cores'];

const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const isNumbers = (v: unknown, length?: number) =>
  Array.isArray(v) && v.length <= Math.max(MAX_POINTS, length ?? 0) && (length === undefined || v.length === length) && v.every(isNum);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasOnly = (o: Record<string, unknown>, keys: string[]) => Object.keys(o).every((k) => keys.includes(k));
const isPairs = (v: unknown) =>
  Array.isArray(v) && v.length <= MAX_POINTS && v.every((p) => isNumbers(p, 2) && p[0] >= 0 && p[0] <= 1 && p[1] >= 0 && p[1] <= 1);

export function checkReportEvent(e: LoggedEvent, where: string): asserts e is LoggedEvent & ReportEvent {
  const bad = (field: string, expected: string): never => {
    throw new ReportError(
      `${where}: field "${field}": expected ${field} of the report event to be ${expected}; write the log again with train --json --report`,
    );
  };
  for (const k of Object.keys(e)) if (!FIELDS.has(k)) bad(k.slice(0, 40), 'absent (not a field of a report event)');
  const r = e as unknown as Partial<ReportEvent>;
  const env = r.environment as unknown;
  if (
    !isObject(env) ||
    !hasOnly(env, ENVIRONMENT) ||
    !ENVIRONMENT.every(
      (k) =>
        env[k] === undefined || (k === 'cores' ? isCount(env[k]) : typeof env[k] === 'string' && (env[k] as string).length <= MAX_NAME),
    )
  ) {
    bad('environment', `an object of ${ENVIRONMENT.join(', ')}`);
  }
  if (!isCount(r.count)) bad('count', 'an integer >= 0');
  const C = r.classes;
  if (C !== undefined && !(Number.isInteger(C) && C >= 1 && C <= MAX_CLASSES)) bad('classes', `an integer from 1 to ${MAX_CLASSES}`);
  if (r.confusion !== undefined && (C === undefined || !isNumbers(r.confusion, C * C) || !r.confusion.every(isCount)))
    bad('confusion', 'classes x classes counts');
  if (
    r.perClass !== undefined &&
    (!Array.isArray(r.perClass) ||
      r.perClass.length !== C ||
      !r.perClass.every(
        (s) =>
          isObject(s) &&
          hasOnly(s, ['precision', 'recall', 'f1', 'support']) &&
          ['precision', 'recall', 'f1', 'support'].every((k) => isNum(s[k])),
      ))
  ) {
    bad('perClass', 'one { precision, recall, f1, support } per class');
  }
  if (
    r.classNames !== undefined &&
    !(Array.isArray(r.classNames) && r.classNames.length === C && r.classNames.every((n) => typeof n === 'string' && n.length <= MAX_NAME))
  ) {
    bad('classNames', 'a list of strings, one per class');
  }
  if (r.inputKind !== undefined && r.inputKind !== 'images' && r.inputKind !== 'rows') bad('inputKind', '"images" or "rows"');
  const side = r.imageSide;
  if (side !== undefined && !(Number.isInteger(side) && side >= 1 && side <= MAX_SIDE))
    bad('imageSide', `an integer from 1 to ${MAX_SIDE}`);
  if (r.mistakes !== undefined) {
    if (side === undefined || C === undefined || !Array.isArray(r.mistakes) || r.mistakes.length > 1000)
      bad('mistakes', 'a list of at most 1000, with imageSide and classes');
    for (const m of r.mistakes!) {
      const ok =
        isObject(m) &&
        hasOnly(m, ['index', 'truth', 'predicted', 'confidence', 'pixels']) &&
        isCount(m.index) &&
        isCount(m.truth) &&
        (m.truth as number) < C! &&
        isCount(m.predicted) &&
        (m.predicted as number) < C! &&
        isNum(m.confidence) &&
        typeof m.pixels === 'string' &&
        /^[A-Za-z0-9+/]*={0,2}$/.test(m.pixels) &&
        Buffer.from(m.pixels, 'base64').length === side! * side!;
      if (!ok) bad('mistakes', `{ index, truth, predicted, confidence, pixels } with base64 pixels of ${side} x ${side} bytes`);
    }
  }
  const g = r.regression as unknown;
  if (
    g !== undefined &&
    !(isObject(g) && hasOnly(g, ['truth', 'predicted']) && isNumbers(g.truth) && isNumbers(g.predicted, (g.truth as number[]).length))
  ) {
    bad('regression', '{ truth, predicted }: two number lists of one length');
  }
  const m = r.regressionMetrics as unknown;
  if (
    m !== undefined &&
    !(isObject(m) && hasOnly(m, ['rmse', 'mae', 'r2']) && isNum(m.rmse) && isNum(m.mae) && (m.r2 === null || isNum(m.r2)))
  ) {
    bad('regressionMetrics', '{ rmse, mae, r2 } numbers');
  }
  if (r.curves !== undefined) {
    const ok =
      Array.isArray(r.curves) &&
      r.curves.length <= 64 &&
      r.curves.every(
        (c) =>
          isObject(c) &&
          hasOnly(c, ['class', 'auc', 'averagePrecision', 'roc', 'pr']) &&
          isCount(c.class) &&
          (C === undefined || (c.class as number) < C) &&
          isNum(c.auc) &&
          isNum(c.averagePrecision) &&
          isPairs(c.roc) &&
          isPairs(c.pr),
      );
    if (!ok) bad('curves', 'a list of { class, auc, averagePrecision, roc, pr } with pairs in [0, 1]');
  }
}
