/**
 * What a report is drawn from: the training events (start / epoch / stop / test, as `--json`
 * prints them) plus one `report` event written after the test event. The `report` event holds
 * what the events alone cannot give (the test set's confusion matrix, per-class scores, the most
 * confidently misclassified images, predicted-vs-true pairs and metrics for regression, ROC and
 * PR curves, and the environment),
 * so that `native-mlp report RUN.jsonl` rebuilds the same HTML the run wrote.
 */
import { UserError } from '../errors.js';

/** Any event of a run log (schema.ts checks every field before the page is drawn). */
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
  /**
   * 'images' when the data source is image data (IDX files: bytes, a square side), 'rows' for
   * tables. Only image data gets image panels; older logs without it fall back to imageSide.
   */
  inputKind?: 'images' | 'rows';
  /** Side of a square image (28 for MNIST); image data only. */
  imageSide?: number;
  /** The most confidently misclassified test images, most confident first. */
  mistakes?: Mistake[];
  /** Regression: targets and predictions of (a sample of) the test set, in target units. */
  regression?: { truth: number[]; predicted: number[] };
  /** Regression: RMSE, MAE and R² of the whole test set (first output), in target units. */
  regressionMetrics?: RegressionMetrics;
  /** Classification with at most CURVE_CLASSES classes: one-vs-rest ROC and PR curves per class. */
  curves?: ClassCurve[];
}

export interface RegressionMetrics {
  rmse: number;
  mae: number;
  /** 1 - residual sum of squares / total sum of squares (NaN -> null when the targets are constant). */
  r2: number | null;
}

/** One class against the rest, scored by its softmax probability on the test set. */
export interface ClassCurve {
  class: number;
  /** Area under the ROC curve and average precision (area under the PR curve, step-wise). */
  auc: number;
  averagePrecision: number;
  /** [false positive rate, true positive rate] from (0, 0) to (1, 1), thinned to at most CURVE_POINTS. */
  roc: Array<[number, number]>;
  /** [recall, precision], thinned likewise. */
  pr: Array<[number, number]>;
}

/** A report that cannot be made (missing packages, a bad log): one line for the user. */
export class ReportError extends UserError {
  override name = 'ReportError';
}
