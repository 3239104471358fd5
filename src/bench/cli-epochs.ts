/**
 * Epochs as users get them: the bench times `native-mlp train` itself, a fresh child process of
 * the compiled CLI (the path fit() and the progress/event code take), reading the seconds of each
 * epoch from its --json events. The dense MNIST variant is a folder of IDX files written once per
 * bench run (every zero pixel replaced by 1), so it goes through the same reader.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CliEpochs {
  /** Seconds of each epoch's training pass, as the epoch events report them. */
  seconds: number[];
  /** Training accuracy after each epoch (NaN where the run has none, e.g. tables). */
  accuracy: number[];
}

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/** Runs `native-mlp train --json ...args` and returns its epochs; throws with the child's last line on failure. */
export function cliEpochs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): CliEpochs {
  const r = spawnSync(process.execPath, [CLI, 'train', '--json', ...args], {
    encoding: 'utf8',
    env,
    timeout: 1_800_000,
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  if (r.status !== 0)
    throw new Error(`bench: native-mlp train ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim().split('\n').pop()}`);
  const epochs = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e.event === 'epoch');
  return {
    seconds: epochs.map((e) => e.seconds as number),
    accuracy: epochs.map((e) => (typeof e.trainAccuracy === 'number' ? e.trainAccuracy : NaN)),
  };
}

const IDX = ['train-images-idx3-ubyte', 't10k-images-idx3-ubyte'];
const LABELS = ['train-labels-idx1-ubyte', 't10k-labels-idx1-ubyte'];

/**
 * A temporary IDX folder of dense MNIST (zeros replaced by 1, headers and labels as in `dir`);
 * call the returned remove() when done.
 */
export function writeDenseMnist(dir: string): { dir: string; remove: () => void } {
  const out = mkdtempSync(join(tmpdir(), 'native-mlp-dense-'));
  for (const name of IDX) {
    const bytes = readFileSync(join(dir, name));
    const header = 4 + 4 * bytes[3]; // magic, then one 32-bit size per dimension
    for (let i = header; i < bytes.length; i++) if (bytes[i] === 0) bytes[i] = 1;
    writeFileSync(join(out, name), bytes);
  }
  for (const name of LABELS) copyFileSync(join(dir, name), join(out, name));
  return { dir: out, remove: () => rmSync(out, { recursive: true, force: true }) };
}
