/**
 * Hostile class: saving. A save never replaces a device, FIFO or folder; a symlink is written
 * through (the file it names is replaced atomically, the link stays); a save the loader would
 * refuse (NaN weights, a header over its cap) is refused at save time with the loader's reason;
 * no temporary file survives a failure or a SIGINT/SIGTERM; the CLI checks the target before
 * training. Runs in capped child processes (the cases write files and send signals).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAP_KB, DIST, MAX_RSS_MB, runCapped, runCli } from '../helpers/capped.js';

const root = mkdtempSync(join(tmpdir(), 'native-mlp-save-'));
const temps = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.probe'));

/** A character device of our own (root can make one), else null: never risk the real /dev/null. */
function ownDevice(dir: string): string | null {
  const p = join(dir, 'null-device');
  try {
    execFileSync('mknod', [p, 'c', '1', '3'], { stdio: 'ignore' });
    return statSync(p).isCharacterDevice() ? p : null;
  } catch {
    return null;
  }
}

describe('save targets', () => {
  it('refuses devices, FIFOs and folders (directly or through a symlink) and leaves them as they were', () => {
    const dir = mkdtempSync(join(root, 'targets-'));
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    const device = ownDevice(dir);
    const targets: Record<string, string> = {
      fifo,
      folder,
      'link-to-fifo': join(dir, 'link-to-fifo'),
      'link-to-folder': join(dir, 'link-to-folder'),
    };
    symlinkSync(fifo, targets['link-to-fifo']);
    symlinkSync(folder, targets['link-to-folder']);
    if (device) {
      targets.device = device;
      targets['link-to-device'] = join(dir, 'link-to-device');
      symlinkSync(device, targets['link-to-device']);
    }
    const body = Object.entries(targets)
      .flatMap(([k, p]) => [
        `await check(${JSON.stringify(`save ${k}`)}, () => lib.saveModel(${JSON.stringify(p)}, net));`,
        `await check(${JSON.stringify(`npz ${k}`)}, () => lib.saveNpz(${JSON.stringify(p)}, net));`,
        `await check(${JSON.stringify(`check ${k}`)}, () => internal.checkSaveTarget(${JSON.stringify(p)}));`,
      ])
      .join('\n');
    const run = runCapped(`const net = lib.createModel({ sizes: [4, 3, 2] });\n${body}`);
    expect(run.maxRssMb).toBeLessThan(MAX_RSS_MB);
    for (const k of Object.keys(targets)) {
      for (const op of ['save', 'npz', 'check']) {
        const r = run.results.get(`${op} ${k}`)!;
        expect(r.error?.instance, `${op} ${k}`).toContain('ModelFileError');
        expect(r.error?.message, `${op} ${k}`).toMatch(
          /cannot save: the target.* is (a FIFO \(named pipe\)|a folder|a character device), not a regular file; saving would replace it/,
        );
      }
    }
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(lstatSync(folder).isDirectory()).toBe(true);
    expect(readdirSync(folder)).toEqual([]);
    if (device) expect(lstatSync(device).isCharacterDevice()).toBe(true);
    expect(lstatSync(targets['link-to-fifo']).isSymbolicLink()).toBe(true);
    expect(temps(dir)).toEqual([]);
  });

  it('writes through symlinks (absolute, relative, chains, dangling) atomically; the links stay links', () => {
    const dir = mkdtempSync(join(root, 'links-'));
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'model.safetensors'), 'old');
    symlinkSync(join(dir, 'real', 'model.safetensors'), join(dir, 'abs'));
    symlinkSync('real/model.safetensors', join(dir, 'rel'));
    symlinkSync('rel', join(dir, 'chain'));
    symlinkSync('real/new.safetensors', join(dir, 'dangling'));
    symlinkSync('loop-b', join(dir, 'loop-a'));
    symlinkSync('loop-a', join(dir, 'loop-b'));
    const run = runCapped(`
      const net = lib.createModel({ sizes: [4, 3, 2], seed: 1 });
      for (const name of ['abs', 'rel', 'chain', 'dangling', 'loop-a']) {
        await check(name, () => { lib.saveModel(${JSON.stringify(dir)} + '/' + name, net); return lib.loadModel(${JSON.stringify(dir)} + '/' + name).net.sizes; });
      }
    `);
    for (const name of ['abs', 'rel', 'chain', 'dangling']) {
      expect(run.results.get(name)!.error, name).toBeNull();
      expect(run.results.get(name)!.value).toEqual([4, 3, 2]);
      expect(lstatSync(join(dir, name)).isSymbolicLink(), name).toBe(true);
    }
    expect(readlinkSync(join(dir, 'chain'))).toBe('rel');
    expect(
      readFileSync(join(dir, 'real', 'model.safetensors'))
        .subarray(8, 9)
        .toString(),
    ).toBe('{');
    expect(statSync(join(dir, 'real', 'new.safetensors')).isFile()).toBe(true);
    expect(run.results.get('loop-a')!.error?.message).toMatch(
      /cannot save: (more than 40 symbolic links|too many levels of symbolic links) \(ELOOP\)/,
    );
    expect(temps(dir)).toEqual([]);
    expect(temps(join(dir, 'real'))).toEqual([]);
  });

  it('empty paths, missing folders and files used as folders fail with one clear line, before any write', () => {
    const dir = mkdtempSync(join(root, 'paths-'));
    writeFileSync(join(dir, 'file'), 'x');
    const cases: Record<string, string> = {
      empty: '""',
      missing: JSON.stringify(join(dir, 'no', 'such', 'm.safetensors')),
      underFile: JSON.stringify(join(dir, 'file', 'm.safetensors')),
      nul: JSON.stringify('a\0b'),
      number: '0',
    };
    const body = Object.entries(cases)
      .flatMap(([k, p]) => [
        `await check(${JSON.stringify(`save ${k}`)}, () => lib.saveModel(${p}, net));`,
        `await check(${JSON.stringify(`check ${k}`)}, () => internal.checkSaveTarget(${p}));`,
      ])
      .join('\n');
    const run = runCapped(`const net = lib.createModel({ sizes: [4, 3, 2] });\n${body}`);
    for (const op of ['save', 'check']) {
      const m = (k: string) => run.results.get(`${op} ${k}`)!.error!.message;
      expect(m('empty')).toMatch(/^"": cannot save: expected a file path/);
      expect(m('nul')).toMatch(/cannot save: expected a file path/);
      expect(m('number')).toMatch(/^0: cannot save: expected a file path/);
      expect(m('missing')).toMatch(/cannot save: folder .*no\/such does not exist \(ENOENT\)/);
      expect(m('underFile')).toMatch(/cannot save: .*(is not a folder|ENOTDIR)/);
    }
    expect(readdirSync(dir)).toEqual(['file']);
  });
});

describe('files the loader would refuse are refused at save time, with its reason', () => {
  it('NaN and infinite weights, headers over the cap; allowNonFinite saves and loads them', () => {
    const dir = mkdtempSync(join(root, 'refuse-'));
    const f = (n: string) => JSON.stringify(join(dir, n));
    const run = runCapped(`
      const net = lib.createModel({ sizes: [4, 3, 2] });
      net.W[2][5] = NaN;
      await check('nan', () => lib.saveModel(${f('nan.safetensors')}, net));
      await check('nan npz', () => lib.saveNpz(${f('nan.npz')}, net));
      await check('nan loader', () => lib.decodeModel(lib.encodeModel(net), 'nan.safetensors'));
      await check('nan allowed', () => { lib.saveModel(${f('ok.safetensors')}, net, {}, { allowNonFinite: true }); return Number.isNaN(lib.loadModel(${f('ok.safetensors')}, { allowNonFinite: true }).net.W[2][5]); });
      net.W[2][5] = 0; net.b[1][0] = -Infinity;
      await check('inf', () => lib.saveModel(${f('inf.safetensors')}, net));
      net.b[1][0] = 0;
      await check('big meta', () => lib.saveModel(${f('big.safetensors')}, net, { note: 'x'.repeat(1 << 20) }));
      await check('big meta encode', () => lib.encodeModel(net, { note: 'x'.repeat(1 << 20) }));
      await check('meta at the cap', () => { lib.saveModel(${f('cap.safetensors')}, net, { note: 'x'.repeat((1 << 20) - 400) }); return lib.loadModel(${f('cap.safetensors')}).metadata.note.length; });
    `);
    const m = (k: string) => run.results.get(k)!.error?.message ?? '';
    expect(m('nan')).toMatch(/nan\.safetensors: cannot save: tensor W2 has NaN at index 5 \[2, 1\]; the loader refuses/);
    expect(m('nan npz')).toMatch(/cannot save: member W2\.npy has NaN at index 5 \[2, 1\]/);
    expect(m('nan loader')).toMatch(/tensor W2 has NaN at index 5 \[2, 1\]; pass allowNonFinite/);
    expect(run.results.get('nan allowed')!.value).toBe(true);
    expect(m('inf')).toMatch(/tensor b1 has -Infinity at index 0 \[0\]/);
    expect(m('big meta')).toMatch(/cannot save: header length \d+ exceeds the limit of 1048576 bytes/);
    expect(m('big meta encode')).toMatch(/header length \d+ exceeds the limit of 1048576 bytes/);
    expect(run.results.get('meta at the cap')!.value).toBe((1 << 20) - 400);
    expect(readdirSync(dir).sort()).toEqual(['cap.safetensors', 'ok.safetensors']);
  });

  it('duplicate keys and deep nesting in a header are refused by the loader (no stack overflow)', () => {
    const dir = mkdtempSync(join(root, 'json-'));
    const file = (name: string, header: string, data = 0) => {
      const h = Buffer.from(header);
      const b = Buffer.alloc(8 + h.length + data);
      b.writeBigUInt64LE(BigInt(h.length));
      h.copy(b, 8);
      writeFileSync(join(dir, name), b);
      return JSON.stringify(join(dir, name));
    };
    const meta = '"__metadata__":{"format":"native-mlp","format_version":"1","layers":"1,1"}';
    const t = (name: string, at: number) =>
      `"${name}":{"dtype":"F32","shape":${name[0] === 'W' ? '[1,1]' : '[1]'},"data_offsets":[${at},${at + 4}]}`;
    const cases = {
      dupTensor: file('dup.st', `{${meta},${t('W1', 0)},${t('b1', 4)},${t('W1', 0)}}`, 8),
      dupMeta: file(
        'dupmeta.st',
        `{"__metadata__":{"format":"native-mlp","format":"native-mlp","format_version":"1","layers":"1,1"},${t('W1', 0)},${t('b1', 4)}}`,
        8,
      ),
      dupEscaped: file('dupesc.st', `{${meta},${t('W1', 0)},${t('b1', 4)},${t('\\u0057\\u0031', 0)}}`, 8),
      deepArray: file('deep.st', `{"a":${'['.repeat(200000)}${']'.repeat(200000)}}`),
      deepObject: file('deepobj.st', `{"a":${'{"a":'.repeat(100000)}1${'}'.repeat(100000)}}`),
      deepShape: file('deepshape.st', `{${meta},"W1":{"dtype":"F32","shape":${'['.repeat(50)}${']'.repeat(50)},"data_offsets":[0,4]}}`),
      fine: file('fine.st', `{${meta},${t('W1', 0)},${t('b1', 4)}}`, 8),
    };
    const run = runCapped(
      Object.entries(cases)
        .map(([k, p]) => `await check('${k}', () => lib.loadModel(${p}).net.sizes);`)
        .join('\n'),
    );
    expect(run.maxRssMb).toBeLessThan(MAX_RSS_MB);
    const m = (k: string) => run.results.get(k)!.error?.message ?? '';
    expect(m('dupTensor')).toMatch(/header JSON has a duplicate key "W1"/);
    expect(m('dupMeta')).toMatch(/duplicate key "format"/);
    expect(m('dupEscaped')).toMatch(/duplicate key "W1"/);
    expect(m('deepArray')).toMatch(/nesting deeper than 8 levels/);
    expect(m('deepObject')).toMatch(/nesting deeper than 8 levels/);
    expect(m('deepShape')).toMatch(/nesting deeper than 8 levels/);
    for (const k of ['dupTensor', 'deepArray', 'deepObject']) expect(run.results.get(k)!.error!.instance).toContain('ModelFileError');
    expect(run.results.get('fine')!.value).toEqual([1, 1]);
  });
});

describe('signals during a save', () => {
  /** A child that saves a 4 MB model and signals itself in the middle of the write. */
  function saveWithSignal(dir: string, signal: string, after: string) {
    const script = `
      const lib = await import(${JSON.stringify(DIST + 'index.js')});
      const { writeFileAtomic } = await import(${JSON.stringify(DIST + 'model/index.js')});
      const net = lib.createModel({ sizes: [1000, 1000, 10] });
      const bytes = lib.encodeModel(net);
      writeFileAtomic(${JSON.stringify(join(dir, 'model.safetensors'))}, bytes, {
        afterWrite: () => { process.kill(process.pid, '${signal}'); const t = Date.now(); while (Date.now() - t < 300); },
      });
      process.stdout.write('saved\\n');
      ${after}
    `;
    return spawnSync('/bin/sh', ['-c', `ulimit -v ${CAP_KB}; exec "$0" --input-type=module -e "$1"`, process.execPath, script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
  }

  for (const signal of ['SIGINT', 'SIGTERM']) {
    it(`${signal} in the middle of a write: the save completes, no temporary file is left, the next ${signal} kills`, () => {
      const dir = mkdtempSync(join(root, `sig-${signal}-`));
      writeFileSync(join(dir, 'model.safetensors'), 'old');
      // After the save the default action is back: a second signal ends the process.
      const r = saveWithSignal(
        dir,
        signal,
        `process.kill(process.pid, '${signal}'); setTimeout(() => process.stdout.write('survived\\n'), 2000);`,
      );
      expect(r.stdout).toBe('saved\n');
      expect(r.signal).toBe(signal);
      expect(temps(dir)).toEqual([]);
      expect(readdirSync(dir)).toEqual(['model.safetensors']);
      expect(statSync(join(dir, 'model.safetensors')).size).toBeGreaterThan(4_000_000);
    });
  }
});

describe('the CLI checks --save before training', () => {
  it('a missing folder, an empty path, a FIFO: one line, exit 2, no epoch trained', () => {
    const dir = mkdtempSync(join(root, 'cli-'));
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    for (const [target, pattern] of [
      [join(dir, 'missing', 'm.safetensors'), /folder .*missing does not exist/],
      ['', /cannot save: expected a file path/],
      [fifo, /is a FIFO \(named pipe\), not a regular file/],
      [dir, /is a folder, not a regular file/],
    ] as const) {
      const r = runCli(['train', '--save', target, '--epochs', '1']);
      expect(r.status, target).toBe(2);
      expect(r.stdout, target).toBe('');
      expect(r.stderr, target).toMatch(new RegExp(`^native-mlp: .*${pattern.source}.*\\n$`));
    }
  });
});
