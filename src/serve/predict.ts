/**
 * POST /predict and GET /model: a request body turned into predictions through the library's own
 * predictRows (the model's pipeline and standardisation, nothing re-implemented here), and the
 * answer in request order:
 *   classify  {"predictions": [{"label": "Adelie", "probabilities": {"Adelie": 0.98, ...}}, ...]}
 *   regress   {"predictions": [{"value": 4.2}, ...]} ("value" is an array for several outputs)
 * Rows by column name: an absent key or null is a missing cell. "inputs": the encoded features in
 * the model's feature order (before standardisation), or for an image model the raw pixel values
 * 0-255.
 */
import type { Backend } from '../backend/contract.js';
import { predict, predictRows } from '../infer/predict.js';
import type { DecodedModel } from '../model/index.js';
import { HttpError } from './guards.js';

/** The model being served, with where it came from. */
export interface ServedModel extends DecodedModel {
  file: string;
  /** 0 for the file loaded at start, then 1, 2 ... for each retrained model swapped in. */
  version: number;
}

export type Cell = string | number | boolean | null;
export type PredictBody = { rows: Record<string, Cell>[] } | { inputs: number[][] };

type Prediction = { label: string | number; probabilities: Record<string, number> } | { value: number | number[] };

/** The raw columns a request's rows may name, or undefined for an image model. */
export function columnsOf(m: DecodedModel): readonly { name: string; type: string }[] | undefined {
  if (m.pipeline) return m.pipeline.columns;
  return m.featureNames?.map((name) => ({ name, type: 'numeric' }));
}

/** An image model: no named columns, no standardisation; its inputs are pixel bytes. */
export function isImageModel(m: DecodedModel): boolean {
  return !m.pipeline && !m.featureNames && !m.preprocessing?.featureMean;
}

function classAnswer(labels: readonly (string | number)[], probabilities: Float32Array, names: readonly string[]): Prediction[] {
  const C = names.length;
  return labels.map((label, i) => ({
    label,
    probabilities: Object.fromEntries(names.map((n, j) => [n, probabilities[i * C + j]])),
  }));
}

export interface PredictAnswer {
  predictions: Prediction[];
  /** One line per column with categories not seen in training (encoded as the pipeline says); absent when none. */
  warnings?: string[];
}

export function answerPredict(be: Backend, m: ServedModel, body: PredictBody): PredictAnswer {
  const C = m.net.classes;
  const classNames = m.classNames ?? Array.from({ length: C }, (_, k) => String(k));
  if ('inputs' in body && isImageModel(m)) {
    const F = m.net.inputs;
    const bytes = new Uint8Array(body.inputs.length * F);
    body.inputs.forEach((row, i) => bytes.set(row, i * F));
    const p = predict(be, m.net, bytes);
    return { predictions: classAnswer(Array.from(p.labels), p.probabilities, classNames) };
  }
  let result;
  if ('rows' in body) {
    const columns = columnsOf(m);
    if (!columns)
      throw new HttpError(
        400,
        `this model has no named columns (an image model): send "inputs", ${m.net.inputs} pixel values 0-255 per row`,
      );
    // Every column present in every row: an absent key is a missing cell, as null is.
    const rows = body.rows.map((r) => Object.fromEntries(columns.map((c) => [c.name, Object.hasOwn(r, c.name) ? r[c.name] : null])));
    result = predictRows(be, m, rows);
  } else {
    // Encoded features: the network's own inputs, standardised as in training.
    result = predictRows(be, { ...m, pipeline: undefined }, body.inputs);
  }
  const warnings = result.warnings.length > 0 ? { warnings: result.warnings } : {};
  if (result.task === 'regress') {
    const K = result.outputs;
    const values = result.values;
    return {
      predictions: Array.from({ length: values.length / K }, (_, i) => ({
        value: K === 1 ? values[i] : Array.from(values.subarray(i * K, (i + 1) * K)),
      })),
      ...warnings,
    };
  }
  return { predictions: classAnswer(result.labels, result.probabilities, classNames), ...warnings };
}

/** Metadata keys that are scores of the model (the rest, beyond the format's own, are training settings). */
const SCORE_KEY = /^(test|validation|train)[A-Z]/;
const FORMAT_KEYS = new Set([
  'format',
  'format_version',
  'layers',
  'activation',
  'output',
  'task',
  'feature_names',
  'class_names',
  'pipeline',
]);
/** Not shown: where the training data lives on the server's disk is no client's business. */
const PRIVATE_KEYS = new Set(['data_source']);

/** GET /model. */
export function describeModel(m: ServedModel, backend: string): Record<string, unknown> {
  const metrics: Record<string, unknown> = {};
  const training: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m.metadata)) {
    if (FORMAT_KEYS.has(k) || PRIVATE_KEYS.has(k)) continue;
    const n = Number(v);
    const value = v !== '' && Number.isFinite(n) ? n : v.startsWith('{') || v.startsWith('[') ? safeJson(v) : v;
    (SCORE_KEY.test(k) ? metrics : training)[k] = value;
  }
  return {
    file: m.file,
    version: m.version,
    backend,
    layers: m.net.sizes,
    activation: m.metadata.activation ?? 'relu',
    task: m.task ?? 'classify',
    classes: m.task === 'regress' ? null : (m.classNames ?? null),
    input: isImageModel(m)
      ? { inputs: m.net.inputs, meaning: 'raw pixel values 0-255' }
      : { columns: columnsOf(m), features: m.featureNames ?? null },
    excluded: m.pipeline?.excluded ?? [],
    target: m.pipeline?.target ?? null,
    metrics,
    training,
  };
}

function safeJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
