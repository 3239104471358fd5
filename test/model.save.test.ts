/**
 * Saving and loading model files: missing files and folders named, and atomic saves (a failure
 * at any point leaves the old file intact and no temporary file behind).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeModel, loadModel, saveModel, saveNpz, writeFileAtomic } from '../src/model/index.js';
import { deep, expectModelError, expectSameParams, small, useTempDirs } from './helpers/model-files.js';
import type { Mlp } from '../src/nn/mlp.js';

const tempDir = useTempDirs();

describe('file errors and atomic saves', () => {
  it('names a missing file or folder', () => {
    expectModelError(() => loadModel('/nonexistent/m.safetensors'), /cannot read: no such file \(ENOENT\)/, '/nonexistent/m.safetensors');
    const dir = tempDir();
    expectModelError(() => loadModel(dir), /is a folder/, dir);
    const file = join(dir, 'missing', 'm.safetensors');
    expectModelError(() => saveModel(file, small), /cannot save: folder .*missing does not exist \(ENOENT\)/, file);
  });

  function setup() {
    const dir = tempDir();
    const file = join(dir, 'model.safetensors');
    saveModel(file, small);
    return { dir, file, before: readFileSync(file) };
  }

  it('leaves the old file intact and no temporary file when writing fails midway', () => {
    for (const hook of ['afterWrite', 'beforeRename'] as const) {
      const { dir, file, before } = setup();
      let temp = '';
      expectModelError(
        () =>
          writeFileAtomic(file, encodeModel(deep), {
            [hook]: (t: string) => {
              temp = t;
              expect(readdirSync(dir)).toContain(t.slice(dir.length + 1)); // the temp file is really there
              throw new Error('simulated crash');
            },
          }),
        /cannot save: .*simulated crash/,
        file,
      );
      expect(temp).toMatch(/\/\.model\.safetensors\.\d+\.[0-9a-f]+\.tmp$/);
      expect(readFileSync(file).equals(before)).toBe(true);
      expect(readdirSync(dir)).toEqual(['model.safetensors']);
      expectSameParams(loadModel(file).net, small);
    }
  });

  it('leaves the old file intact when the net cannot be encoded', () => {
    const { dir, file, before } = setup();
    const broken = { sizes: [5, 4, 3], W: [new Float32Array(0)], b: [new Float32Array(0)], params: new Float32Array(3) } as unknown as Mlp;
    expectModelError(() => saveModel(file, broken), /cannot save: W1 should be a Float32Array of 5 x 4 values/, file);
    expectModelError(() => saveNpz(file, broken), /cannot save/, file);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('removes the temporary file when the rename fails (target is a folder)', () => {
    const dir = tempDir();
    const target = join(dir, 'model.safetensors');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x');
    expectModelError(() => saveModel(target, small), /cannot save: .*(folder|EISDIR|ENOTEMPTY|EEXIST)/, target);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
    expect(readdirSync(target)).toEqual(['keep']);
  });
});
