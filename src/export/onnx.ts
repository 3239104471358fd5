/**
 * ONNX export of a trained model: its preprocessing and its network as one graph, written with the
 * small protobuf writer in this folder (no runtime dependency).
 *
 * Versions, chosen so that every ONNX Runtime release since 1.12 (2022) loads the file, and
 * onnxruntime-node, -web, Python and C# alike:
 *   IR version 8, opsets ai.onnx 17 and ai.onnx.ml 3 (ONNX 1.12's set).
 *
 * Inputs (docs/onnx.md says the same for users):
 *   a model with a pipeline (trained on a table): one input per raw column, named as the column,
 *     shape [N, 1] (see pipeline-graph.ts for each column type);
 *   a model without one: `input` [N, features] float, the features in the model's order; for an
 *     image model (no feature names, no standardisation: MNIST and other IDX data) these are the
 *     raw pixel values 0-255, which the graph divides by 255 as training did.
 * Outputs: `label` and `probabilities` (classify) or `value` (regress): see network-graph.ts.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../model/atomic-write.js';
import type { TrainedModel } from '../infer/predict.js';
import { GraphBuilder } from './graph.js';
import { type Activation, addNetwork, outputNames } from './network-graph.js';
import { dateColumn } from './date-graph.js';
import { addPipeline, ColumnError, type PipelineSpec } from './pipeline-graph.js';
import { encodeOnnxModel, type Model } from './onnx-proto.js';
import { BYTE_SCALE } from '../data/dataset.js';
import { UserError } from '../errors.js';

export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;
export const ONNX_ML_OPSET = 3;

/** A model that cannot be written as ONNX: the message names the part and why. */
export class ExportError extends UserError {
  override name = 'ExportError';
}

/** What the export reads from a trained model (a loaded model file or fit()'s result has it). */
export interface OnnxOptions {
  /**
   * Whether the single input holds raw bytes 0-255 that the graph divides by 255 (image models).
   * Default: true for a model without feature names and without feature standardisation.
   */
  pixels?: boolean;
}

/** The hidden layers' activations, as the network holds them (a loaded file's are read into it). */
function hiddenActivations(m: TrainedModel): Activation[] {
  return m.net.activations.map((name) => ({ name }));
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The pipeline's inputs and encoding; returns the encoded features [N, inputs]. */
function pipelineInputs(g: GraphBuilder, pipeline: PipelineSpec, inputs: number): string {
  try {
    const { features, count } = addPipeline(g, pipeline, dateColumn);
    if (count !== inputs)
      throw new ExportError(`the pipeline encodes ${count} features but the network takes ${inputs}; the model file is inconsistent`);
    return features;
  } catch (e) {
    if (e instanceof ColumnError) {
      throw new ExportError(
        e.column === undefined ? `cannot export the pipeline: ${e.message}` : `cannot export column "${e.column}": ${e.message}`,
      );
    }
    throw e;
  }
}

/** The model as an ONNX ModelProto (plain objects; encodeOnnx writes the bytes). */
export function onnxModel(m: TrainedModel, options: OnnxOptions = {}): Model {
  const g = new GraphBuilder();
  const { net } = m;
  const task = m.task ?? 'classify';
  const p = m.preprocessing;
  const F = net.inputs;
  const activations = hiddenActivations(m);
  for (const name of outputNames(task)) g.claim(name);
  let x: string;
  if (m.pipeline) x = pipelineInputs(g, m.pipeline, F);
  else {
    const pixels = options.pixels ?? (!m.featureNames && !p?.featureMean);
    const doc = pixels
      ? `raw pixel values 0-255 as floats, ${F} per row; divided by ${BYTE_SCALE} in the graph`
      : `the ${F} features in the model's order${m.featureNames ? ` (${m.featureNames.join(', ')})` : ''}`;
    x = g.input('input', 'float', ['N', F], doc);
    if (pixels) x = g.node('Div', [x, g.floats('byte_scale', [BYTE_SCALE], [])], 'input_scaled');
  }
  if (p?.featureMean && p.featureStd) {
    const centred = g.node('Sub', [x, g.floats('feature_mean', p.featureMean, [1, F])], 'input_centred');
    x = g.node('Div', [centred, g.floats('feature_std', p.featureStd, [1, F])], 'input_standardised');
  }
  try {
    addNetwork(g, x, {
      net,
      activations,
      task,
      classNames: m.classNames,
      targetMean: p?.targetMean,
      targetStd: p?.targetStd,
    });
  } catch (e) {
    if (e instanceof RangeError) throw new ExportError(e.message);
    throw e;
  }
  const metadata: Record<string, string> = {
    task,
    layers: net.sizes.join(','),
    activation: activations.map((a) => a.name).join(',') || 'relu',
  };
  if (m.featureNames) metadata.feature_names = JSON.stringify(m.featureNames);
  if (m.classNames) metadata.class_names = JSON.stringify(m.classNames);
  return {
    irVersion: ONNX_IR_VERSION,
    opsets: [
      { domain: '', version: ONNX_OPSET },
      { domain: 'ai.onnx.ml', version: ONNX_ML_OPSET },
    ],
    producerName: 'native-mlp',
    producerVersion: packageVersion(),
    doc: `native-mlp ${task} model, layers ${net.sizes.join('-')}`,
    graph: g.graph('native_mlp'),
    metadata,
  };
}

/** The ONNX file's bytes for a trained model. Throws ExportError naming what cannot be expressed. */
export function encodeOnnx(m: TrainedModel, options?: OnnxOptions): Uint8Array {
  return encodeOnnxModel(onnxModel(m, options));
}

/** Writes the model as an ONNX file (atomically, as model files are written). */
export function saveOnnx(file: string, m: TrainedModel, options?: OnnxOptions): void {
  writeFileAtomic(file, encodeOnnx(m, options));
}
