/**
 * The WASM backend's memory: one shared WebAssembly.Memory that the main instance and every
 * worker instance use. Backend.alloc hands out Float32Array views into it; kernels take those
 * in place (their byteOffset is the pointer). Any other array a caller passes (a plain
 * Float32Array, a label array, a data set's pixels) is copied into a scratch region for the call
 * and, if the kernel writes it, copied back: WASM code can only reach its own memory.
 */
import type { WasmExports } from './exports.js';
import { MEMORY_MAXIMUM_PAGES } from './exports.js';

/**
 * A typed array's real extent, read with the built-in %TypedArray%.prototype getters: a subclass
 * can override `length`, `byteOffset`, `byteLength` or `buffer` to lie (a Float32Array subclass
 * whose length says 1e9), and a copy sized by the lie would read or write past the array. These
 * getters cannot be overridden for this call, and throw for anything that is not a typed array
 * (a Proxy included).
 */
const TYPED_ARRAY = Object.getPrototypeOf(Uint8Array.prototype) as object;
const intrinsic = (name: string) => Object.getOwnPropertyDescriptor(TYPED_ARRAY, name)!.get!;
const LENGTH = intrinsic('length');
const BYTE_OFFSET = intrinsic('byteOffset');
const BYTE_LENGTH = intrinsic('byteLength');
const BUFFER = intrinsic('buffer');

export interface TrueView {
  buffer: ArrayBufferLike;
  byteOffset: number;
  byteLength: number;
  length: number;
}

/** The real buffer, offset and lengths of a typed array; a TypeError for anything else. */
export function trueView(x: ArrayBufferView): TrueView {
  try {
    return { buffer: BUFFER.call(x), byteOffset: BYTE_OFFSET.call(x), byteLength: BYTE_LENGTH.call(x), length: LENGTH.call(x) };
  } catch {
    throw new TypeError('Expected a typed array (a Float32Array, Uint32Array, ...) but received something that only looks like one');
  }
}

/** The real element count of a typed array (see trueView). */
export function trueLength(x: ArrayBufferView): number {
  return trueView(x).length;
}

/** One argument of a kernel call: the array, the bytes the kernel may touch, whether it writes. */
export interface Arg {
  x: ArrayBufferView;
  bytes: number;
  write: boolean;
}

export class WasmMemory {
  readonly memory: WebAssembly.Memory;
  readonly exports: WasmExports;
  /** Every buffer object memory.buffer has returned: growth returns a new one, old views stay valid. */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private current: ArrayBufferLike | null = null;
  private u8View: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  private scratch = 0;
  private scratchBytes = 0;
  /** Frees an alloc()'d block once its view is garbage collected. */
  private readonly reclaim: FinalizationRegistry<number>;

  constructor(memory: WebAssembly.Memory, exports: WasmExports) {
    this.memory = memory;
    this.exports = exports;
    this.reclaim = new FinalizationRegistry((ptr) => exports.free(ptr));
    this.refresh();
  }

  /** Bytes of the whole memory as of now (re-read after anything that may grow it). */
  get u8(): Uint8Array<ArrayBufferLike> {
    if (this.memory.buffer !== this.current) this.refresh();
    return this.u8View;
  }

  private refresh(): void {
    const b = this.memory.buffer;
    this.current = b;
    this.buffers.add(b);
    this.u8View = new Uint8Array(b);
  }

  /** Whether x is a view into this memory (then x.byteOffset is its address). */
  holds(x: ArrayBufferView): boolean {
    const buffer = trueView(x).buffer;
    if (buffer !== this.current && this.memory.buffer !== this.current) this.refresh();
    return this.buffers.has(buffer);
  }

  /** A block of `bytes`, or a RangeError saying how far the memory can grow. */
  block(bytes: number, what: string): number {
    const ptr = bytes <= 0x7fffffff ? this.exports.alloc(bytes) >>> 0 : 0;
    if (ptr === 0) {
      throw new RangeError(
        `Expected ${what} to fit in the WASM backend's memory (at most ${MEMORY_MAXIMUM_PAGES / 16} MiB in all) ` +
          `but ${bytes} more bytes do not fit; use fewer or smaller arrays, or the native or js backend`,
      );
    }
    this.refresh();
    return ptr;
  }

  /** n zeroed floats in this memory, freed when the returned view is garbage collected. */
  alloc(n: number): Float32Array {
    const ptr = this.block(4 * n, `${n} floats`);
    const view = new Float32Array(this.memory.buffer, ptr, n);
    view.fill(0);  // blocks are reused after a free
    this.reclaim.register(view, ptr);
    return view;
  }

  /**
   * Address of x when it is in this memory and honest about its length, else -1 (then the call
   * goes through call(), which checks the extent against the real length).
   */
  addr(x: ArrayBufferView): number {
    const v = trueView(x);
    return this.holds(x) && (x as unknown as { length: number }).length === v.length ? v.byteOffset : -1;
  }

  /**
   * Runs fn with the address of every argument: arrays in this memory in place; the others
   * copied into scratch, arrays of one buffer as one span so aliasing between them is kept
   * (du may be logits, h may be u), and copied back after the call when any of them is written.
   */
  call<T>(args: readonly Arg[], fn: (ptrs: number[]) => T): T {
    type Span = { buffer: ArrayBufferLike; lo: number; hi: number; write: boolean; at: number };
    const spans: Span[] = [];
    const spanOf: (Span | null)[] = [];
    const views = args.map((a) => trueView(a.x));
    for (let i = 0; i < args.length; i++) {
      const a = args[i], v = views[i];
      // The extent the checks computed, against the array's real size (never its own getters).
      if (!(Number.isSafeInteger(a.bytes) && a.bytes >= 0 && a.bytes <= v.byteLength)) {
        throw new RangeError(`Expected an array of at least ${a.bytes} bytes but it really holds ${v.byteLength} (an array subclass reporting a larger length is not trusted)`);
      }
      if (this.holds(a.x)) { spanOf.push(null); continue; }
      const lo = v.byteOffset;
      const hi = lo + a.bytes;
      let s = spans.find((t) => t.buffer === v.buffer);
      if (s) { s.lo = Math.min(s.lo, lo); s.hi = Math.max(s.hi, hi); s.write ||= a.write; }
      else { s = { buffer: v.buffer, lo, hi, write: a.write, at: 0 }; spans.push(s); }
      spanOf.push(s);
    }
    let need = 0;
    for (const s of spans) need += s.hi - s.lo + 128;
    const base = this.ensureScratch(need);
    let cursor = base;
    const u8 = this.u8;
    for (const s of spans) {
      s.at = cursor + (s.lo & 63);  // keep the alignment the kernels see
      u8.set(new Uint8Array(s.buffer, s.lo, s.hi - s.lo), s.at);
      cursor = (s.at + (s.hi - s.lo) + 63) & ~63;
    }
    const ptrs = args.map((_, i) => {
      const s = spanOf[i];
      return s ? s.at + (views[i].byteOffset - s.lo) : views[i].byteOffset;
    });
    const result = fn(ptrs);
    const out = this.u8;
    for (const s of spans) {
      if (s.write) new Uint8Array(s.buffer, s.lo, s.hi - s.lo).set(out.subarray(s.at, s.at + s.hi - s.lo));
    }
    return result;
  }

  /** The scratch region, grown to at least `bytes` (kept between calls). */
  ensureScratch(bytes: number): number {
    if (bytes > this.scratchBytes) {
      const size = Math.max(bytes, 2 * this.scratchBytes, 1 << 16);
      const ptr = this.block(size, 'a copy of the arrays passed');
      if (this.scratch !== 0) this.exports.free(this.scratch);
      this.scratch = ptr;
      this.scratchBytes = size;
    }
    return this.scratch;
  }
}
