/**
 * Hostile class: saves redirected by links. A symlink another user planted in a sticky
 * world-writable folder (/tmp) is not followed, as the kernel's protected_symlinks rule would not
 * follow it, so a privileged run cannot be made to overwrite any file; the check before training
 * creates no file at all (nothing for SIGKILL to leave behind). Capped child processes.
 */
import {
  chmodSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCapped } from '../helpers/capped.js';

const root = mkdtempSync(join(tmpdir(), 'native-mlp-sticky-'));
/** Someone else: nobody's uid, as a planted link's owner. */
const OTHER_UID = 65534;
const canChown = process.getuid?.() === 0;

describe('links in sticky world-writable folders', () => {
  it.skipIf(!canChown)('a link owned by another user is refused; the file it names is untouched', () => {
    const shared = join(root, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const victim = join(root, 'victim.txt');
    writeFileSync(victim, 'precious');
    const planted = join(shared, 'model.safetensors');
    symlinkSync(victim, planted);
    lchownSync(planted, OTHER_UID, OTHER_UID);
    const mine = join(shared, 'mine.safetensors');
    symlinkSync(join(root, 'mine-target.safetensors'), mine);
    const run = runCapped(`
      const net = lib.createModel({ sizes: [4, 3, 2] });
      await check('save', () => lib.saveModel(${JSON.stringify(planted)}, net));
      await check('npz', () => lib.saveNpz(${JSON.stringify(planted)}, net));
      await check('check', () => internal.checkSaveTarget(${JSON.stringify(planted)}));
      await check('mine', () => lib.saveModel(${JSON.stringify(mine)}, net));
    `);
    for (const k of ['save', 'npz', 'check']) {
      const r = run.results.get(k)!;
      expect(r.error?.instance, k).toContain('ModelFileError');
      expect(r.error?.message, k).toMatch(/symbolic link owned by another user .* sticky world-writable folder/);
    }
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(planted).isSymbolicLink()).toBe(true);
    // Our own link there is followed, as the kernel follows it.
    expect(run.results.get('mine')!.error).toBeNull();
    expect(statSync(join(root, 'mine-target.safetensors')).size).toBeGreaterThan(0);
  });

  it('the pre-save check creates no file (nothing for SIGKILL to leave behind)', () => {
    const dir = mkdtempSync(join(root, 'probe-'));
    const before = statSync(dir, { bigint: true }).mtimeNs;
    const run = runCapped(`await check('check', () => internal.checkSaveTarget(${JSON.stringify(join(dir, 'model.safetensors'))}));`);
    expect(run.results.get('check')!.error).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
    // Creating and removing a probe file changes the folder's mtime; an access(2) check does not.
    expect(statSync(dir, { bigint: true }).mtimeNs).toBe(before);
  });
});
