/**
 * The network as ONNX nodes: per layer Gemm(h, W_l, b_l) (W_l is stored (in, out), so no
 * transpose) and the hidden layers' activation; then the task's head:
 *
 *   classify  probabilities = Softmax(logits) [N, classes]; label = ArgMax(logits) [N] int64, or
 *             the class names through ai.onnx.ml LabelEncoder when the model has them (string [N]).
 *             ArgMax runs on the logits, as native-mlp's predict does, so ties break alike (first).
 *   regress   value = logits * target_std + target_mean [N, outputs], in the targets' units.
 *
 * Activations (the model file's `activation` names): relu, leaky_relu (slope float32(0.01)), tanh and
 * sigmoid as single operators; identity adds no node; gelu, which native-mlp computes as the tanh
 * approximation 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), is written out in those
 * operations (the Gelu operator needs opset 20, newer than the opset chosen in onnx.ts).
 */
import type { Mlp } from '../nn/mlp.js';
import { attr, GraphBuilder, ML_DOMAIN } from './graph.js';

/** A hidden layer's activation as the model file names it. */
export interface Activation {
  name: string;
  /** LeakyRelu's slope for x < 0. */
  alpha?: number;
}

/** What the network part of the graph needs from a trained model. */
export interface NetworkSpec {
  net: Mlp;
  /** One per hidden layer. */
  activations: readonly Activation[];
  task: 'classify' | 'regress';
  classNames?: readonly string[];
  targetMean?: Float32Array;
  targetStd?: Float32Array;
}

/** The activation names the export can write, and how. */
export const EXPORTABLE_ACTIVATIONS = ['relu', 'leaky_relu', 'tanh', 'sigmoid', 'gelu', 'identity'] as const;

/** leaky_relu's slope for x < 0, as native-mlp's kernels use it. */
const LEAKY_SLOPE = Math.fround(0.01);

function activation(g: GraphBuilder, x: string, a: Activation, layer: number): string {
  const out = `h${layer}`;
  switch (a.name) {
    case 'relu':
      return g.node('Relu', [x], out);
    case 'tanh':
      return g.node('Tanh', [x], out);
    case 'sigmoid':
      return g.node('Sigmoid', [x], out);
    case 'identity':
      return x;
    case 'leaky_relu':
      return g.node('LeakyRelu', [x], out, [attr.float('alpha', a.alpha ?? LEAKY_SLOPE)]);
    case 'gelu': {
      // 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))
      const cube = g.node('Mul', [g.node('Mul', [x, x], `u${layer}_sq`), x], `u${layer}_cube`);
      const inner = g.node('Add', [x, g.node('Mul', [cube, g.floats('gelu_c', [0.044715], [])], `u${layer}_c3`)], `u${layer}_inner`);
      const t = g.node(
        'Tanh',
        [g.node('Mul', [inner, g.floats('sqrt_2_over_pi', [Math.sqrt(2 / Math.PI)], [])], `u${layer}_arg`)],
        `u${layer}_tanh`,
      );
      return halfXTimesOnePlus(g, x, t, layer, out);
    }
    default:
      throw new RangeError(
        `hidden layer ${layer}: activation "${a.name}" has no ONNX form (exportable: ${EXPORTABLE_ACTIVATIONS.join(', ')})`,
      );
  }
}

/** 0.5 * x * (1 + t). */
function halfXTimesOnePlus(g: GraphBuilder, x: string, t: string, layer: number, out: string): string {
  const onePlus = g.node('Add', [t, g.floats('one', [1], [])], `u${layer}_1p`);
  return g.node('Mul', [g.node('Mul', [x, onePlus], `u${layer}_x1p`), g.floats('half', [0.5], [])], out);
}

/** The graph's output names for a task; claimed by the caller before anything else is named. */
export function outputNames(task: 'classify' | 'regress'): string[] {
  return task === 'regress' ? ['value'] : ['label', 'probabilities'];
}

/**
 * Adds the network on the standardised input `x` ([N, inputs] float) and the graph outputs
 * `label` + `probabilities` (classify) or `value` (regress), whose names the caller has claimed.
 */
export function addNetwork(g: GraphBuilder, x: string, spec: NetworkSpec): void {
  const { net } = spec;
  const L = net.layers;
  if (spec.activations.length !== L - 1) {
    throw new RangeError(`Expected ${L - 1} hidden activations for layers ${net.sizes.join('-')} but received ${spec.activations.length}`);
  }
  let h = x;
  for (let l = 1; l <= L; l++) {
    const W = g.floats(`W${l}`, net.W[l], [net.sizes[l - 1], net.sizes[l]]);
    const b = g.floats(`b${l}`, net.b[l], [net.sizes[l]]);
    const u = g.node('Gemm', [h, W, b], l === L ? 'logits' : `u${l}`);
    h = l < L ? activation(g, u, spec.activations[l - 1], l) : u;
  }
  const K = net.classes;
  if (spec.task === 'regress') {
    const value = 'value';
    const { targetMean: mean, targetStd: std } = spec;
    if (mean && std)
      g.nodeInto(
        'Add',
        [g.node('Mul', [h, g.floats('target_std', std, [1, K])], 'value_scaled'), g.floats('target_mean', mean, [1, K])],
        value,
      );
    else g.nodeInto('Identity', [h], value);
    g.output(value, 'float', ['N', K], "predicted values in the targets' units");
    return;
  }
  const [label, probabilities] = outputNames('classify');
  g.nodeInto('Softmax', [h], probabilities, [attr.int('axis', 1)]);
  if (spec.classNames) {
    const index = g.node('ArgMax', [h], 'class_index', [attr.int('axis', 1), attr.int('keepdims', 0)]);
    g.nodeInto(
      'LabelEncoder',
      [index],
      label,
      [
        attr.ints(
          'keys_int64s',
          spec.classNames.map((_, i) => i),
        ),
        attr.strings('values_strings', spec.classNames),
        attr.string('default_string', ''),
      ],
      ML_DOMAIN,
    );
    g.output(label, 'string', ['N'], 'the most probable class name');
  } else {
    g.nodeInto('ArgMax', [h], label, [attr.int('axis', 1), attr.int('keepdims', 0)]);
    g.output(label, 'int64', ['N'], 'the most probable class index');
  }
  g.output(probabilities, 'float', ['N', K], 'softmax probabilities, one column per class');
}
