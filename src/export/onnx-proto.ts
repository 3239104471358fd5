/**
 * The subset of ONNX's protobuf schema (onnx/onnx.proto) that an exported native-mlp model uses,
 * as plain objects and one encoder each. Field numbers are onnx.proto's:
 *
 *   ModelProto          ir_version 1, producer_name 2, producer_version 3, doc_string 6, graph 7,
 *                       opset_import 8, metadata_props 14
 *   OperatorSetIdProto  domain 1, version 2
 *   StringStringEntryProto  key 1, value 2
 *   GraphProto          node 1, name 2, initializer 5, doc_string 10, input 11, output 12, value_info 13
 *   NodeProto           input 1, output 2, name 3, op_type 4, attribute 5, doc_string 6, domain 7
 *   AttributeProto      name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, strings 9, type 20
 *                       (AttributeType FLOAT 1, INT 2, STRING 3, TENSOR 4, FLOATS 6, INTS 7, STRINGS 8)
 *   TensorProto         dims 1, data_type 2, string_data 6, name 8, raw_data 9
 *   ValueInfoProto      name 1, type 2, doc_string 3
 *   TypeProto           tensor_type 1 -> Tensor { elem_type 1, shape 2 }
 *   TensorShapeProto    dim 1 -> Dimension { dim_value 1, dim_param 2 }
 *
 * Numeric tensors are written as raw_data (little-endian, as the schema requires), strings as
 * string_data; repeated attribute numbers unpacked, as proto2 declares them.
 */
import { ProtoWriter } from './protobuf.js';

/** TensorProto.DataType values of the element types used. */
export const DATA_TYPES = { float: 1, int64: 7, string: 8, bool: 9, double: 11 } as const;
export type ElemType = keyof typeof DATA_TYPES;

export interface Tensor {
  name: string;
  type: ElemType;
  dims: readonly number[];
  /** Row-major values: float as Float32Array, double as Float64Array, int64 as BigInt64Array, string as string[]. */
  data: Float32Array | Float64Array | BigInt64Array | readonly string[];
}

export type Attribute =
  | { name: string; type: 'float'; value: number }
  | { name: string; type: 'int'; value: number | bigint }
  | { name: string; type: 'string'; value: string }
  | { name: string; type: 'tensor'; value: Tensor }
  | { name: string; type: 'floats'; value: readonly number[] }
  | { name: string; type: 'ints'; value: readonly (number | bigint)[] }
  | { name: string; type: 'strings'; value: readonly string[] };

const ATTRIBUTE_TYPES = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7, strings: 8 } as const;

export interface Node {
  op: string;
  /** '' (or absent) for ai.onnx, 'ai.onnx.ml' for the classical-ML operators. */
  domain?: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  attributes?: readonly Attribute[];
}

/** A graph input or output: its name, element type and shape (a string names a symbolic dimension). */
export interface ValueInfo {
  name: string;
  type: ElemType;
  shape: readonly (number | string)[];
  doc?: string;
}

export interface Graph {
  name: string;
  nodes: readonly Node[];
  initializers: readonly Tensor[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
  /** Types of intermediate values that shape inference cannot work out by itself. */
  valueInfo?: readonly ValueInfo[];
  doc?: string;
}

export interface Model {
  irVersion: number;
  opsets: readonly { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  doc?: string;
  graph: Graph;
  metadata?: Readonly<Record<string, string>>;
}

const utf8 = new TextEncoder();

export function tensorProto(t: Tensor): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of t.dims) w.int(1, d);
  w.int(2, DATA_TYPES[t.type]);
  w.string(8, t.name);
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== count) throw new RangeError(`Tensor ${t.name}: ${t.data.length} values for dims [${t.dims.join(', ')}]`);
  if (t.type === 'string') {
    for (const s of t.data as readonly string[]) w.bytes(6, utf8.encode(s));
    return w;
  }
  const data = t.data as Float32Array | Float64Array | BigInt64Array;
  const expected = t.type === 'float' ? Float32Array : t.type === 'double' ? Float64Array : t.type === 'int64' ? BigInt64Array : undefined;
  if (!expected || !(data instanceof expected))
    throw new TypeError(`Tensor ${t.name}: ${t.type} data must be a ${expected?.name ?? 'supported type'}`);
  // raw_data is little-endian; typed arrays are in the platform's order.
  const bytes = new Uint8Array(data.byteLength);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) view.setFloat32(i * 4, data[i], true);
    else if (data instanceof Float64Array) view.setFloat64(i * 8, data[i], true);
    else view.setBigInt64(i * 8, data[i], true);
  }
  return w.bytes(9, bytes);
}

function attributeProto(a: Attribute): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name).int(20, ATTRIBUTE_TYPES[a.type]);
  switch (a.type) {
    case 'float':
      return w.float(2, a.value);
    case 'int':
      return w.int(3, a.value);
    case 'string':
      return w.string(4, a.value);
    case 'tensor':
      return w.message(5, tensorProto(a.value));
    case 'floats':
      a.value.forEach((v) => w.float(7, v));
      return w;
    case 'ints':
      a.value.forEach((v) => w.int(8, v));
      return w;
    case 'strings':
      a.value.forEach((v) => w.string(9, v));
      return w;
  }
}

function nodeProto(n: Node): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.op);
  for (const a of n.attributes ?? []) w.message(5, attributeProto(a));
  if (n.domain) w.string(7, n.domain);
  return w;
}

function valueInfoProto(v: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensor = new ProtoWriter().int(1, DATA_TYPES[v.type]).message(2, shape);
  const w = new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensor));
  if (v.doc) w.string(3, v.doc);
  return w;
}

function graphProto(g: Graph): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, nodeProto(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, tensorProto(t));
  if (g.doc) w.string(10, g.doc);
  for (const i of g.inputs) w.message(11, valueInfoProto(i));
  for (const o of g.outputs) w.message(12, valueInfoProto(o));
  for (const v of g.valueInfo ?? []) w.message(13, valueInfoProto(v));
  return w;
}

/** The bytes of an ONNX model file. */
export function encodeOnnxModel(m: Model): Uint8Array {
  const w = new ProtoWriter().int(1, m.irVersion).string(2, m.producerName).string(3, m.producerVersion);
  if (m.doc) w.string(6, m.doc);
  w.message(7, graphProto(m.graph));
  for (const o of m.opsets) w.message(8, new ProtoWriter().string(1, o.domain).int(2, o.version));
  for (const [key, value] of Object.entries(m.metadata ?? {})) w.message(14, new ProtoWriter().string(1, key).string(2, value));
  return w.finish();
}
