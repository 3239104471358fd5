/**
 * The `report` event of a run: the trained network is run once over the test set and what the
 * report shows beyond the training events is kept as plain data (no rendering here,
 * so the event can go into the --json log and be rendered later, and this file needs no optional
 * package).
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Backend } from '../backend/contract.js';
import type { DataSet, Rows } from '../data/dataset.js';
import { invertColumns } from '../data/standardize.js';
import { forwardAll, predict, type TrainedModel } from '../infer/predict.js';
import { classCurves, regressionMetrics } from './curves.js';
import type { ClassScore, Environment, Mistake, ReportEvent } from './events.js';

/** Misclassified images the report shows (two rows of twelve). */
export const MISTAKES_SHOWN = 24;

export function environment(): Environment {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return {
    version: pkg.version,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
  };
}

/** Precision, recall and F1 of each class from confusion[truth * classes + predicted]. */
export function classScores(confusion: ArrayLike<number>, classes: number): ClassScore[] {
  const scores: ClassScore[] = [];
  for (let c = 0; c < classes; c++) {
    let support = 0;
    let predictedAs = 0;
    for (let j = 0; j < classes; j++) {
      support += confusion[c * classes + j];
      predictedAs += confusion[j * classes + c];
    }
    const tp = confusion[c * classes + c];
    const precision = predictedAs ? tp / predictedAs : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    scores.push({ precision, recall, f1, support });
  }
  return scores;
}

/** The side of a square image of `features` pixels, or undefined when it is not a square. */
export function squareSide(features: number): number | undefined {
  const side = Math.round(Math.sqrt(features));
  return side > 1 && side * side === features ? side : undefined;
}

/** An image's grey levels (IDX bytes, as they are) as base64. */
function pixelsOf(set: Rows, index: number): string {
  const f = set.features;
  return Buffer.from((set.inputs as Uint8Array).subarray(index * f, (index + 1) * f)).toString('base64');
}

/** Runs the trained model over the test split and collects the report event of the run. */
export function analyzeRun(be: Backend, model: TrainedModel, data: DataSet): ReportEvent {
  const test = data.test;
  const inputs = test.inputs.subarray(0, test.count * test.features);
  if (data.task === 'regress') {
    const K = model.net.classes;
    const predicted = new Float32Array(test.count * K);
    forwardAll(be, model.net, inputs, (out, start, rows) => predicted.set(out.subarray(0, rows * K), start * K));
    const truth = Float32Array.from(test.targets);
    const p = data.preprocessing;
    if (p?.targetMean && p.targetStd) {
      invertColumns(predicted, test.count, K, p.targetMean, p.targetStd);
      invertColumns(truth, test.count, K, p.targetMean, p.targetStd);
    }
    // The chart and the metrics show the first output against its target.
    const first = (a: Float32Array) => Array.from({ length: test.count }, (_, i) => a[i * K]);
    const [t, y] = [first(truth), first(predicted)];
    return {
      event: 'report',
      environment: environment(),
      count: test.count,
      inputKind: 'rows',
      regression: regressionPoints(t, y),
      ...(test.count ? { regressionMetrics: regressionMetrics(t, y) } : {}),
    };
  }
  const classes = data.classes;
  const { labels, probabilities } = predict(be, model.net, inputs);
  const truthOf = test.targets as Uint32Array;
  const confusion = new Array<number>(classes * classes).fill(0);
  const wrong: Array<{ index: number; confidence: number }> = [];
  for (let i = 0; i < test.count; i++) {
    const truth = truthOf[i];
    const predicted = labels[i];
    confusion[truth * classes + predicted]++;
    if (predicted !== truth) wrong.push({ index: i, confidence: probabilities[i * classes + predicted] });
  }
  // Image data is what the IDX reader gives (bytes per pixel); a table is never drawn as pictures,
  // whatever its feature count.
  const images = test.inputs instanceof Uint8Array;
  const side = images ? squareSide(test.features) : undefined;
  const event: ReportEvent = {
    event: 'report',
    environment: environment(),
    count: test.count,
    classes,
    inputKind: images ? 'images' : 'rows',
    confusion,
    perClass: classScores(confusion, classes),
  };
  if (data.classNames) event.classNames = [...data.classNames];
  const curves = classCurves(truthOf.subarray(0, test.count), probabilities, classes);
  if (curves.length) event.curves = curves;
  if (side !== undefined) {
    // Most confident first; the lower index first among equals, so the choice is reproducible.
    wrong.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
    event.imageSide = side;
    event.mistakes = wrong.slice(0, MISTAKES_SHOWN).map(({ index, confidence }): Mistake => ({
      index,
      truth: truthOf[index],
      predicted: labels[index],
      confidence,
      pixels: pixelsOf(test, index),
    }));
  }
  return event;
}

/** Points the predicted-vs-true chart keeps at most (an even sample of the test set beyond that). */
export const REGRESSION_POINTS = 2000;

/**
 * The `regression` field of a regression run's report event: targets and predictions in target
 * units, every k-th test example when there are more than REGRESSION_POINTS.
 */
export function regressionPoints(truth: ArrayLike<number>, predicted: ArrayLike<number>): NonNullable<ReportEvent['regression']> {
  if (truth.length !== predicted.length) {
    throw new RangeError(
      `Expected as many predictions as targets but received ${predicted.length} predictions for ${truth.length} targets`,
    );
  }
  const step = Math.max(1, Math.ceil(truth.length / REGRESSION_POINTS));
  const out = { truth: [] as number[], predicted: [] as number[] };
  for (let i = 0; i < truth.length; i += step) {
    out.truth.push(truth[i]);
    out.predicted.push(predicted[i]);
  }
  return out;
}
