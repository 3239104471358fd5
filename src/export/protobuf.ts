/**
 * The protocol buffers wire format, writing only: what encoding ONNX's messages needs and nothing
 * more (no reading, no schema, no groups). A message is built field by field and finished into
 * bytes; a nested message is finished first and written as a length-delimited field.
 *
 * Wire types used: 0 varint (int32, int64, enum), 1 fixed 64-bit (double), 2 length-delimited
 * (string, bytes, nested messages, packed repeated numbers), 5 fixed 32-bit (float). Negative
 * integers are written as ten-byte two's complement varints, as protobuf does for int32 and int64.
 * See https://protobuf.dev/programming-guides/encoding/.
 */

const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;

const utf8 = new TextEncoder();

/** A message being written: append fields in any order, then `finish()`. */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): this {
    this.parts.push(bytes);
    this.size += bytes.length;
    return this;
  }

  private tag(field: number, wire: number): void {
    this.push(varint((BigInt(field) << 3n) | BigInt(wire)));
  }

  /** An int32 / int64 / enum field (varint). */
  int(field: number, value: number | bigint): this {
    this.tag(field, VARINT);
    return this.push(varint(value));
  }

  /** A float field (fixed 32-bit, little-endian). */
  float(field: number, value: number): this {
    this.tag(field, FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    return this.push(b);
  }

  /** A double field (fixed 64-bit, little-endian). */
  double(field: number, value: number): this {
    this.tag(field, FIXED64);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    return this.push(b);
  }

  /** A bytes field, or a nested message given as its finished bytes. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, LEN);
    this.push(varint(value.length));
    return this.push(value);
  }

  /** A string field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** A nested message. */
  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  /** A packed repeated varint field (int64s). */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.push(varint(v));
    return this.bytes(field, inner.finish());
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** The varint bytes of an integer; negative values as 64-bit two's complement (ten bytes). */
export function varint(value: number | bigint): Uint8Array {
  if (typeof value === 'number' && !Number.isSafeInteger(value))
    throw new RangeError(`Expected a safe integer for a varint but received ${value}`);
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}
