/**
 * What a model file carries about its data, beside the weights (format version 1, additive):
 *   tensors  feature_mean, feature_std  [inputs]   standardisation of the raw features
 *            target_mean, target_std    [outputs]  regression targets' scaling (predictions = y * std + mean)
 *   __metadata__ (strings, as safetensors requires)
 *            task           "classify" | "regress"
 *            output         "softmax" (classify) | "linear" (regress)
 *            feature_names  JSON array of the input columns' names
 *            class_names    JSON array of the class names, index order
 *            pipeline       JSON: the fitted table preprocessing (docs/formats.md); absent for
 *                           models trained on arrays or images, and for files written before it
 * Python's safetensors reads the tensors and the metadata as they are.
 */
import type { Preprocessing, Task } from '../data/dataset.js';
import type { Pipeline } from '../data/pipeline.js';
import { checkPipeline } from '../data/pipeline-check.js';
import type { Mlp } from '../nn/mlp.js';
import { MIN_NORMAL_F32 } from '../decimal.js';

/**
 * Standardisation statistics a model may carry: a standard deviation from the smallest normal
 * float32 to 1e30, a mean within +-1e30. Outside it, x / std or y * std + mean overflow float32
 * (predictions become Infinity or NaN) or lose all precision (subnormal std).
 */
const MAX_STAT = 1e30;

/** Why a statistic is out of range, or null. */
export function statProblem(kind: 'mean' | 'std', v: number): string | null {
  if (kind === 'std') {
    return v >= MIN_NORMAL_F32 && v <= MAX_STAT
      ? null
      : `a standard deviation must be from ${MIN_NORMAL_F32} (the smallest normal float32) to ${MAX_STAT}`;
  }
  return Number.isFinite(v) && Math.abs(v) <= MAX_STAT ? null : `a mean must be finite and within +-${MAX_STAT}`;
}

/** The first name that occurs twice, or undefined. */
export function firstDuplicate(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) return n;
    seen.add(n);
  }
  return undefined;
}

/** The data side of a trained model. */
export interface ModelData {
  task?: Task;
  featureNames?: readonly string[];
  classNames?: readonly string[];
  preprocessing?: Preprocessing;
  /** A table's fitted preprocessing (raw columns -> encoded features). */
  pipeline?: Pipeline;
}

export const DATA_TENSORS = ['feature_mean', 'feature_std', 'target_mean', 'target_std'] as const;
export type DataTensorName = (typeof DATA_TENSORS)[number];
export const DATA_KEYS: readonly string[] = ['task', 'feature_names', 'class_names', 'pipeline'];

/** The length each data tensor must have for `net` (inputs for features, outputs for targets). */
export function dataTensorLength(name: DataTensorName, sizes: readonly number[]): number {
  return name.startsWith('feature') ? sizes[0] : sizes[sizes.length - 1];
}

/** The data tensors to write, in a fixed order; throws RangeError for a wrong length. */
export function dataTensors(net: Mlp, d: ModelData): [DataTensorName, Float32Array][] {
  const p = d.preprocessing ?? {};
  const all: [DataTensorName, Float32Array | undefined][] = [
    ['feature_mean', p.featureMean],
    ['feature_std', p.featureStd],
    ['target_mean', p.targetMean],
    ['target_std', p.targetStd],
  ];
  const out: [DataTensorName, Float32Array][] = [];
  for (const [name, t] of all) {
    if (!t) continue;
    const need = dataTensorLength(name, net.sizes);
    if (t.length !== need)
      throw new RangeError(`Expected ${name} to hold ${need} values for layers ${net.sizes.join('-')} but it holds ${t.length}`);
    for (let i = 0; i < t.length; i++) {
      const why = statProblem(name.endsWith('std') ? 'std' : 'mean', t[i]);
      if (why) throw new RangeError(`Expected ${name}[${i}] in range (${why}) but received ${t[i]}`);
    }
    out.push([name, t]);
  }
  return out;
}

/** The metadata strings of `d` (task, output, names). */
export function dataMetadata(net: Mlp, d: ModelData): Record<string, string> {
  const m: Record<string, string> = {};
  if (d.task) m.task = d.task;
  if (d.featureNames) {
    if (d.featureNames.length !== net.inputs)
      throw new RangeError(`Expected ${net.inputs} feature names but received ${d.featureNames.length}`);
    const dup = firstDuplicate(d.featureNames);
    if (dup !== undefined) throw new RangeError(`Expected unique feature names but ${JSON.stringify(dup)} occurs twice`);
    m.feature_names = JSON.stringify(d.featureNames);
  }
  if (d.classNames) {
    if (d.classNames.length !== net.classes)
      throw new RangeError(`Expected ${net.classes} class names but received ${d.classNames.length}`);
    const dup = firstDuplicate(d.classNames);
    if (dup !== undefined) throw new RangeError(`Expected unique class names but ${JSON.stringify(dup)} occurs twice`);
    m.class_names = JSON.stringify(d.classNames);
  }
  if (d.pipeline) m.pipeline = JSON.stringify(d.pipeline);
  return m;
}

/** Reads the data side back from checked metadata and tensors; `fail` throws a ModelFileError. */
export function readModelData(
  metadata: Record<string, string>,
  tensors: Map<string, Float32Array>,
  sizes: readonly number[],
  fail: (msg: string) => never,
): ModelData {
  const d: ModelData = {};
  const task = metadata.task ?? 'classify';
  if (task !== 'classify' && task !== 'regress') fail(`metadata task ${JSON.stringify(task)} is not "classify" or "regress"`);
  d.task = task as Task;
  const output = metadata.output ?? 'softmax';
  if (output !== (task === 'regress' ? 'linear' : 'softmax')) fail(`metadata output ${JSON.stringify(output)} does not fit task "${task}"`);
  const names = (key: string, n: number, what: string): string[] | undefined => {
    if (metadata[key] === undefined) return undefined;
    let v: unknown;
    try {
      v = JSON.parse(metadata[key]);
    } catch {
      return fail(`metadata ${key} is not valid JSON`);
    }
    if (!Array.isArray(v) || v.length !== n || !v.every((s) => typeof s === 'string')) {
      fail(`metadata ${key} must be a JSON array of ${n} strings (one per ${what})`);
    }
    const dup = firstDuplicate(v as string[]);
    if (dup !== undefined) fail(`metadata ${key} names ${JSON.stringify(dup)} twice; each ${what} needs its own name`);
    return v as string[];
  };
  d.featureNames = names('feature_names', sizes[0], 'input');
  d.classNames = names('class_names', sizes[sizes.length - 1], 'output class');
  const p: Preprocessing = {};
  const pairs = [
    ['feature_mean', 'feature_std', 'featureMean', 'featureStd'],
    ['target_mean', 'target_std', 'targetMean', 'targetStd'],
  ] as const;
  for (const [m, s, pm, ps] of pairs) {
    const mean = tensors.get(m);
    const std = tensors.get(s);
    if (!mean !== !std) fail(`tensor ${mean ? m : s} comes without ${mean ? s : m}; the two go together`);
    if (!mean || !std) continue;
    for (let i = 0; i < std.length; i++) {
      const whyStd = statProblem('std', std[i]);
      if (whyStd) fail(`tensor ${s}[${i}] is ${std[i]}; ${whyStd}`);
      const whyMean = statProblem('mean', mean[i]);
      if (whyMean) fail(`tensor ${m}[${i}] is ${mean[i]}; ${whyMean}`);
    }
    p[pm] = mean;
    p[ps] = std;
  }
  if (p.targetMean && task !== 'regress') fail('tensors target_mean / target_std belong to task "regress"');
  if (p.featureMean || p.targetMean) d.preprocessing = p;
  if (metadata.pipeline !== undefined) {
    d.pipeline = checkPipeline(metadata.pipeline, sizes[0], fail);
    if (d.pipeline.target.task !== task) fail(`metadata pipeline's task "${d.pipeline.target.task}" differs from task "${task}"`);
  }
  return d;
}
