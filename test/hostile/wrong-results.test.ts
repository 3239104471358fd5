/**
 * Hostile class: silently wrong results. NaN weights behind a finite loss (ReLU maps NaN to 0) stop
 * the run; model files with duplicate class or feature names, or standardisation statistics that
 * are subnormal or huge, are refused on save and on load; a metadata key "__proto__" survives a
 * save; a stray IDX label cannot widen the output layer; a regression model is not used as a
 * classifier on images; messages show NaN and Infinity as themselves, not null; names from files
 * reach the terminal escaped. Capped child processes.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeIdx } from '../../src/data/idx.js';
import { MAX_RSS_MB, runCapped, runCli } from '../helpers/capped.js';

const dir = mkdtempSync(join(tmpdir(), 'native-mlp-wrong-'));

/** Rows x of 4 features in two classes, as a small array data set, and a 4-3-2 net in the child. */
const SETUP = `
  const x = new Float32Array(64).map((_, i) => ((i * 7) % 11) / 11);
  const y = Uint32Array.from({ length: 16 }, (_, i) => i % 2);
  const data = lib.dataSetFromSplits({ x, y }, { features: 4, classes: 2, test: { x, y } });
  const config = { epochs: 2, batch: 4, lr: 0.1, hidden: [3], seed: 0, evalImages: 0 };
`;

describe('silently wrong results', () => {
  it('NaN weights with a finite loss stop the run after the epoch (train and fit); allowNonFinite keeps going', () => {
    const run = runCapped(`${SETUP}
      const poisoned = () => { const net = lib.createModel({ sizes: [4, 3, 2], seed: 1 }); net.W[1][0] = NaN; return net; };
      await check('train', () => lib.train(internal.jsBackend, data, config, { net: poisoned() }));
      await check('allowed', () => { lib.train(internal.jsBackend, data, { ...config, allowNonFinite: true }, { net: poisoned() }); return 'ran'; });
      await check('clean', () => { lib.train(internal.jsBackend, data, config); return 'ran'; });
    `);
    const r = run.results.get('train')!;
    expect(r.error?.name).toBe('NonFiniteWeightsError');
    expect(r.error?.message).toMatch(/the weights became non-finite in epoch 1 \(W1\[0\] is NaN\) although the loss stayed finite/);
    expect(run.results.get('allowed')).toMatchObject({ error: null, value: 'ran' });
    expect(run.results.get('clean')).toMatchObject({ error: null, value: 'ran' });
  });

  it('duplicate names and out-of-range statistics are refused on save and on load; "__proto__" metadata is kept', () => {
    const file = join(dir, 'm.safetensors');
    const run = runCapped(`
      const net = lib.createModel({ sizes: [2, 3, 2], seed: 1 });
      const f = ${JSON.stringify(file)};
      await check('dup classes', () => lib.saveModel(f, net, {}, { classNames: ['a', 'a'] }));
      await check('dup features', () => lib.saveModel(f, net, {}, { featureNames: ['x', 'x'] }));
      const p = (std) => ({ preprocessing: { featureMean: new Float32Array(2), featureStd: Float32Array.of(1, std) } });
      await check('subnormal std', () => lib.saveModel(f, net, {}, p(1e-40)));
      await check('huge std', () => lib.saveModel(f, net, {}, p(1e35)));
      await check('proto', () => { lib.saveModel(f, net, JSON.parse('{"__proto__":"kept","note":"x"}')); return lib.loadModel(f).metadata['__proto__']; });
      // A file another tool wrote: duplicate class names and a subnormal std go through the loader.
      const fs = await import('node:fs');
      const bytes = fs.readFileSync(f);
      const n = Number(bytes.readBigUInt64LE(0));
      const header = JSON.parse(bytes.subarray(8, 8 + n).toString());
      header.__metadata__.class_names = '["a","a"]';
      const h = Buffer.from(JSON.stringify(header));
      const len = Buffer.alloc(8); len.writeBigUInt64LE(BigInt(h.length));
      fs.writeFileSync(f + '.dup', Buffer.concat([len, h, bytes.subarray(8 + n)]));
      await check('load dup', () => lib.loadModel(f + '.dup'));
    `);
    expect(run.maxRssMb).toBeLessThan(MAX_RSS_MB);
    expect(run.results.get('dup classes')?.error?.message).toMatch(/unique class names but "a" occurs twice/);
    expect(run.results.get('dup features')?.error?.message).toMatch(/unique feature names but "x" occurs twice/);
    expect(run.results.get('subnormal std')?.error?.message).toMatch(/feature_std\[1\] in range \(a standard deviation must be from/);
    expect(run.results.get('huge std')?.error?.message).toMatch(/feature_std\[1\] in range/);
    expect(run.results.get('proto')).toMatchObject({ error: null, value: 'kept' });
    expect(run.results.get('load dup')?.error?.message).toMatch(/metadata class_names names "a" twice/);
  });

  it('a stray IDX label does not widen the output layer', () => {
    const idx = join(dir, 'idx');
    mkdirSync(idx);
    const labels = Uint8Array.from({ length: 8 }, (_, i) => i % 10);
    labels[5] = 200;
    for (const name of ['train', 't10k']) {
      writeFileSync(join(idx, `${name}-images-idx3-ubyte`), encodeIdx([8, 2, 2], new Uint8Array(32).fill(9)));
      writeFileSync(join(idx, `${name}-labels-idx1-ubyte`), encodeIdx([8], name === 'train' ? labels : labels.map((l) => l % 10)));
    }
    const r = runCli(['train', '--data', idx, '--epochs', '1', '--hidden', '2']);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /^native-mlp: .*train-labels-idx1-ubyte: label 200 at index 5 would make 201 classes but only 8 of them occur/,
    );
  });

  it('a regression model is not used as a classifier on images', () => {
    const model = join(dir, 'reg.safetensors');
    const run = runCapped(
      `await check('save', () => lib.saveModel(${JSON.stringify(model)}, lib.createModel({ sizes: [4, 3, 1] }), {}, { task: 'regress' }));`,
    );
    expect(run.results.get('save')?.error).toBeNull();
    const images = join(dir, 'raw.bin');
    writeFileSync(images, new Uint8Array(8));
    const r = runCli(['predict', '--model', model, '--input', images]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/is a regression model \(it predicts values, not classes\)/);
  });

  it('messages show NaN and Infinity, not null', () => {
    const run = runCapped(`
      await check('lr', () => internal.checkConfig({ epochs: 1, batch: 1, lr: NaN, hidden: [1], seed: 0, evalImages: 0 }));
      await check('momentum', () => internal.checkConfig({ epochs: 1, batch: 1, lr: 0.1, hidden: [1], seed: 0, evalImages: 0, optimizer: 'momentum', momentum: Infinity }));
    `);
    expect(run.results.get('lr')?.error?.message).toMatch(/received NaN$/);
    expect(run.results.get('momentum')?.error?.message).toMatch(/received Infinity$/);
  });

  it('class names reach the terminal escaped; --json output stays JSON', () => {
    const csv = join(dir, 'names.csv');
    const evil = ['a\u001b]0;pwned\u0007', 'b\nEpoch 99 - fake', 'c\u202e'];
    const rows = Array.from({ length: 60 }, (_, i) => `${(i % 7) / 7},${(i % 5) / 5},"${evil[i % 3]}"`);
    writeFileSync(csv, `x1,x2,label\n${rows.join('\n')}\n`);
    const model = join(dir, 'names.safetensors');
    const t = runCli(['train', '--data', csv, '--target', 'label', '--epochs', '1', '--hidden', '2', '--save', model]);
    expect(t.status, t.stderr).toBe(0);
    const text = runCli(['eval', '--model', model, '--data', csv, '--target', 'label']);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/); // newlines only between lines
    expect(text.stdout).not.toContain('\nEpoch 99');
    expect(text.stdout).toContain('a\\x1b]0;pwned\\x07');
    const json = runCli(['eval', '--model', model, '--data', csv, '--target', 'label', '--json']);
    expect([...JSON.parse(json.stdout.trim()).classNames].sort()).toEqual([...evil].sort());
  });
});

describe('CSV cells: the one number grammar, UTF-8 labels', () => {
  it('hex and float32 overflow are refused with their line; non-UTF-8 labels are refused instead of merging', () => {
    const cases: [string, Buffer, RegExp][] = [
      ['hex', Buffer.from('a,y\n1,p\n0x10,q\n2,p\n3,q\n'), /line 3, column "a": "0x10" is not a decimal number/],
      ['float32 overflow', Buffer.from('a,y\n1,p\n1e39,q\n'), /line 3, column "a": "1e39" is beyond the float32 range/],
      // caf\xe9 and caf\xe8 (latin1) would both decode to "caf\uFFFD": two classes merged into one.
      [
        'latin1 labels',
        Buffer.concat([Buffer.from('a,y\n1,caf'), Buffer.from([0xe9]), Buffer.from('\n2,caf'), Buffer.from([0xe8]), Buffer.from('\n')]),
        /line 2, column "y": .* is not valid UTF-8 text/,
      ],
    ];
    for (const [name, body, pattern] of cases) {
      const f = join(dir, `${name.replace(/\W+/g, '-')}.csv`);
      writeFileSync(f, body);
      const r = runCli(['train', '--data', f, '--target', 'y', '--epochs', '1', '--hidden', '2']);
      expect(r.status, `${name}: ${r.stderr}`).toBe(2);
      expect(r.stderr, name).toMatch(/^native-mlp: [^\n]*\n$/);
      expect(r.stderr, name).toMatch(pattern);
    }
  });
});
