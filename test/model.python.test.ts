/**
 * Model files across to Python: an .npz and a .safetensors written here read by NumPy, and
 * NumPy's np.savez / np.savez_compressed files read here (skipped without python3 + numpy).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNpz, saveModel, saveNpz } from '../src/model/index.js';
import { bits, deep, small, useTempDirs } from './helpers/model-files.js';

const tempDir = useTempDirs();

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
if (!hasNumpy) console.warn('model.python.test.ts: python3 with numpy is not available; the Python interop tests are skipped');

function python(script: string, ...args: string[]): string {
  const r = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

function writeBin(file: string, a: Float32Array): void {
  writeFileSync(file, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

const PY_CHECK_NPZ = `
import sys, json, numpy as np
z = np.load(sys.argv[1])
exp = np.fromfile(sys.argv[2], dtype='<f4')
sizes = json.loads(sys.argv[3])
names = []
off = 0
for l in range(1, len(sizes)):
    for name, shape in ((f'W{l}', (sizes[l-1], sizes[l])), (f'b{l}', (sizes[l],))):
        a = z[name]
        names.append(name)
        n = int(np.prod(shape))
        assert a.dtype == np.float32 and a.shape == shape, (name, a.dtype, a.shape)
        want = exp[off:off+n].reshape(shape)
        assert np.array_equal(a, want), name
        assert np.array_equal(a.view(np.uint32), want.view(np.uint32)), name
        off += n
assert off == exp.size
assert z.files == names, z.files
print('ok')
`;

const PY_WRITE_NPZ = `
import sys, os, numpy as np
out = sys.argv[1]
sizes = [6, 5, 4, 3]
arrays = {}
for l in range(1, len(sizes)):
    n = sizes[l-1] * sizes[l]
    arrays[f'W{l}'] = (np.sin(np.arange(n) * 0.37 + l) * 1.7).reshape(sizes[l-1], sizes[l])
    arrays[f'b{l}'] = np.cos(np.arange(sizes[l]) * 1.3 + l) / 3
for dt in ('float32', 'float64'):
    a = {k: v.astype(dt) for k, v in arrays.items()}
    np.savez(os.path.join(out, f'plain_{dt}.npz'), **a)
    np.savez_compressed(os.path.join(out, f'compressed_{dt}.npz'), **a)
    np.concatenate([v.astype(np.float32).reshape(-1) for v in a.values()]).astype('<f4').tofile(os.path.join(out, f'expected_{dt}.bin'))
print('ok')
`;

const PY_CHECK_SAFETENSORS = `
import sys, json, struct, numpy as np
b = open(sys.argv[1], 'rb').read()
exp = np.fromfile(sys.argv[2], dtype='<f4')
sizes = json.loads(sys.argv[3])
(n,) = struct.unpack('<Q', b[:8])
assert (8 + n) % 8 == 0
header = json.loads(b[8:8+n].decode('utf-8'))
meta = header.pop('__metadata__')
data = b[8+n:]
off = 0
end = 0
for l in range(1, len(sizes)):
    for name, shape in ((f'W{l}', [sizes[l-1], sizes[l]]), (f'b{l}', [sizes[l]])):
        t = header.pop(name)
        assert t['dtype'] == 'F32' and t['shape'] == shape, (name, t)
        s, e = t['data_offsets']
        assert s == end, (name, s, end)
        a = np.frombuffer(data[s:e], dtype='<f4').reshape(shape)
        k = int(np.prod(shape))
        assert np.array_equal(a.view(np.uint32), exp[off:off+k].reshape(shape).view(np.uint32)), name
        off += k
        end = e
assert not header, header
assert end == len(data) and off == exp.size
print(json.dumps(meta, sort_keys=True))
`;

describe.skipIf(!hasNumpy)('Python interop (skipped without python3 + numpy)', () => {
  it('an .npz written here loads in NumPy with equal values', () => {
    const dir = tempDir();
    for (const net of [small, deep]) {
      saveNpz(join(dir, 'model.npz'), net);
      writeBin(join(dir, 'expected.bin'), net.params);
      expect(python(PY_CHECK_NPZ, join(dir, 'model.npz'), join(dir, 'expected.bin'), JSON.stringify(net.sizes)).trim()).toBe('ok');
    }
  });

  it('.npz files written by np.savez and np.savez_compressed (float32 and float64) load here', () => {
    const dir = tempDir();
    expect(python(PY_WRITE_NPZ, dir).trim()).toBe('ok');
    for (const dt of ['float32', 'float64']) {
      const expected = new Float32Array(new Uint8Array(readFileSync(join(dir, `expected_${dt}.bin`))).buffer);
      for (const kind of ['plain', 'compressed']) {
        const { net } = loadNpz(join(dir, `${kind}_${dt}.npz`));
        expect(net.sizes).toEqual([6, 5, 4, 3]);
        expect(bits(net.params)).toEqual(bits(expected));
      }
    }
  });

  it('a .safetensors written here is read by json + numpy.frombuffer', () => {
    const dir = tempDir();
    const file = join(dir, 'model.safetensors');
    saveModel(file, deep, { testAccuracy: '0.5' });
    writeBin(join(dir, 'expected.bin'), deep.params);
    const meta = JSON.parse(python(PY_CHECK_SAFETENSORS, file, join(dir, 'expected.bin'), JSON.stringify(deep.sizes)));
    expect(meta).toEqual({
      activation: 'relu',
      format: 'native-mlp',
      format_version: '1',
      layers: '6,5,4,3',
      output: 'softmax',
      testAccuracy: '0.5',
    });
  });
});
