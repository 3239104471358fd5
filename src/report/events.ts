/**
 * What a report is drawn from: the training events (start / epoch / stop / test, as `--json`
 * prints them) plus one `report` event written after the test event. The `report` event holds
 * what the events alone cannot give (the test set's confusion matrix, per-class scores, the most
 * confidently misclassified images, predicted-vs-true pairs for regression, and the environment),
 * so that `native-mlp report RUN.jsonl` rebuilds the same HTML the run wrote.
 */

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
    events.push(value as LoggedEvent);
  }
  if (!events.some((e) => e.event === 'start')) {
    throw new ReportError(`${file}: no "start" event; expected the JSON Lines of native-mlp train --json`);
  }
  return events;
}

/** A report that cannot be made (missing packages, a bad log): one line for the user. */
export class ReportError extends Error {
  override name = 'ReportError';
}
