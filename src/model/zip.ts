/**
 * Zip archives as .npz files use them: CRC-32, writing "stored" (uncompressed) archives, and
 * reading an untrusted archive's directory and members. Every offset and size is checked against
 * the file before use, deflated members may not inflate beyond their declared size, and CRCs are
 * verified. Errors go through the caller's `fail`, which names the file.
 */
import { inflateRawSync } from 'node:zlib';
import { briefText } from './bytes.js';

/** Deflate cannot compress better than about 1032:1; a larger declared ratio is a lie. */
const MAX_DEFLATE_RATIO = 1032;

// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zip uses. node:zlib in Node 20 has none.

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of bytes; pass a previous result as `crc` to continue a running checksum. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

export interface ZipMember {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  dataStart: number;
}

/** A member of a stored archive to write: its name (ASCII bytes) and its data. */
export interface ZipInput {
  name: Uint8Array;
  data: Uint8Array;
}

/** Local file headers + data, central directory, end record; no compression, fixed 1980-01-01 dates. */
export function encodeStoredZip(members: ZipInput[]): Uint8Array {
  let total = 22;
  for (const m of members) total += 30 + m.name.length + m.data.length + 46 + m.name.length;
  if (total > 0xffffffff || members.length > 0xffff) throw new RangeError('model too large for a zip archive without zip64');
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const DOS_TIME = 0;
  const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
  const offsets: number[] = [];
  const crcs: number[] = [];
  let p = 0;
  for (const m of members) {
    const crc = crc32(m.data);
    offsets.push(p);
    crcs.push(crc);
    dv.setUint32(p, 0x04034b50, true);
    dv.setUint16(p + 4, 20, true); // version needed: 2.0
    dv.setUint16(p + 6, 0, true); // flags
    dv.setUint16(p + 8, 0, true); // stored
    dv.setUint16(p + 10, DOS_TIME, true);
    dv.setUint16(p + 12, DOS_DATE, true);
    dv.setUint32(p + 14, crc, true);
    dv.setUint32(p + 18, m.data.length, true);
    dv.setUint32(p + 22, m.data.length, true);
    dv.setUint16(p + 26, m.name.length, true);
    dv.setUint16(p + 28, 0, true); // extra length
    out.set(m.name, p + 30);
    out.set(m.data, p + 30 + m.name.length);
    p += 30 + m.name.length + m.data.length;
  }
  const cdOffset = p;
  members.forEach((m, i) => {
    dv.setUint32(p, 0x02014b50, true);
    dv.setUint16(p + 4, 20, true); // made by: MS-DOS attributes, spec 2.0
    dv.setUint16(p + 6, 20, true);
    dv.setUint16(p + 8, 0, true);
    dv.setUint16(p + 10, 0, true);
    dv.setUint16(p + 12, DOS_TIME, true);
    dv.setUint16(p + 14, DOS_DATE, true);
    dv.setUint32(p + 16, crcs[i], true);
    dv.setUint32(p + 20, m.data.length, true);
    dv.setUint32(p + 24, m.data.length, true);
    dv.setUint16(p + 28, m.name.length, true);
    // extra, comment, disk, internal and external attributes stay 0
    dv.setUint32(p + 42, offsets[i], true);
    out.set(m.name, p + 46);
    p += 46 + m.name.length;
  });
  dv.setUint32(p, 0x06054b50, true);
  dv.setUint16(p + 8, members.length, true);
  dv.setUint16(p + 10, members.length, true);
  dv.setUint32(p + 12, p - cdOffset, true);
  dv.setUint32(p + 16, cdOffset, true);
  return out;
}

/** The central directory's members, with every offset and size checked against the file. */
export function readZipDirectory(bytes: Uint8Array, fail: (msg: string) => never): ZipMember[] {
  const len = bytes.length;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (p: number) => dv.getUint16(p, true);
  const u32 = (p: number) => dv.getUint32(p, true);
  const u64 = (p: number, what: string): number => {
    const v = dv.getBigUint64(p, true);
    if (v > BigInt(len)) fail(`${what} ${v} is beyond the end of the file (${len} bytes)`);
    return Number(v);
  };
  if (len < 22) fail(`too short for a zip archive (${len} bytes, need at least 22)`);

  // The end-of-central-directory record; its comment must run exactly to the end of the file.
  let eocd = -1;
  for (let p = len - 22; p >= Math.max(0, len - 22 - 0xffff); p--) {
    if (u32(p) === 0x06054b50 && p + 22 + u16(p + 20) === len) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) fail('not a zip archive (no end-of-central-directory record); an .npz file is a zip archive');
  if (u16(eocd + 4) !== 0 || u16(eocd + 6) !== 0 || u16(eocd + 8) !== u16(eocd + 10)) fail('multi-disk zip archives are not supported');
  let count = u16(eocd + 10);
  let cdSize = u32(eocd + 12);
  let cdOffset = u32(eocd + 16);
  let cdLimit = eocd;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    // zip64: a locator just before the end record points at the zip64 end record.
    const loc = eocd - 20;
    if (loc < 0 || u32(loc) !== 0x07064b50) fail('zip64 end-of-central-directory locator is missing');
    const rec = u64(loc + 8, 'zip64 end record offset');
    if (rec + 56 > loc || u32(rec) !== 0x06064b50) fail('zip64 end-of-central-directory record is missing or out of range');
    if (u32(rec + 16) !== 0 || u32(rec + 20) !== 0) fail('multi-disk zip archives are not supported');
    count = u64(rec + 32, 'zip64 member count');
    cdSize = u64(rec + 40, 'zip64 central directory size');
    cdOffset = u64(rec + 48, 'zip64 central directory offset');
    cdLimit = rec;
  }
  if (cdOffset + cdSize > cdLimit) {
    fail(`central directory [${cdOffset}, ${cdOffset + cdSize}) runs past its end record at ${cdLimit}`);
  }
  if (count * 46 > cdSize) fail(`central directory of ${cdSize} bytes cannot hold the ${count} members the end record declares`);

  const members: ZipMember[] = [];
  let p = cdOffset;
  const cdEnd = cdOffset + cdSize;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdEnd || u32(p) !== 0x02014b50) fail(`central directory entry ${i} is missing or corrupt`);
    const flags = u16(p + 8);
    const method = u16(p + 10);
    const crc = u32(p + 16);
    let compressedSize = u32(p + 20);
    let size = u32(p + 24);
    const nameLen = u16(p + 28);
    const extraLen = u16(p + 30);
    const commentLen = u16(p + 32);
    let localOffset = u32(p + 42);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > cdEnd) fail(`central directory entry ${i} runs past the end of the central directory`);
    const name = decodeName(bytes.subarray(p + 46, p + 46 + nameLen), (flags & 0x800) !== 0);
    // zip64 extra field: the 64-bit values of whichever 32-bit fields are saturated, in order.
    if (size === 0xffffffff || compressedSize === 0xffffffff || localOffset === 0xffffffff) {
      let q = p + 46 + nameLen;
      const extraEnd = q + extraLen;
      let found = false;
      while (q + 4 <= extraEnd) {
        const id = u16(q);
        const n = u16(q + 2);
        if (q + 4 + n > extraEnd) break;
        if (id === 0x0001) {
          let f = q + 4;
          const take = (what: string): number => {
            if (f + 8 > q + 4 + n) fail(`member ${label(name)}: zip64 extra field is too short`);
            const v = u64(f, `member ${label(name)}: ${what}`);
            f += 8;
            return v;
          };
          if (size === 0xffffffff) size = take('size');
          if (compressedSize === 0xffffffff) compressedSize = take('compressed size');
          if (localOffset === 0xffffffff) localOffset = take('local header offset');
          found = true;
          break;
        }
        q += 4 + n;
      }
      if (!found) fail(`member ${label(name)}: 32-bit sizes are saturated but there is no zip64 extra field`);
    }
    if (flags & 0x1) fail(`member ${label(name)} is encrypted`);
    // The local header: its own name and extra field lengths decide where the data starts.
    if (localOffset + 30 > cdOffset || u32(localOffset) !== 0x04034b50) {
      fail(`member ${label(name)}: local header at ${localOffset} is missing or out of range`);
    }
    const localNameLen = u16(localOffset + 26);
    const localExtraLen = u16(localOffset + 28);
    const localName = bytes.subarray(localOffset + 30, localOffset + 30 + localNameLen);
    const centralName = bytes.subarray(p + 46, p + 46 + nameLen);
    if (localNameLen !== nameLen || !localName.every((c, j) => c === centralName[j])) {
      fail(`member ${label(name)}: local header names a different file`);
    }
    const dataStart = localOffset + 30 + localNameLen + localExtraLen;
    if (dataStart + compressedSize > cdOffset) {
      fail(`member ${label(name)}: ${compressedSize} bytes of data at ${dataStart} run past the central directory at ${cdOffset}`);
    }
    members.push({ name, method, crc, compressedSize, size, localOffset, dataStart });
    p = next;
  }
  if (p !== cdEnd) fail(`central directory has ${cdEnd - p} bytes after its ${count} entries`);
  // Members may not share bytes: otherwise a small file could inflate the same data many times.
  const sorted = [...members].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (sorted[i].localOffset < prev.dataStart + prev.compressedSize) {
      fail(`members ${label(prev.name)} and ${label(sorted[i].name)} overlap`);
    }
  }
  return members;
}

/** The member's uncompressed bytes, size- and CRC-checked. */
export function extractMember(bytes: Uint8Array, m: ZipMember, fail: (msg: string) => never): Uint8Array {
  const raw = bytes.subarray(m.dataStart, m.dataStart + m.compressedSize);
  let data: Uint8Array;
  if (m.method === 0) {
    if (m.compressedSize !== m.size) fail(`stored member has compressed size ${m.compressedSize} but size ${m.size}`);
    data = raw;
  } else if (m.method === 8) {
    if (m.size > m.compressedSize * MAX_DEFLATE_RATIO + 1024) {
      fail(`declared size ${m.size} is impossible for ${m.compressedSize} bytes of deflate data`);
    }
    try {
      data = inflateRawSync(raw, { maxOutputLength: Math.max(1, m.size) });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') return fail(`inflates to more than its declared size of ${m.size} bytes`);
      return fail(`deflate data is corrupt (${(e as Error).message})`);
    }
    if (data.length !== m.size) fail(`inflates to ${data.length} bytes but the zip directory says ${m.size}`);
  } else {
    return fail(`compression method ${m.method} is not supported (only stored and deflate, as np.savez and np.savez_compressed write)`);
  }
  const crc = crc32(data);
  if (crc !== m.crc) fail(`CRC-32 mismatch (computed ${hex32(crc)}, the zip directory says ${hex32(m.crc)}); the file is corrupt`);
  return data;
}

function decodeName(b: Uint8Array, utf8: boolean): string {
  return new TextDecoder(utf8 ? 'utf-8' : 'latin1').decode(b);
}

function label(name: string): string {
  return briefText(name);
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
