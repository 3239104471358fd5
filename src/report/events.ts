/**
 * What a report is drawn from: the training events (start / epoch / stop / test, as `--json`
 * prints them) plus one `report` event written after the test event. The `report` event holds
 * what the events alone cannot give (the test set's confusion matrix, per-class scores, the most
 * confidently misclassified images, predicted-vs-true pairs for regression, and the environment),
 * so that `native-mlp report RUN.jsonl` rebuilds the same HTML the run wrote.
 */
import { UserError } from '../errors.js';

/** Any event of a run log: the renderer reads the fields it knows and ignores the rest. */
export interface LoggedEvent {
  event: string;
  [field: string]: unknown;
}

/** Per-class scores on the test set. */
export interface ClassScore {
  precision: number;
  recall: number;
  f1: number;
  /** Test examples of this class. */
  support: number;
}

/** One misclassified test image. */
export interface Mistake {
  /** Position in the test set. */
  index: number;
  truth: number;
  predicted: number;
  /** Softmax probability of the predicted class. */
  confidence: number;
  /** The image as side x side grey levels 0-255 (row-major), base64 of the bytes. */
  pixels: string;
}

export interface Environment {
  /** native-mlp's version. */
  version: string;
  node: string;
  platform: string;
  cpu: string;
  cores: number;
}

export interface ReportEvent {
  event: 'report';
  environment: Environment;
  /** Test examples analysed. */
  count: number;
  classes?: number;
  /** Class names, when the data set has them (else the class index is shown). */
  classNames?: string[];
  /** confusion[truth * classes + predicted] counts, classification only. */
  confusion?: number[];
  perClass?: ClassScore[];
  /** Side of a square image (28 for MNIST); absent when the features are not a square. */
  imageSide?: number;
  /** The most confidently misclassified test images, most confident first. */
  mistakes?: Mistake[];
  /** Regression: targets and predictions of (a sample of) the test set, in target units. */
  regression?: { truth: number[]; predicted: number[] };
}

/** Checks the parsed lines of a run log: every line a JSON object with a string `event`. */
export function parseRunLog(text: string, file: string): LoggedEvent[] {
  const events: LoggedEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new ReportError(`${file} line ${i + 1}: expected a JSON object (a line of train --json) but received "${line.slice(0, 40)}"`);
    }
    if (typeof value !== 'object' || value === null || typeof (value as LoggedEvent).event !== 'string') {
      throw new ReportError(`${file} line ${i + 1}: expected an event object with an "event" field but received ${line.slice(0, 40)}`);
    }
    if ((value as LoggedEvent).event === 'report') checkReportEvent(value as LoggedEvent, `${file} line ${i + 1}`);
    events.push(value as LoggedEvent);
  }
  if (!events.some((e) => e.event === 'start')) {
    throw new ReportError(`${file}: no "start" event; expected the JSON Lines of native-mlp train --json`);
  }
  return events;
}

const isNumbers = (v: unknown, length?: number) =>
  Array.isArray(v) && (length === undefined || v.length === length) && v.every((x) => typeof x === 'number');

/** Largest image side the report draws (a hand-edited log must not make it allocate without bound). */
const MAX_SIDE = 1024;

/**
 * Checks the fields of a logged `report` event that the page indexes into, so a damaged or
 * hand-edited log gives one clear line instead of a crash.
 */
export function checkReportEvent(e: LoggedEvent, where: string): asserts e is LoggedEvent & ReportEvent {
  const bad = (field: string, expected: string) => {
    throw new ReportError(`${where}: expected ${field} of the report event to be ${expected}; write the log again with train --json --report`);
  };
  const r = e as unknown as Partial<ReportEvent>;
  if (typeof r.environment !== 'object' || r.environment === null) bad('environment', 'an object');
  const C = r.classes;
  if (C !== undefined && !(Number.isInteger(C) && C >= 1 && C <= 65536)) bad('classes', 'an integer from 1 to 65536');
  if (r.confusion !== undefined && (C === undefined || !isNumbers(r.confusion, C * C))) bad('confusion', 'classes x classes counts');
  if (r.perClass !== undefined && (!Array.isArray(r.perClass) || r.perClass.length !== C ||
    !r.perClass.every((s) => ['precision', 'recall', 'f1', 'support'].every((k) => typeof (s as unknown as Record<string, unknown>)?.[k] === 'number')))) {
    bad('perClass', 'one { precision, recall, f1, support } per class');
  }
  const side = r.imageSide;
  if (side !== undefined && !(Number.isInteger(side) && side >= 1 && side <= MAX_SIDE)) bad('imageSide', `an integer from 1 to ${MAX_SIDE}`);
  if (r.mistakes !== undefined) {
    if (side === undefined || !Array.isArray(r.mistakes)) bad('mistakes', 'a list, with imageSide');
    for (const m of r.mistakes!) {
      const ok = typeof m === 'object' && m !== null && ['index', 'truth', 'predicted', 'confidence'].every((k) => typeof (m as unknown as Record<string, unknown>)[k] === 'number') &&
        typeof m.pixels === 'string' && Buffer.from(m.pixels, 'base64').length === side! * side!;
      if (!ok) bad('mistakes', `{ index, truth, predicted, confidence, pixels } with base64 pixels of ${side} x ${side} bytes`);
    }
  }
  if (r.classNames !== undefined && !(Array.isArray(r.classNames) && r.classNames.every((n) => typeof n === 'string'))) bad('classNames', 'a list of strings');
  const g = r.regression;
  if (g !== undefined && !(typeof g === 'object' && g !== null && isNumbers(g.truth) && isNumbers(g.predicted, g.truth.length))) {
    bad('regression', '{ truth, predicted }: two number lists of one length');
  }
}

/** A report that cannot be made (missing packages, a bad log): one line for the user. */
export class ReportError extends UserError {
  override name = 'ReportError';
}
