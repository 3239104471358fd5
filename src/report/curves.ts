/**
 * Test-set measures computed once when a run is analysed (the report event stores them, so the
 * page can be rebuilt from the log): regression metrics over every test row, and one-vs-rest ROC
 * and precision-recall curves per class from the softmax probabilities.
 */
import type { ClassCurve, RegressionMetrics } from './events.js';

/** Curves are computed for tasks with at most this many classes (binary tasks first of all). */
export const CURVE_CLASSES = 10;
/** Points kept per curve (an even thinning; the ends are always kept). */
export const CURVE_POINTS = 200;

export function regressionMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>): RegressionMetrics {
  const n = truth.length;
  let se = 0,
    ae = 0,
    mean = 0;
  for (let i = 0; i < n; i++) mean += truth[i] / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = predicted[i] - truth[i];
    se += d * d;
    ae += Math.abs(d);
    ss += (truth[i] - mean) ** 2;
  }
  return { rmse: Math.sqrt(se / n), mae: ae / n, r2: ss > 0 ? 1 - se / ss : null };
}

/** Four decimals are finer than a chart can show, and keep the logged event short. */
const round = ([x, y]: [number, number]): [number, number] => [Math.round(x * 1e4) / 1e4, Math.round(y * 1e4) / 1e4];

function thin(points: Array<[number, number]>): Array<[number, number]> {
  if (points.length <= CURVE_POINTS) return points.map(round);
  const step = (points.length - 1) / (CURVE_POINTS - 1);
  return Array.from({ length: CURVE_POINTS }, (_, i) => round(points[Math.round(i * step)]));
}

/**
 * One class against the rest: thresholds at each distinct score, highest first. ROC from (0, 0) to
 * (1, 1) with its trapezoid area; PR as (recall, precision) with average precision
 * sum (R_n - R_n-1) P_n, scikit-learn's definition. Undefined when the class has no positive or
 * no negative test example.
 */
export function classCurve(positive: ArrayLike<boolean>, score: ArrayLike<number>, cls: number): ClassCurve | undefined {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b] - score[a] || a - b);
  let P = 0;
  for (let i = 0; i < n; i++) if (positive[i]) P++;
  const N = n - P;
  if (P === 0 || N === 0) return undefined;
  const roc: Array<[number, number]> = [[0, 0]];
  const pr: Array<[number, number]> = [];
  let tp = 0,
    fp = 0,
    auc = 0,
    ap = 0,
    lastRecall = 0;
  for (let k = 0; k < n; k++) {
    if (positive[order[k]]) tp++;
    else fp++;
    if (k + 1 < n && score[order[k + 1]] === score[order[k]]) continue; // one point per distinct threshold
    const [x0, y0] = roc[roc.length - 1];
    const x = fp / N,
      y = tp / P;
    auc += ((x - x0) * (y + y0)) / 2;
    roc.push([x, y]);
    const precision = tp / (tp + fp);
    ap += (y - lastRecall) * precision;
    lastRecall = y;
    pr.push([y, precision]);
  }
  return { class: cls, auc, averagePrecision: ap, roc: thin(roc), pr: thin(pr) };
}

/** Curves of every class (one-vs-rest) when there are at most CURVE_CLASSES classes. */
export function classCurves(truth: ArrayLike<number>, probabilities: ArrayLike<number>, classes: number): ClassCurve[] {
  if (classes > CURVE_CLASSES) return [];
  const n = truth.length;
  const out: ClassCurve[] = [];
  for (let c = 0; c < classes; c++) {
    const positive = Array.from({ length: n }, (_, i) => truth[i] === c);
    const score = Array.from({ length: n }, (_, i) => probabilities[i * classes + c]);
    const curve = classCurve(positive, score, c);
    if (curve) out.push(curve);
  }
  return out;
}
