/** CSV files: csv-parse's edge cases, and every bad input named by file, line, column and value. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { columnCell, readCsv, readWhole, sortClassNames } from '../src/data/csv.js';
import { DataError } from '../src/data/dataset.js';
import { type CsvDataOptions, loadCsvDataSet } from '../src/data/from-csv.js';

const dir = mkdtempSync(join(tmpdir(), 'native-mlp-csv-'));
let n = 0;
function file(text: string | Uint8Array, name = `t${n++}.csv`): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function rejects(p: Promise<unknown>, message: RegExp): Promise<void> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, 'expected a DataError').toBeInstanceOf(DataError);
  expect((e as Error).message).toMatch(message);
  expect((e as Error).message).not.toContain('\n');
}

/** The encoded, unstandardised training + test inputs of a small file, in file order (no split: a test file). */
async function encoded(text: string, o: Partial<CsvDataOptions> = {}) {
  const f = file(text);
  return loadCsvDataSet(f, { target: 'y', testFile: f, ...o });
}

describe('readCsv', () => {
  it('reads a small plain file (parsed whole) as it reads the same text streamed (gzip)', async () => {
    const text =
      '\uFEFFa;"b\nc";label\r\n' +
      Array.from({ length: 300 }, (_, i) => `${i % 7 === 0 ? 'NA' : (i * 0.37).toFixed(3)} ;"q""${i}\n";${i % 3 ? 'x' : 'y'}`).join(
        '\r\n',
      ) +
      '\r\n\r\n';
    const plain = await readCsv(file(text));
    const gz = await readCsv(file(gzipSync(text), `g${n++}.csv.gz`));
    expect(plain.count).toBe(300);
    expect(plain.delimiter).toBe(';');
    expect({ ...gz, file: plain.file }).toEqual(plain);
    // A broken quote is reported alike, with the same line.
    const broken = 'a,b\n1,2\n3,"4\n5,6\n';
    const message = async (f: string) =>
      String(
        await readCsv(f).then(
          () => 'read',
          (e: Error) => e.message,
        ),
      ).replace(f, 'FILE');
    expect(await message(file(broken))).toBe(await message(file(gzipSync(broken), `g${n++}.csv.gz`)));
    expect(await message(file(broken))).toMatch(/line/);
  });

  it('reads a small file whole only while it holds the bytes it was checked with (a growing one streams)', () => {
    const text = 'a,y\n1,p\n2,q\n';
    const f = file(text);
    expect(readWhole(f, text.length)?.toString()).toBe(text);
    expect(readWhole(f, text.length + 8)?.toString()).toBe(text); // shrank since: what is there
    expect(readWhole(f, text.length - 1)).toBeNull(); // grew since: not read past the size checked + 1
  });

  it('reads quoted fields, a quoted header with a comma, CRLF line ends, a BOM and empty lines', async () => {
    const text = '\uFEFF"a, first",b,"label"\r\n"1.5", -2 ,"x, y"\r\n\r\n3e2,"4",z\r\n\r\n';
    const t = await readCsv(file(text));
    expect(t.header).toEqual(['a, first', 'b', 'label']);
    expect(t.count).toBe(2);
    expect(Array.from(t.columns[0].numbers)).toEqual([1.5, 300]);
    expect([columnCell(t.columns[2], 0), columnCell(t.columns[2], 1)]).toEqual(['x, y', 'z']);
    expect(Array.from(t.lines)).toEqual([2, 4]);
  });

  it('keeps float32 values exactly as Math.fround of the text', async () => {
    const values = [0.1, 1e-7, 123456.789, -3.4028234663852886e38, 5.28];
    const d = await encoded(`v,w,y\n${values.map((v, i) => `${v},${i},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`, { features: ['v'] });
    expect(Array.from(d.train.inputs)).toEqual(values.map(Math.fround));
  });

  it('picks --features by name, in the order of the file, and leaves other columns out', async () => {
    const d = await encoded('a,b,c,y\n1,2,3,p\n4,5,7,q\n', { features: ['c', 'a'] });
    expect(d.featureNames).toEqual(['a', 'c']);
    expect(Array.from(d.train.inputs)).toEqual([1, 3, 4, 7]);
  });

  it('regression targets are numbers, one column or several', async () => {
    const d = await encoded('a,y,z\n1,2.5,1\n2,-1,3\n', { task: 'regress' });
    expect(Array.from(d.train.targets)).toEqual([2.5, -1]);
    const m = await encoded('a,y,z\n1,2.5,1\n2,-1,3\n3,0,0\n', { task: 'regress', target: ['y', 'z'] });
    expect(m.classes).toBe(2);
    expect(Array.from(m.train.targets)).toEqual([2.5, 1, -1, 3, 0, 0]);
  });

  it('names the file, line, column and value of a cell that breaks a numeric column', async () => {
    const f1 = file('a,b,y\n1,2,p\n3,0x10,q\n4,5,p\n');
    await rejects(
      loadCsvDataSet(f1, { target: 'y' }),
      new RegExp(`${f1.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line 3, column "b": "0x10" is not a decimal number`),
    );
    await rejects(
      loadCsvDataSet(file('a,b,y\n1,2,p\n3,Infinity,q\n4,5,p\n'), { target: 'y' }),
      /line 3, column "b": "Infinity" is not a decimal number/,
    );
    await rejects(loadCsvDataSet(file('a,b,y\n1,1e39,p\n'), { target: 'y' }), /line 2, column "b": "1e39" is beyond the float32 range/);
    await rejects(
      loadCsvDataSet(file('a;b;y\n1;1,5;p\n2;2,5;q\n'), { target: 'y' }),
      /line 2, column "b": "1,5" is not a number with "." decimals; .*--decimal ,/,
    );
    await rejects(loadCsvDataSet(file('a,y\n1,2\n2,x\n'), { target: 'y', task: 'regress' }), /line 3, column "y": "x" is not a number/);
  });

  it('refuses a header-only file, an empty file, duplicated and empty column names', async () => {
    await rejects(readCsv(file('a,b,y\n')), /a header row but no data rows/);
    await rejects(readCsv(file('')), /empty file/);
    await rejects(readCsv(file('a,b,a,y\n1,2,3,p\n')), /column name "a" appears twice in the header \(columns 1 and 3\)/);
    await rejects(readCsv(file('a,,y\n1,2,p\n')), /column 2 of the header has no name/);
  });

  it('names a missing target or feature column and lists the header', async () => {
    await rejects(loadCsvDataSet(file('a,b\n1,2\n'), { target: 'label' }), /no column named "label" \(--target\); the header has "a", "b"/);
    await rejects(loadCsvDataSet(file('a,b\n1,p\n2,q\n'), { target: 'b', features: ['c'] }), /no column named "c" \(--features\)/);
    await rejects(loadCsvDataSet(file('a,b\n1,p\n2,q\n'), { target: 'b', features: ['b'] }), /"b" is the target column/);
    await rejects(loadCsvDataSet(file('y\np\nq\n'), { target: 'y' }), /no feature columns left/);
  });

  it('turns csv-parse errors (a row with too many fields, an unclosed quote) into one-line DataErrors', async () => {
    await rejects(readCsv(file('a,y\n1,p\n2,q,extra\n')), /line 3: Invalid Record Length.*check the row/i);
    await rejects(readCsv(file('a,y\n"1,p\n')), /quote/i);
  });

  it('refuses a file over the byte bound before reading it, and what is not a regular file', async () => {
    await rejects(readCsv(file('a,y\n1,p\n2,q\n'), { maxBytes: 8 }), /larger than the limit of .* MiB/);
    const sub = join(dir, 'folder.csv');
    mkdirSync(sub);
    await rejects(readCsv(sub), /not a regular file/);
    await rejects(readCsv(join(dir, 'missing.csv')), /cannot read \(ENOENT\)/);
  });

  it('orders class names numerically when they are numbers, else by code unit', () => {
    expect(sortClassNames(['10', '2', '1', '2'])).toEqual(['1', '2', '10']);
    expect(sortClassNames(['b', 'B', 'a'])).toEqual(['B', 'a', 'b']);
  });
});

describe('loadCsvDataSet', () => {
  it('a target column with one class is refused with a hint', async () => {
    await rejects(loadCsvDataSet(file('a,y\n1,p\n2,p\n'), { target: 'y' }), /holds one class \("p"\); classification needs at least two/);
  });

  it('holds out 20 % as test (stratified) without a test file, and uses a test file when given', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${(i * 7) % 13},${i % 5 === 0 ? 'rare' : 'common'}`).join('\n');
    const d = await loadCsvDataSet(file(`a,y\n${rows}\n`), { target: 'y' });
    expect(d.classNames).toEqual(['common', 'rare']);
    expect(d.train.count + d.test.count).toBe(50);
    expect(d.test.count).toBe(10);
    expect(Array.from(d.test.targets).filter((t) => t === 1)).toHaveLength(2); // 10 rare rows -> 2 held out
    const t = await loadCsvDataSet(file(`a,y\n${rows}\n`), { target: 'y', testFile: file('a,y\n1,rare\n2,common\n') });
    expect(t.train.count).toBe(50);
    expect(Array.from(t.test.targets)).toEqual([1, 0]);
  });

  it('a test file with a class the training file lacks is named', async () => {
    await rejects(
      loadCsvDataSet(file('a,y\n1,p\n2,q\n3,p\n'), { target: 'y', testFile: file('a,y\n1,r\n') }),
      /line 2, column "y": class "r" is not one of the model's classes \("p", "q"\)/,
    );
  });
});
