/**
 * The schema of a run log: every event type and every field the report reads, with its type.
 * A log is checked against it before anything is rendered: an unknown event, an unknown field or
 * a field of the wrong type is refused with one line naming the log's line and the field, so a
 * hand-edited or foreign file never reaches the page in a shape the renderer did not expect.
 * (The page escapes every value regardless: html.ts.) Fields renamed this release keep their
 * old names as aliases (trainImages -> trainRows, imagesPerSecond -> rowsPerSecond ...).
 */
import { type LoggedEvent, ReportError } from './events.js';
import { checkReportEvent } from './report-event.js';

type FieldType =
  'count' | 'int' | 'number' | 'metric' | 'string' | 'bool' | 'numbers' | 'strings' | 'stringOrStrings' | 'numberOrNumbers' | 'columns';

const EXPECTED: Record<FieldType, string> = {
  count: 'an integer >= 0',
  int: 'an integer',
  number: 'a finite number',
  metric: 'a number (or null for a non-finite value)',
  string: 'a string',
  bool: 'true or false',
  numbers: 'a list of numbers',
  strings: 'a list of strings',
  stringOrStrings: 'a string or a list of strings',
  numberOrNumbers: 'a number or a list of numbers',
  columns: 'a list of column summaries ({"column": name, "type": ..., ...})',
};

/** Longest string the schema accepts in any field (the page shortens long names further). */
export const MAX_STRING = 4096;
/** Longest list in a start, epoch, stop or test event (layer widths, per-layer settings). */
const MAX_LIST = 1024;

/** Most columns a table schema in a start event may describe. */
const MAX_COLUMNS = 65536;

const isStr = (v: unknown) => typeof v === 'string' && v.length <= MAX_STRING;
const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const list = (v: unknown, item: (x: unknown) => boolean) => Array.isArray(v) && v.length <= MAX_LIST && v.every(item);

const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
/** One column of the table schema (data/inspect.ts's ColumnSummary): every field typed, no other field. */
const COLUMN_FIELDS: Record<string, (v: unknown) => boolean> = {
  column: isStr,
  type: isStr,
  excluded: isStr,
  missing: isCount,
  distinct: isCount,
  features: isCount,
  min: (v) => isNum(v) || isStr(v),
  max: (v) => isNum(v) || isStr(v),
  expandsTo: (v) => list(v, isStr),
  classes: (v) =>
    Array.isArray(v) &&
    v.length <= 65536 &&
    v.every(
      (c) =>
        typeof c === 'object' &&
        c !== null &&
        Object.keys(c).every((k) => k === 'name' || k === 'rows') &&
        isStr((c as { name?: unknown }).name) &&
        isCount((c as { rows?: unknown }).rows),
    ),
};
function isColumnSummary(c: unknown): boolean {
  if (typeof c !== 'object' || c === null || Array.isArray(c) || !isStr((c as { column?: unknown }).column)) return false;
  return Object.entries(c).every(([k, v]) => Object.hasOwn(COLUMN_FIELDS, k) && COLUMN_FIELDS[k](v));
}

const CHECKS: Record<FieldType, (v: unknown) => boolean> = {
  count: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  int: (v) => Number.isSafeInteger(v),
  number: isNum,
  metric: (v) => v === null || isNum(v),
  string: isStr,
  bool: (v) => typeof v === 'boolean',
  numbers: (v) => list(v, isNum),
  strings: (v) => list(v, isStr),
  stringOrStrings: (v) => isStr(v) || list(v, isStr),
  numberOrNumbers: (v) => isNum(v) || list(v, isNum),
  // The table schema of `inspect` / train --json: objects of names, types, counts and short lists.
  columns: (v) => Array.isArray(v) && v.length <= MAX_COLUMNS && v.every(isColumnSummary),
};

const DATA_FIELDS: Record<string, FieldType> = {
  trainRows: 'count',
  validationRows: 'count',
  testRows: 'count',
  evalRows: 'count',
  trainImages: 'count',
  validationImages: 'count',
  testImages: 'count',
  evalImages: 'count',
  data: 'string',
  source: 'string',
  featureNames: 'strings',
  classNames: 'strings',
  testFile: 'string',
  target: 'stringOrStrings',
  features: 'count',
  classes: 'count',
  outputs: 'count',
  inputKind: 'string',
  images: 'bool',
  imageSide: 'count',
  validation: 'number',
  task: 'string',
  schema: 'columns',
};

/** The fields of each event type. Unknown types and fields are refused. */
export const EVENT_FIELDS: Record<string, Record<string, FieldType>> = {
  start: {
    ...DATA_FIELDS,
    backend: 'string',
    isa: 'string',
    threads: 'count',
    layers: 'numbers',
    hidden: 'numberOrNumbers',
    epochs: 'count',
    batch: 'count',
    lr: 'number',
    seed: 'int',
    optimizer: 'string',
    schedule: 'string',
    resumedAfterEpoch: 'count',
    activation: 'stringOrStrings',
    activations: 'strings',
    init: 'string',
    alpha: 'number',
    dropout: 'numberOrNumbers',
    momentum: 'number',
    nesterov: 'bool',
    beta1: 'number',
    beta2: 'number',
    eps: 'number',
    weightDecay: 'number',
    lrMin: 'number',
    warmup: 'count',
    gamma: 'number',
    step: 'count',
    monitor: 'string',
    patience: 'count',
    minDelta: 'number',
    preset: 'string',
    earlyStopping: 'bool',
    lossWeights: 'numbers',
    classWeights: 'numbers',
    sampleWeights: 'bool',
    standardize: 'bool',
    warmStart: 'string',
    checkpoint: 'string',
  },
  epoch: {
    epoch: 'count',
    lr: 'metric',
    loss: 'metric',
    trainLoss: 'metric',
    trainAccuracy: 'metric',
    trainRmse: 'metric',
    trainMae: 'metric',
    trainR2: 'metric',
    validationLoss: 'metric',
    validationAccuracy: 'metric',
    validationRmse: 'metric',
    validationMae: 'metric',
    validationR2: 'metric',
    seconds: 'number',
    evalSeconds: 'number',
    rowsPerSecond: 'metric',
    imagesPerSecond: 'metric',
    weightNorm: 'metric',
  },
  stop: { reason: 'string', bestEpoch: 'count', epoch: 'count', batch: 'count', message: 'string' },
  test: {
    testAccuracy: 'metric',
    testRmse: 'metric',
    testMae: 'metric',
    testR2: 'metric',
    testLoss: 'metric',
    testRows: 'count',
    testImages: 'count',
    testMacroF1: 'metric',
    testBalancedAccuracy: 'metric',
  },
  warning: { message: 'string', code: 'string', flag: 'string', epoch: 'count' },
  report: {}, // checked field by field in report-event.ts
};

/** Checks one event of a log against the schema; `where` is "FILE line N". */
export function checkEvent(e: LoggedEvent, where: string): void {
  const fields = Object.hasOwn(EVENT_FIELDS, e.event) ? EVENT_FIELDS[e.event] : undefined;
  if (!fields) {
    throw new ReportError(
      `${where}: field "event": unknown event "${String(e.event).slice(0, 40)}"; expected one of ${Object.keys(EVENT_FIELDS).join(', ')}`,
    );
  }
  if (e.event === 'report') return checkReportEvent(e, where);
  for (const [k, v] of Object.entries(e)) {
    if (k === 'event') continue;
    const type = Object.hasOwn(fields, k) ? fields[k] : undefined;
    if (!type)
      throw new ReportError(
        `${where}: field "${k.slice(0, 40)}": not a field of a ${e.event} event; was the log written by another program or edited?`,
      );
    if (!CHECKS[type](v)) throw new ReportError(`${where}: field "${k}": expected ${EXPECTED[type]} in a ${e.event} event`);
  }
}

/** Parses and checks a JSON Lines run log: every line an event object the schema knows. */
export function parseRunLog(text: string, file: string): LoggedEvent[] {
  const events: LoggedEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const where = `${file} line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new ReportError(`${where}: expected a JSON object (a line of train --json) but received ${JSON.stringify(line.slice(0, 40))}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as LoggedEvent).event !== 'string') {
      throw new ReportError(`${where}: expected an event object with an "event" field but received ${JSON.stringify(line.slice(0, 40))}`);
    }
    checkEvent(value as LoggedEvent, where);
    events.push(value as LoggedEvent);
  }
  if (!events.some((e) => e.event === 'start')) {
    throw new ReportError(`${file}: no "start" event; expected the JSON Lines of native-mlp train --json`);
  }
  return events;
}

/** The first of several names a field has had (new name first, then its aliases). */
export function field(e: Record<string, unknown> | undefined, ...names: string[]): unknown {
  for (const n of names) if (e?.[n] !== undefined) return e[n];
  return undefined;
}
