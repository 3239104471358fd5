/**
 * Models as safetensors files: an 8-byte little-endian header length N, N bytes of JSON header
 * (padded with spaces so the data starts 8-byte aligned), then the raw little-endian F32 data of
 * W1, b1, W2, b2, ... stored contiguously. W_l has shape [in, out] as the notebook stores it.
 *
 * Files are untrusted when loading: every size and offset is checked against the file length
 * before anything is allocated, and every problem is a ModelFileError naming the file.
 */
import { MAX_LAYER_SIZE } from '../limits.js';
import { checkSizes, Mlp } from '../nn/mlp.js';
import type { Activation } from '../backend/activation.js';
import { activationText, checkActivations } from '../nn/activation.js';
import { describeNonFinite, firstNonFinite, readF32LE } from './bytes.js';
import { encodeSafetensors, headerTooLong, MAX_HEADER_BYTES, type TensorToWrite } from './safetensors-write.js';

export { MAX_HEADER_BYTES };
import { writeFileAtomic } from './atomic-write.js';
import { ModelFileError } from './errors.js';
import { scanJson } from './json-scan.js';
import { readModelBytes } from './read.js';
import {
  DATA_KEYS,
  DATA_TENSORS,
  type DataTensorName,
  dataMetadata,
  dataTensorLength,
  dataTensors,
  type ModelData,
  readModelData,
} from './data-meta.js';

export { ModelFileError } from './errors.js';

export const MODEL_FORMAT = 'native-mlp';
export const MODEL_FORMAT_VERSION = '1';
const SUPPORTED_VERSIONS: readonly string[] = ['1'];
/** Deepest JSON nesting accepted in a header (a model header needs 3: header, entry, shape). */
const MAX_HEADER_DEPTH = 8;
const RESERVED_KEYS: readonly string[] = ['format', 'format_version', 'layers', 'activation', 'output', ...DATA_KEYS];

export interface DecodeOptions {
  /** Accept NaN and infinite parameters instead of rejecting the file. */
  allowNonFinite?: boolean;
}

export interface DecodedModel extends ModelData {
  net: Mlp;
  /** Every string in the header's __metadata__, including format, layers and any extras. */
  metadata: Record<string, string>;
}

/**
 * The safetensors bytes of net, with the standard metadata plus `extraMetadata` (strings only),
 * and the data side (`data`: task, names, standardisation; see data-meta.ts) when given.
 */
export function encodeModel(net: Mlp, extraMetadata: Record<string, string> = {}, data: ModelData = {}): Uint8Array {
  const sizes = checkNet(net);
  const extraTensors = dataTensors(net, data);
  // No prototype, so a caller's key "__proto__" is kept as a key (on {} it would set the prototype and be lost).
  const metadata: Record<string, string> = Object.assign(Object.create(null), {
    format: MODEL_FORMAT,
    format_version: MODEL_FORMAT_VERSION,
    layers: sizes.join(','),
    activation: activationText(net.activations),
    output: data.task === 'regress' ? 'linear' : 'softmax',
    ...dataMetadata(net, data),
  });
  for (const [key, value] of Object.entries(extraMetadata)) {
    if (RESERVED_KEYS.includes(key)) throw new RangeError(`Metadata key "${key}" is reserved and set from the model`);
    if (typeof value !== 'string') {
      throw new TypeError(`Metadata values must be strings (safetensors requires it) but "${key}" is ${typeof value}`);
    }
    metadata[key] = value;
  }
  const tensors: TensorToWrite[] = [];
  for (let l = 1; l < sizes.length; l++) {
    tensors.push({ name: `W${l}`, shape: [sizes[l - 1], sizes[l]], data: net.W[l] });
    tensors.push({ name: `b${l}`, shape: [sizes[l]], data: net.b[l] });
  }
  for (const [name, t] of extraTensors) tensors.push({ name, shape: [t.length], data: t });
  return encodeSafetensors(metadata, tensors);
}

interface TensorEntry {
  name: string;
  shape: number[];
  begin: number;
  end: number;
}

/** Decodes safetensors bytes written by encodeModel (or another tool following the same layout). */
export function decodeModel(bytes: Uint8Array, source: string, opts: DecodeOptions = {}): DecodedModel {
  const fail = (msg: string): never => {
    throw new ModelFileError(`${source}: ${msg}`);
  };
  if (bytes.length < 8) fail(`too short for a safetensors header (${bytes.length} bytes, need at least 8)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength64 = dv.getBigUint64(0, true);
  if (headerLength64 > BigInt(MAX_HEADER_BYTES)) fail(headerTooLong(headerLength64));
  const headerLength = Number(headerLength64);
  if (headerLength > bytes.length - 8) {
    fail(`header length ${headerLength} is larger than the file (${bytes.length} bytes); the file is truncated or not safetensors`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    return fail('header is not valid UTF-8');
  }
  const shapeProblem = scanJson(text, MAX_HEADER_DEPTH);
  if (shapeProblem) fail(`header JSON has a ${shapeProblem}; a model header has unique keys and ${MAX_HEADER_DEPTH} levels at most`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    fail(`header is not a JSON object (found ${header === null ? 'null' : Array.isArray(header) ? 'an array' : typeof header})`);
  }
  const entries = Object.entries(header as Record<string, unknown>);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;

  // Metadata: what the file claims to be.
  const rawMeta = (header as Record<string, unknown>).__metadata__;
  if (rawMeta === undefined) fail(`no __metadata__ in the header; not a ${MODEL_FORMAT} model file`);
  if (typeof rawMeta !== 'object' || rawMeta === null || Array.isArray(rawMeta)) fail('__metadata__ is not a JSON object');
  const metadata: Record<string, string> = Object.create(null); // "__proto__" stays a key
  for (const [key, value] of Object.entries(rawMeta as Record<string, unknown>)) {
    if (typeof value !== 'string') fail(`metadata ${brief(key)} is not a string (safetensors metadata holds strings only)`);
    metadata[key] = value as string;
  }
  if (metadata.format === undefined) fail(`metadata has no "format"; not a ${MODEL_FORMAT} model file`);
  if (metadata.format !== MODEL_FORMAT) fail(`metadata format is ${brief(metadata.format)}, expected "${MODEL_FORMAT}"`);
  if (metadata.format_version === undefined) fail('metadata has no "format_version"');
  if (!SUPPORTED_VERSIONS.includes(metadata.format_version)) {
    fail(`format_version ${brief(metadata.format_version)} is not supported (this version reads ${SUPPORTED_VERSIONS.join(', ')})`);
  }
  if (metadata.output !== undefined && metadata.output !== 'softmax' && metadata.output !== 'linear') {
    fail(`output ${brief(metadata.output)} is not supported (expected "softmax" or "linear")`);
  }
  if (metadata.layers === undefined) fail('metadata has no "layers"');
  const sizes = parseLayers(metadata.layers);
  if (!sizes) {
    return fail(`metadata layers ${brief(metadata.layers)} is not a comma-separated list of at least two sizes in [1, ${MAX_LAYER_SIZE}]`);
  }
  const layerText = sizes.join(',');
  // Absent in files older than activations other than relu: relu, as they were trained.
  let activations: Activation[] = [];
  try {
    activations = checkActivations(metadata.activation ?? 'relu', sizes.length - 2);
  } catch (e) {
    fail(`metadata activation ${brief(metadata.activation)} is not supported for layers ${layerText}: ${(e as Error).message}`);
  }

  // Tensors: each entry on its own, then the data section as a whole.
  const tensors: TensorEntry[] = [];
  for (const [key, raw] of entries) {
    if (key === '__metadata__') continue;
    const name = label(key);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`tensor ${name}: entry is not a JSON object`);
    const t = raw as Record<string, unknown>;
    if (t.dtype !== 'F32') {
      fail(`tensor ${name} has dtype ${brief(t.dtype)}; only F32 is supported`);
    }
    const shape = t.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      return fail(`tensor ${name}: shape ${brief(shape)} is not an array of non-negative integers`);
    }
    const offs = t.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      return fail(`tensor ${name}: data_offsets ${brief(offs)} is not a pair [begin, end] of non-negative integers`);
    }
    const [begin, end] = offs as number[];
    if (begin > end) fail(`tensor ${name}: data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLength) {
      fail(`tensor ${name}: data_offsets [${begin}, ${end}] are out of range (the data section has ${dataLength} bytes)`);
    }
    // The product is checked against the span as it grows, so it stays far below 2^53.
    const span = end - begin;
    let count = (shape as number[]).includes(0) ? 0 : 1;
    for (const d of shape as number[]) {
      if (count === 0) break;
      count *= d;
      if (count * 4 > span) {
        fail(
          `tensor ${name}: shape ${fmtShape(shape as number[])} needs more than the ${span} bytes its data_offsets [${begin}, ${end}] span`,
        );
      }
    }
    if (count * 4 !== span) {
      fail(
        `tensor ${name}: shape ${fmtShape(shape as number[])} needs ${count * 4} bytes of F32 but data_offsets [${begin}, ${end}] span ${span}`,
      );
    }
    tensors.push({ name: key, shape: shape as number[], begin, end });
  }
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let prev: TensorEntry | undefined;
  for (const t of sorted) {
    if (t.begin > at) {
      fail(
        `gap of ${t.begin - at} bytes in the data ${prev ? `between tensor ${label(prev.name)} (ends at ${at})` : 'before the first tensor'} and tensor ${label(t.name)} (begins at ${t.begin})`,
      );
    }
    if (t.begin < at && prev) {
      fail(`tensors ${label(prev.name)} [${prev.begin}, ${prev.end}] and ${label(t.name)} [${t.begin}, ${t.end}] overlap`);
    }
    at = t.end;
    prev = t;
  }
  if (at !== dataLength)
    fail(`${dataLength - at} trailing bytes after the last tensor (the data section has ${dataLength} bytes, the tensors cover ${at})`);

  // Names and shapes against the layers from the metadata.
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const expected: { name: string; shape: number[] }[] = [];
  for (let l = 1; l < sizes.length; l++) {
    expected.push({ name: `W${l}`, shape: [sizes[l - 1], sizes[l]] }, { name: `b${l}`, shape: [sizes[l]] });
  }
  for (const name of DATA_TENSORS) {
    if (byName.has(name)) expected.push({ name, shape: [dataTensorLength(name as DataTensorName, sizes)] });
  }
  const expectedNames = new Set(expected.map((e) => e.name));
  for (const t of tensors) {
    if (!expectedNames.has(t.name)) {
      fail(`unexpected tensor ${label(t.name)}; layers ${layerText} have exactly ${expected.map((e) => e.name).join(', ')}`);
    }
  }
  for (const e of expected) {
    const t = byName.get(e.name);
    if (!t) return fail(`missing tensor ${e.name} (layers ${layerText} need ${expected.map((x) => x.name).join(', ')})`);
    if (!sameShape(t.shape, e.shape)) {
      fail(`tensor ${e.name} has shape ${fmtShape(t.shape)} but layers ${layerText} need ${fmtShape(e.shape)}`);
    }
  }

  // Everything is consistent with the file length, so the allocation is bounded by it.
  const net = new Mlp(sizes, undefined, undefined, activations);
  for (let l = 1; l < sizes.length; l++) {
    for (const [name, dst, shape] of [
      [`W${l}`, net.W[l], [sizes[l - 1], sizes[l]]],
      [`b${l}`, net.b[l], [sizes[l]]],
    ] as const) {
      const t = byName.get(name)!;
      readF32LE(dst, bytes, dataStart + t.begin);
      if (!opts.allowNonFinite) {
        const i = firstNonFinite(dst);
        if (i >= 0) fail(`${nonFiniteText(name, dst, i, shape)}; pass allowNonFinite to load it anyway`);
      }
    }
  }
  const dataTensorValues = new Map<string, Float32Array>();
  for (const name of DATA_TENSORS) {
    const t = byName.get(name);
    if (!t) continue;
    const values = new Float32Array(dataTensorLength(name, sizes));
    readF32LE(values, bytes, dataStart + t.begin);
    dataTensorValues.set(name, values);
  }
  return { net, metadata, ...readModelData(metadata, dataTensorValues, sizes, fail) };
}

/**
 * Saves net as a safetensors file, atomically (temporary file, fsync, rename), with the data side
 * (task, names, standardisation; see data-meta.ts) when `opts` carries it. A file the loader
 * would refuse is refused here with the loader's reason: NaN or infinite weights (unless
 * `allowNonFinite`, which the loader then needs too) and a header over MAX_HEADER_BYTES.
 */
export function saveModel(file: string, net: Mlp, extraMetadata?: Record<string, string>, opts: DecodeOptions & ModelData = {}): void {
  let bytes: Uint8Array;
  try {
    if (!opts.allowNonFinite) checkFinite(net);
    bytes = encodeModel(net, extraMetadata, opts);
  } catch (e) {
    throw new ModelFileError(`${file}: cannot save: ${(e as Error).message}`);
  }
  writeFileAtomic(file, bytes);
}

/** Throws a RangeError, in the loader's words, when a parameter of net is NaN or infinite. */
export function checkFinite(net: Mlp, names: (kind: 'W' | 'b', l: number) => string = (k, l) => `${k}${l}`, what = 'tensor'): void {
  const sizes = checkNet(net);
  for (let l = 1; l < sizes.length; l++) {
    for (const [name, a, shape] of [
      [names('W', l), net.W[l], [sizes[l - 1], sizes[l]]],
      [names('b', l), net.b[l], [sizes[l]]],
    ] as const) {
      const i = firstNonFinite(a);
      if (i >= 0) {
        throw new RangeError(
          `${what} ${nonFiniteText(name, a, i, shape).slice('tensor '.length)}; the loader refuses such a file unless given allowNonFinite, so pass allowNonFinite to save it anyway`,
        );
      }
    }
  }
}

function nonFiniteText(name: string, a: Float32Array, i: number, shape: readonly number[]): string {
  return `tensor ${name} has ${describeNonFinite(a, i, shape)}`;
}

/** Loads a safetensors model file; the file is treated as untrusted. */
export function loadModel(file: string, opts?: DecodeOptions): DecodedModel {
  return decodeModel(readModelBytes(file), file, opts);
}

/** Checks that net's arrays agree with its sizes (it may be built by hand) and returns the sizes. */
export function checkNet(net: Mlp): number[] {
  const sizes = [...net.sizes];
  checkSizes(sizes);
  for (let l = 1; l < sizes.length; l++) {
    const w = net.W[l];
    const b = net.b[l];
    if (!(w instanceof Float32Array) || w.length !== sizes[l - 1] * sizes[l]) {
      throw new RangeError(`W${l} should be a Float32Array of ${sizes[l - 1]} x ${sizes[l]} values for layers ${sizes.join(',')}`);
    }
    if (!(b instanceof Float32Array) || b.length !== sizes[l]) {
      throw new RangeError(`b${l} should be a Float32Array of ${sizes[l]} values for layers ${sizes.join(',')}`);
    }
  }
  return sizes;
}

function parseLayers(text: string): number[] | undefined {
  if (!/^[0-9]+(,[0-9]+)+$/.test(text)) return undefined;
  const sizes = text.split(',').map(Number);
  return sizes.every((s) => Number.isSafeInteger(s) && s >= 1 && s <= MAX_LAYER_SIZE) ? sizes : undefined;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function fmtShape(shape: readonly number[]): string {
  const text = `[${shape.join(', ')}]`;
  return text.length > 80 ? `${text.slice(0, 76)}...]` : text;
}

/** A tensor name for messages, cut short if a hostile header made it long. */
function label(name: string): string {
  return name.length > 64 ? brief(name) : name;
}

/** JSON of a value from the header, cut short so a hostile header cannot produce a huge message. */
function brief(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = typeof value; // a cyclic or too deep value: never recurse into it again
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
