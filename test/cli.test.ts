/** The CLI as a user runs it: the compiled bin in a child process. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('native-mlp CLI', () => {
  it('is compiled (npm install runs tsc)', () => {
    expect(existsSync(bin)).toBe(true);
  });

  const bad: Array<[string[], RegExp]> = [
    [['train', '--lr', '0'], /--lr must be a number > 0, got "0"/],
    [['train', '--lr', 'NaN'], /--lr must be a number > 0/],
    [['train', '--lr', '-1'], /--lr must be a number > 0/],
    [['train', '--batch', '0'], /--batch must be an integer from 1/],
    [['train', '--epochs', '0'], /--epochs must be an integer from 1/],
    [['train', '--epochs', '2.5'], /--epochs must be an integer/],
    [['train', '--hidden', '0'], /--hidden must be layer sizes/],
    [['train', '--hidden', '128,'], /--hidden must be layer sizes/],
    [['train', '--backend', 'gpu'], /--backend must be one of auto, native, js, got "gpu"/],
    [['train', '--data', '/nonexistent/mnist'], /\/nonexistent\/mnist: data folder not found/],
    [['train', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['fly'], /unknown command "fly"/],
  ];
  for (const [args, message] of bad) {
    it(`rejects ${args.join(' ')} with one line and exit code 2`, () => {
      const r = cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('rejects a bad NATIVE_MLP_BACKEND the same way', () => {
    const r = cli(['train'], { NATIVE_MLP_BACKEND: 'cuda' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/NATIVE_MLP_BACKEND is "cuda"/);
  });

  it('fails loudly when native is requested but missing', () => {
    const r = cli(['train', '--backend', 'native'], { NATIVE_MLP_NATIVE_PATH: '/nonexistent/addon.node' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/native backend is not available: .*npm run build:native/);
  });
});
