/**
 * Writing the safetensors layout: an 8-byte little-endian header length, the JSON header (padded
 * with spaces to a multiple of 8, as the Rust implementation writes it), then the F32 tensors in
 * order. Shared by model files and checkpoints.
 */
import { writeF32LE } from './bytes.js';

/** Largest JSON header accepted when loading, and so when saving. */
export const MAX_HEADER_BYTES = 1 << 20;

export function headerTooLong(length: number | bigint): string {
  return `header length ${length} exceeds the limit of ${MAX_HEADER_BYTES} bytes`;
}

export interface TensorToWrite {
  name: string;
  shape: readonly number[];
  data: Float32Array;
}

/** The file's bytes; RangeError when the header would be over the loader's own limit. */
export function encodeSafetensors(metadata: Record<string, string>, tensors: readonly TensorToWrite[]): Uint8Array {
  // No prototype: a key such as "__proto__" is an ordinary key here (on {} it would set the prototype and vanish).
  const header: Record<string, unknown> = Object.create(null);
  header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * t.data.length] };
    offset += 4 * t.data.length;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  // The loader's own limit, so a file saved here always loads (large metadata is the usual cause).
  if (json.length > MAX_HEADER_BYTES) throw new RangeError(headerTooLong(json.length));
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  if (padded > json.length) json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors) {
    writeF32LE(out, at, t.data);
    at += 4 * t.data.length;
  }
  return out;
}
