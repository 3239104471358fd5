/**
 * Models as NumPy .npz archives with the notebook's names: W1.npy, b1.npy, W2.npy, b2.npy, ...
 * An .npz is a zip archive of .npy members. Writing produces what np.savez produces (uncompressed
 * "stored" members, .npy format 1.0, '<f4'); reading also accepts deflated members
 * (np.savez_compressed), .npy versions 1.0, 2.0 and 3.0, and '<f8' arrays (rounded to float32).
 *
 * Archives are untrusted when loading: every offset and size is checked against the file before
 * use, deflated members may not inflate beyond their declared size, CRCs are verified, and every
 * problem is a ModelFileError naming the file, the member and the problem.
 */
import { checkMemory } from '../budget.js';
import { MAX_LAYER_SIZE } from '../limits.js';
import { Mlp } from '../nn/mlp.js';
import { writeFileAtomic } from './atomic-write.js';
import { ascii, briefText, describeNonFinite, firstNonFinite, readF32LE } from './bytes.js';
import { ModelFileError } from './errors.js';
import { encodeNpy, parseNpy, pyShape, type NpyArray } from './npy.js';
import { readModelBytes } from './read.js';
import { checkFinite, checkNet, type DecodeOptions } from './safetensors.js';
import { encodeStoredZip, extractMember, MAX_DEFLATE_RATIO, readZipDirectory, type ZipInput, type ZipMember } from './zip.js';

export { crc32 } from './zip.js';
export { encodeNpy } from './npy.js';

/** The .npz bytes of net: stored (uncompressed) members W1.npy, b1.npy, ... like np.savez. */
export function encodeNpz(net: Mlp): Uint8Array {
  const sizes = checkNet(net);
  // An .npz holds arrays only and loads as ReLU (the notebook's): another activation would be lost.
  if (net.activations.some((a) => a !== 'relu')) {
    throw new RangeError(
      `an .npz file holds no activation and loads as relu, but this net uses ${net.activations.join(',')}; save it as .safetensors`,
    );
  }
  const members: ZipInput[] = [];
  for (let l = 1; l < sizes.length; l++) {
    members.push({ name: ascii(`W${l}.npy`), data: encodeNpy([sizes[l - 1], sizes[l]], net.W[l]) });
    members.push({ name: ascii(`b${l}.npy`), data: encodeNpy([sizes[l]], net.b[l]) });
  }
  return encodeStoredZip(members);
}

/** Saves net as an .npz archive, atomically (temporary file, fsync, rename); NaN weights refused as the loader would. */
export function saveNpz(file: string, net: Mlp, opts: DecodeOptions = {}): void {
  let bytes: Uint8Array;
  try {
    // The loader refuses NaN and infinite weights, so a file it would refuse is not written.
    if (!opts.allowNonFinite) checkFinite(net, (k, l) => `${k}${l}.npy`, 'member');
    bytes = encodeNpz(net);
  } catch (e) {
    throw new ModelFileError(`${file}: cannot save: ${(e as Error).message}`);
  }
  writeFileAtomic(file, bytes);
}

/** Loads an .npz archive of W1, b1, W2, b2, ...; the file is treated as untrusted. */
export function loadNpz(file: string, opts?: DecodeOptions): { net: Mlp } {
  return decodeNpz(readModelBytes(file), file, opts);
}

/** Decodes .npz bytes holding W1.npy, b1.npy, ... into a net whose layer sizes follow the shapes. */
export function decodeNpz(bytes: Uint8Array, source: string, opts: DecodeOptions = {}): { net: Mlp } {
  const fail = (msg: string): never => {
    throw new ModelFileError(`${source}: ${msg}`);
  };
  const members = readZipDirectory(bytes, fail);

  // Which members are there, before inflating anything.
  const byName = new Map<string, ZipMember>();
  for (const m of members) {
    if (byName.has(m.name)) fail(`member ${label(m.name)} appears twice`);
    byName.set(m.name, m);
  }
  let layers = 0;
  while (byName.has(`W${layers + 1}.npy`)) layers++;
  if (layers === 0) fail('no member W1.npy; expected W1.npy, b1.npy, W2.npy, b2.npy, ... as np.savez(W1=..., b1=..., ...) writes');
  const expected: string[] = [];
  for (let l = 1; l <= layers; l++) expected.push(`W${l}.npy`, `b${l}.npy`);
  for (const m of members) {
    if (!expected.includes(m.name)) fail(`unexpected member ${label(m.name)} (expected exactly ${expected.join(', ')})`);
  }
  for (const name of expected) if (!byName.has(name)) fail(`missing member ${name} (expected ${expected.join(', ')})`);

  // What inflating the members will cost, checked against the memory budget before any of it.
  let declared = 0;
  for (const name of expected) {
    const m = byName.get(name)!;
    // A size deflate cannot reach is refused by extractMember with its own message.
    if (m.method !== 0) declared += Math.min(m.size, m.compressedSize * MAX_DEFLATE_RATIO + 1024);
  }
  try {
    checkMemory(declared, `inflating ${declared} bytes of members`);
  } catch (e) {
    fail((e as Error).message);
  }

  // Each member's .npy header and data, then the shapes as a chain.
  const arrays = new Map<string, NpyArray>();
  for (const name of expected) {
    const m = byName.get(name)!;
    const memberFail = (msg: string): never => fail(`member ${name}: ${msg}`);
    arrays.set(name, parseNpy(extractMember(bytes, m, memberFail), name, memberFail));
  }
  const sizes: number[] = [];
  for (let l = 1; l <= layers; l++) {
    const W = arrays.get(`W${l}.npy`)!;
    const b = arrays.get(`b${l}.npy`)!;
    if (W.shape.length !== 2) fail(`member W${l}.npy has shape ${pyShape(W.shape)}; a weight matrix needs 2 dimensions (in, out)`);
    const [rows, cols] = W.shape;
    if (l === 1) sizes.push(rows);
    else if (rows !== sizes[l - 1]) {
      fail(
        `member W${l}.npy has shape ${pyShape(W.shape)} but W${l - 1}.npy has ${sizes[l - 1]} outputs, so W${l}.npy needs ${sizes[l - 1]} rows`,
      );
    }
    sizes.push(cols);
    const bOk = (b.shape.length === 1 && b.shape[0] === cols) || (b.shape.length === 2 && b.shape[0] === 1 && b.shape[1] === cols);
    if (!bOk)
      fail(`member b${l}.npy has shape ${pyShape(b.shape)} but W${l}.npy has shape ${pyShape(W.shape)}, so b${l}.npy needs (${cols},)`);
  }
  if (!sizes.every((s) => s >= 1 && s <= MAX_LAYER_SIZE)) {
    fail(`layer sizes ${sizes.join(',')} are not all in [1, ${MAX_LAYER_SIZE}]`);
  }

  // Every array's bytes are in hand, so this allocation is bounded by what was read.
  let net: Mlp;
  try {
    net = new Mlp(sizes);
  } catch (e) {
    return fail(`cannot hold layers ${sizes.join(',')}: ${(e as Error).message}`);
  }
  for (let l = 1; l <= layers; l++) {
    for (const [name, dst] of [
      [`W${l}.npy`, net.W[l]],
      [`b${l}.npy`, net.b[l]],
    ] as const) {
      const a = arrays.get(name)!;
      if (a.descr === '<f4') {
        readF32LE(dst, a.data, 0);
      } else {
        const dv = new DataView(a.data.buffer, a.data.byteOffset, a.data.byteLength);
        for (let i = 0; i < dst.length; i++) dst[i] = Math.fround(dv.getFloat64(i * 8, true));
      }
      if (!opts.allowNonFinite) {
        const i = firstNonFinite(dst);
        if (i >= 0) {
          const cast = a.descr === '<f8' ? ' (after rounding float64 to float32)' : '';
          fail(`member ${name} has ${describeNonFinite(dst, i, a.shape)}${cast}; pass allowNonFinite to load it anyway`);
        }
      }
    }
  }
  return { net };
}

function label(name: string): string {
  return briefText(name);
}
