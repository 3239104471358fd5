/**
 * Building an ONNX graph step by step: inputs, constants (initializers) and nodes, each value with
 * a name no other value has. The pipeline and network writers (pipeline-graph.ts, network-graph.ts)
 * add to one builder; onnx.ts turns it into a model.
 */
import type { Attribute, ElemType, Graph, Node, Tensor, ValueInfo } from './onnx-proto.js';

/** The ONNX domain of the classical machine-learning operators (Imputer, OneHotEncoder, LabelEncoder ...). */
export const ML_DOMAIN = 'ai.onnx.ml';

/** Attribute constructors, so a node's attributes read as `attr.int('axis', 1)`. */
export const attr = {
  float: (name: string, value: number): Attribute => ({ name, type: 'float', value }),
  int: (name: string, value: number | bigint): Attribute => ({ name, type: 'int', value }),
  string: (name: string, value: string): Attribute => ({ name, type: 'string', value }),
  tensor: (name: string, value: Tensor): Attribute => ({ name, type: 'tensor', value }),
  floats: (name: string, value: readonly number[]): Attribute => ({ name, type: 'floats', value }),
  ints: (name: string, value: readonly (number | bigint)[]): Attribute => ({ name, type: 'ints', value }),
  strings: (name: string, value: readonly string[]): Attribute => ({ name, type: 'strings', value }),
};

export class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers: Tensor[] = [];
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  readonly valueInfo: ValueInfo[] = [];
  private readonly names = new Set<string>();

  /** Claims `name` exactly (a graph input or output, named by the contract); throws if taken. */
  claim(name: string): string {
    if (this.names.has(name)) throw new RangeError(`the value name "${name}" is used twice in the graph`);
    this.names.add(name);
    return name;
  }

  /** Whether a value already has `name`. */
  has(name: string): boolean {
    return this.names.has(name);
  }

  /** A new value name: `base`, or `base_2`, `base_3` ... when taken. */
  fresh(base: string): string {
    let name = base;
    for (let k = 2; this.names.has(name); k++) name = `${base}_${k}`;
    this.names.add(name);
    return name;
  }

  input(name: string, type: ElemType, shape: readonly (number | string)[], doc?: string): string {
    this.inputs.push({ name: this.claim(name), type, shape, doc });
    return name;
  }

  /** Declares the value `name` (made by a node) a graph output. */
  output(name: string, type: ElemType, shape: readonly (number | string)[], doc?: string): void {
    this.outputs.push({ name, type, shape, doc });
  }

  /** States the type of an intermediate value (for checkers whose inference does not cover its operator). */
  typed(name: string, type: ElemType, shape: readonly (number | string)[]): string {
    this.valueInfo.push({ name, type, shape });
    return name;
  }

  /** A constant tensor (an initializer); returns its value name. */
  constant(base: string, type: ElemType, dims: readonly number[], data: Tensor['data']): string {
    const name = this.fresh(base);
    this.initializers.push({ name, type, dims, data });
    return name;
  }

  /** A float constant of shape `dims` (default [values.length]). */
  floats(base: string, values: ArrayLike<number>, dims: readonly number[] = [values.length]): string {
    return this.constant(base, 'float', dims, Float32Array.from(values));
  }

  /** An int64 constant of shape `dims` (default [values.length]). */
  int64s(base: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant(
      base,
      'int64',
      dims,
      BigInt64Array.from(values, (v) => BigInt(v)),
    );
  }

  /** Adds a node writing `outputs` (names from fresh() or claim()); returns them. */
  nodeMulti(
    op: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attributes: readonly Attribute[] = [],
    domain = '',
  ): string[] {
    this.nodes.push({ op, domain, inputs, outputs, name: this.fresh(`${op}_node`), attributes });
    return [...outputs];
  }

  /** Adds a one-output node whose output gets a fresh name from `out`; returns that name. */
  node(op: string, inputs: readonly string[], out: string, attributes: readonly Attribute[] = [], domain = ''): string {
    const name = this.fresh(out);
    this.nodeMulti(op, inputs, [name], attributes, domain);
    return name;
  }

  /** Adds a one-output node writing the exact, already claimed value `name` (a graph output). */
  nodeInto(op: string, inputs: readonly string[], name: string, attributes: readonly Attribute[] = [], domain = ''): string {
    this.nodeMulti(op, inputs, [name], attributes, domain);
    return name;
  }

  graph(name: string, doc?: string): Graph {
    return {
      name,
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: this.inputs,
      outputs: this.outputs,
      valueInfo: this.valueInfo,
      doc,
    };
  }
}
