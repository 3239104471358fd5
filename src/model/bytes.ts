/**
 * Byte helpers shared by the model formats: little-endian float32 copies that work at any byte
 * offset, the non-finite scan, and short texts for messages about hostile input.
 */

/** True on little-endian hosts, where float bytes can be copied as they are. */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Copies dst.length little-endian float32 values starting at src[offset] into dst, bit for bit
 * (NaN payloads included). The offset need not be 4-byte aligned. The caller checks the bounds.
 */
export function readF32LE(dst: Float32Array, src: Uint8Array, offset: number): void {
  const n = dst.length * 4;
  if (HOST_LITTLE_ENDIAN) {
    new Uint8Array(dst.buffer, dst.byteOffset, n).set(src.subarray(offset, offset + n));
    return;
  }
  const dv = new DataView(src.buffer, src.byteOffset + offset, n);
  const bits = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  for (let i = 0; i < dst.length; i++) bits[i] = dv.getUint32(i * 4, true);
}

/** Writes src as little-endian float32 values at dst[offset], bit for bit. */
export function writeF32LE(dst: Uint8Array, offset: number, src: Float32Array): void {
  const n = src.length * 4;
  if (HOST_LITTLE_ENDIAN) {
    dst.set(new Uint8Array(src.buffer, src.byteOffset, n), offset);
    return;
  }
  const dv = new DataView(dst.buffer, dst.byteOffset + offset, n);
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) dv.setUint32(i * 4, bits[i], true);
}

/** Index of the first NaN or infinity in a, or -1. */
export function firstNonFinite(a: Float32Array): number {
  // The engine's own searches first: fast from the first call, where a JavaScript loop over a
  // network's parameters runs in the interpreter (training checks them once per epoch, so the
  // loop was still unoptimised in the second epoch).
  if (!a.includes(NaN) && !a.includes(Infinity) && !a.includes(-Infinity)) return -1;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v - v !== 0) return i; // NaN - NaN and Inf - Inf are NaN
  }
  return -1;
}

/** "NaN at index 7 [1, 2]" for element i of a tensor with the given shape. */
export function describeNonFinite(a: Float32Array, i: number, shape: readonly number[]): string {
  const v = a[i];
  const what = Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  const idx: number[] = [];
  let rest = i;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(rest % shape[d]);
    rest = Math.floor(rest / shape[d]);
  }
  return `${what} at index ${i} [${idx.join(', ')}]`;
}

/** The bytes of an ASCII string (zip member names, .npy headers). */
export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}

/** A name or text from a file, cut short so a hostile file cannot produce a huge message. */
export function briefText(s: string): string {
  return s.length > 64 ? `${s.slice(0, 61)}...` : s;
}
