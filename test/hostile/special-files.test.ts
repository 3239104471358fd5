/**
 * Hostile class: special files and decompression bombs. Every loader (model, npz, IDX, a data
 * folder, predict input) must refuse a device, a FIFO with no writer, a folder, a symlink to a
 * device, and a non-path, within a second and under 200 MB; gzip is inflated only up to what the
 * IDX header promises. Each group runs in a capped child process (test/helpers/capped.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx } from '../../src/data/idx.js';
import { HANG_MS, MAX_RSS_MB, runCapped, runCli } from '../helpers/capped.js';

const dir = mkdtempSync(join(tmpdir(), 'native-mlp-special-'));
const fifo = join(dir, 'fifo');
const folder = join(dir, 'folder');
const zeroLink = join(dir, 'zero-link');
const SPECIAL: [string, string, RegExp][] = [
  ['/dev/zero', 'character device', /\/dev\/zero: is a character device, not a regular file/],
  ['/dev/null', 'character device', /\/dev\/null: is a character device/],
  ['/dev/urandom', 'character device', /is a character device/],
  [fifo, 'FIFO', /fifo: is a FIFO \(named pipe\), not a regular file/],
  [folder, 'folder', /folder: is a folder, not a regular file/],
  [zeroLink, 'symlink to /dev/zero', /zero-link: is a character device/],
  ['/proc/self/mem', 'proc file', /./],
];

/** A gzip of `header` followed by `zeros` zero bytes, deflated as a stream (never all in memory). */
async function gzipBomb(header: Uint8Array, zeros: number): Promise<Buffer> {
  const gz = createGzip({ level: 1 });
  const out: Buffer[] = [];
  gz.on('data', (d: Buffer) => out.push(d));
  const done = new Promise((r) => gz.on('end', r));
  gz.write(header);
  const chunk = Buffer.alloc(1 << 20);
  for (let left = zeros; left > 0; left -= chunk.length) {
    if (!gz.write(left >= chunk.length ? chunk : chunk.subarray(0, left))) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await done;
  return Buffer.concat(out);
}

function idxHeader(dims: number[]): Uint8Array {
  return encodeIdx(dims, new Uint8Array(0));
}

beforeAll(() => {
  execFileSync('mkfifo', [fifo]);
  mkdirSync(folder);
  symlinkSync('/dev/zero', zeroLink);
});

/** Where a loader lives in the capped child: readIdx is below the package's API (capped.ts INTERNALS). */
const api = (fn: string) => (fn === 'readIdx' ? 'internal' : 'lib');

describe('special files: every loader refuses them at once', () => {
  it('loadModel, loadNpz, readIdx on devices, FIFOs, folders, symlinks to devices', () => {
    const body = SPECIAL.flatMap(([path]) =>
      ['loadModel', 'loadNpz', 'readIdx', 'parseIdx'].map((fn) =>
        fn === 'parseIdx' ? '' : `await check(${JSON.stringify(`${fn} ${path}`)}, () => ${api(fn)}.${fn}(${JSON.stringify(path)}));`,
      ),
    ).join('\n');
    const run = runCapped(body, { timeoutMs: 20_000 });
    expect(run.signal).toBeNull();
    expect(run.maxRssMb).toBeLessThan(MAX_RSS_MB);
    for (const [path, , pattern] of SPECIAL) {
      for (const [fn, cls] of [
        ['loadModel', 'ModelFileError'],
        ['loadNpz', 'ModelFileError'],
        ['readIdx', 'DataError'],
      ]) {
        const r = run.results.get(`${fn} ${path}`)!;
        expect(r, `${fn} ${path}`).toBeDefined();
        expect(r.error?.instance, `${fn} ${path}`).toContain(cls);
        expect(r.error?.message, `${fn} ${path}`).toMatch(pattern);
        expect(r.ms, `${fn} ${path}`).toBeLessThan(HANG_MS);
      }
    }
  });

  it('non-paths: loadModel(0) does not read stdin; empty, NUL and non-string paths are TypeErrors', () => {
    const bad = ['0', '1', '""', '"a\\u0000b"', 'null', 'undefined', '{}', 'new URL("file:///dev/zero")'];
    const body = bad
      .flatMap((b) =>
        ['loadModel', 'loadNpz', 'readIdx'].map((fn) => `await check(${JSON.stringify(`${fn} ${b}`)}, () => ${api(fn)}.${fn}(${b}));`),
      )
      .join('\n');
    // stdin is a pipe nobody writes to: reading it would hang until the time limit.
    const run = runCapped(body, { timeoutMs: 15_000 });
    expect(run.signal).toBeNull();
    for (const b of bad) {
      for (const fn of ['loadModel', 'loadNpz', 'readIdx']) {
        const r = run.results.get(`${fn} ${b}`)!;
        expect(r.error?.instance, `${fn} ${b}`).toContain('TypeError');
        expect(r.error?.message).toMatch(/Expected a file path \(a non-empty string\)/);
      }
    }
  });

  it('a data folder whose files are special files, and predict --input on them, from the CLI', () => {
    for (const [path, what] of [SPECIAL[0], SPECIAL[3], SPECIAL[4]]) {
      const data = mkdtempSync(join(dir, 'data-'));
      for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
        symlinkSync(path, join(data, name));
      }
      const r = runCli(['train', '--data', data, '--epochs', '1'], { timeoutMs: 10_000 });
      expect(r.signal, what).toBeNull();
      expect(r.status, `${what}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n'), what).toHaveLength(1);
      expect(r.stderr).toMatch(/not a regular file/);
    }
  });
});

describe('huge regular files are refused by their size before a byte is read', () => {
  it('a sparse 3 GiB model, npz, IDX and predict input', () => {
    const huge = join(dir, 'huge.bin');
    writeFileSync(huge, encodeIdx([3, 1024, 1024 * 1024], new Uint8Array(0)));
    truncateSync(huge, 3 * 1024 ** 3 + 16); // sparse: no disk space used
    const run = runCapped(
      ['loadModel', 'loadNpz', 'readIdx'].map((fn) => `await check('${fn}', () => ${api(fn)}.${fn}(${JSON.stringify(huge)}));`).join('\n'),
    );
    expect(run.maxRssMb).toBeLessThan(MAX_RSS_MB);
    for (const fn of ['loadModel', 'loadNpz', 'readIdx']) {
      expect(run.results.get(fn)!.error?.message, fn).toMatch(/huge\.bin: 3221225488 bytes is larger than the limit of 2147483648 bytes/);
      expect(run.results.get(fn)!.ms, fn).toBeLessThan(HANG_MS);
    }
  });
});

describe('decompression bombs: gzip is inflated only up to what the IDX header promises', () => {
  const files: Record<string, string> = {};
  beforeAll(async () => {
    const put = (name: string, bytes: Uint8Array) => {
      files[name] = join(dir, `${name}.gz`);
      writeFileSync(files[name], bytes);
    };
    // 64 MB of zeros behind a header promising 10 images: ~64 KB on disk (the inflater stops at
    // 7857 bytes, so the size beyond that only costs time to make here).
    put('small-header', await gzipBomb(idxHeader([10, 28, 28]), 64 << 20));
    // The same zeros behind MNIST's own header (47 MB promised, 64 MB held).
    put('mnist-header', await gzipBomb(idxHeader([60000, 28, 28]), 64 << 20));
    // Nothing but zeros: the "header" says element type 0x00.
    put('all-zeros', await gzipBomb(new Uint8Array(0), 16 << 20));
    // A header promising 2^32 x 2^32 bytes from a few bytes of gzip.
    put('huge-promise', gzipSync(idxHeader([0xffffffff, 0xffffffff])));
    // A real small file, cut: a partial download.
    let x = 12345;
    const noise = Uint8Array.from({ length: 78400 }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
    const good = gzipSync(encodeIdx([100, 28, 28], noise));
    put('cut-half', good.subarray(0, good.length >> 1));
    put('no-trailer', good.subarray(0, good.length - 8));
    put('corrupt', Buffer.concat([good.subarray(0, 20), Buffer.alloc(200, 0xff)]));
    put('good', good);
  }, 60_000);

  it('each is refused with the numbers, within a second, under 200 MB', () => {
    const body = Object.entries(files)
      .map(([name, file]) => `await check(${JSON.stringify(name)}, () => internal.readIdx(${JSON.stringify(file)}).dims);`)
      .join('\n');
    const run = runCapped(body, { timeoutMs: 20_000 });
    expect(run.signal).toBeNull();
    expect(run.maxRssMb).toBeLessThan(MAX_RSS_MB);
    const msg = (name: string) => {
      const r = run.results.get(name)!;
      expect(r.error?.instance, name).toContain('DataError');
      expect(r.ms, name).toBeLessThan(HANG_MS);
      return r.error!.message;
    };
    expect(msg('small-header')).toMatch(/has trailing bytes: header says 10x28x28 \(7856 bytes with header\) but the gzip data holds more/);
    expect(msg('mnist-header')).toMatch(/header says 60000x28x28 \(47040016 bytes with header\) but the gzip data holds more/);
    expect(msg('all-zeros')).toMatch(/IDX element type 0x00 is not supported/);
    expect(msg('huge-promise')).toMatch(/cannot hold that many/);
    expect(msg('cut-half')).toMatch(
      /truncated: header says 100x28x28 = 78400 elements \(78416 bytes with header\) but the gzip data holds \d+ bytes/,
    );
    expect(msg('no-trailer')).toMatch(/truncated: the gzip data ends before its trailer/);
    expect(msg('corrupt')).toMatch(/gzip data is corrupt|truncated/);
    expect(run.results.get('good')!.value).toEqual([100, 28, 28]);
  });
});

describe('readMaybeGzip: the bounded reader for formats without a size in their header (CSV)', () => {
  it('caps the inflated output, reports truncation, reads plain and gzipped text', async () => {
    const bomb = join(dir, 'bomb.csv.gz');
    writeFileSync(bomb, await gzipBomb(new TextEncoder().encode('a,b\n'), 32 << 20));
    const good = join(dir, 'good.csv.gz');
    const text = 'x,label\n' + '1,2\n'.repeat(1000);
    const gz = gzipSync(text);
    writeFileSync(good, gz);
    const cut = join(dir, 'cut.csv.gz');
    writeFileSync(cut, gz.subarray(0, gz.length - 4));
    const plain = join(dir, 'plain.csv');
    writeFileSync(plain, text);
    const io = JSON.stringify(new URL('../../dist/io/read-file.js', import.meta.url).href);
    const run = runCapped(`
      const { readMaybeGzip } = await import(${io});
      const fail = (m) => { throw new lib.DataError(m); };
      for (const [k, f] of Object.entries(${JSON.stringify({ bomb, good, cut, plain, fifo, dev: '/dev/zero' })})) {
        await check(k, () => readMaybeGzip(f, 1 << 20, fail).length);
      }
    `);
    expect(run.maxRssMb).toBeLessThan(MAX_RSS_MB);
    const r = (k: string) => run.results.get(k)!;
    expect(r('bomb').error?.message).toMatch(/bomb\.csv\.gz: inflates to more than the limit of 1048576 bytes/);
    expect(r('bomb').ms).toBeLessThan(HANG_MS);
    expect(r('good').value).toBe(text.length);
    expect(r('plain').value).toBe(text.length);
    expect(r('cut').error?.message).toMatch(/truncated/);
    expect(r('fifo').error?.message).toMatch(/is a FIFO/);
    expect(r('dev').error?.message).toMatch(/is a character device/);
  });
});

describe('truncated and inconsistent plain IDX files', () => {
  it('are reported with the expected and actual sizes, before the data is read', () => {
    const good = encodeIdx([100, 28, 28], new Uint8Array(78400));
    const cases: Record<string, Uint8Array> = {
      half: good.subarray(0, 40000),
      header8: good.subarray(0, 8),
      header15: good.subarray(0, 15),
      empty: new Uint8Array(0),
      trailing: Buffer.concat([good, Buffer.alloc(3)]),
      zeroDims: Uint8Array.from([0, 0, 8, 0]),
      huge: idxHeader([0xffffffff, 0xffffffff, 0xffffffff]),
      floats: Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]),
    };
    const paths = Object.fromEntries(
      Object.entries(cases).map(([k, v]) => {
        const p = join(dir, `plain-${k}`);
        writeFileSync(p, v);
        return [k, p];
      }),
    );
    const body = Object.entries(paths)
      .map(([k, p]) => `await check(${JSON.stringify(k)}, () => internal.readIdx(${JSON.stringify(p)}).dims);`)
      .join('\n');
    const run = runCapped(body);
    expect(run.maxRssMb).toBeLessThan(MAX_RSS_MB);
    const m = (k: string) => run.results.get(k)!.error!.message;
    expect(m('half')).toMatch(/truncated: header says 100x28x28 = 78400 elements \(78416 bytes with header\) but the file has 40000 bytes/);
    expect(m('header8')).toMatch(/truncated IDX header \(8 bytes, the 3 dimensions need 16\)/);
    expect(m('header15')).toMatch(/truncated IDX header \(15 bytes/);
    expect(m('empty')).toMatch(/too short for an IDX header \(0 bytes/);
    expect(m('trailing')).toMatch(/has trailing bytes: .* but the file has 78419 bytes/);
    expect(m('zeroDims')).toMatch(/declares 0 dimensions/);
    expect(m('huge')).toMatch(/truncated: header says 4294967295x4294967295x4294967295/);
    expect(m('floats')).toMatch(/element type 0x0d is not supported/);
  });

  it('a truncated training-images file in a data folder is reported as truncated by the CLI (one line, exit 2)', () => {
    const data = mkdtempSync(join(dir, 'trunc-'));
    const images = encodeIdx([100, 28, 28], new Uint8Array(78400));
    writeFileSync(join(data, 'train-images-idx3-ubyte'), images.subarray(0, 50000));
    writeFileSync(join(data, 'train-labels-idx1-ubyte'), encodeIdx([100], new Uint8Array(100)));
    writeFileSync(join(data, 't10k-images-idx3-ubyte'), images);
    writeFileSync(join(data, 't10k-labels-idx1-ubyte'), encodeIdx([100], new Uint8Array(100)));
    const r = runCli(['train', '--data', data, '--epochs', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^native-mlp: .*train-images-idx3-ubyte: truncated: header says 100x28x28 = 78400 elements \(78416 bytes with header\) but the file has 50000 bytes\n$/,
    );
  });
});
