/**
 * Outputs never replace inputs: every command that writes files calls checkOutputs once, before
 * any work, with every path it will write and every path it reads. Paths are compared by device
 * and inode after resolving (symlinks, hard links, `./a` vs `a` all count as the same file), so
 * `--save train.csv`, `--checkpoint` through a link to the data, or `report run.jsonl -o run.jsonl`
 * are refused with one line instead of destroying the input.
 *
 * Rules:
 * - an output that exists and is the same file as an input is refused;
 * - an input that is a folder (an IDX data folder) counts as every regular file directly in it;
 * - two outputs naming the same file are refused (the later write would silently replace the earlier);
 * - an input may list output flags allowed to replace it (`--checkpoint` may replace `--resume`: the
 *   checkpoint is read whole before training starts, and continuing a run in place is intended).
 * An input that does not exist is left to its reader's message.
 */
import { opendirSync, statSync, type Stats } from 'node:fs';
import { ModelFileError } from './errors.js';
import { resolveSaveTarget } from './atomic-write.js';

/** A path and the flag (or role) that named it, for messages: { flag: '--save', path: 'model.safetensors' }. */
export interface NamedPath {
  flag: string;
  path: string;
}

export interface InputPath extends NamedPath {
  /** Output flags that may replace this input, because it is read whole before they write. */
  replaceableBy?: readonly string[];
}

/** A data folder is listed up to this many entries; a larger one is not a data folder we read. */
const MAX_FOLDER_ENTRIES = 10_000;

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

const key = (st: Stats) => `${st.dev}:${st.ino}`;

/** Device:inode of the files an input stands for, each with the name to show. */
function inputFiles(input: InputPath): Map<string, string> {
  const files = new Map<string, string>();
  const st = statOrNull(input.path);
  if (!st) return files;
  if (!st.isDirectory()) {
    files.set(key(st), input.path);
    return files;
  }
  let dir;
  try {
    dir = opendirSync(input.path);
  } catch {
    return files;
  }
  try {
    for (let i = 0; i < MAX_FOLDER_ENTRIES; i++) {
      const entry = dir.readSync();
      if (!entry) break;
      const inner = `${input.path.replace(/\/+$/, '')}/${entry.name}`;
      const s = statOrNull(inner);
      if (s?.isFile()) files.set(key(s), inner);
    }
  } finally {
    dir.closeSync();
  }
  return files;
}

/**
 * Refuses, with a ModelFileError naming both flags and paths, any output that would replace an
 * input or another output. Call it before any work (training, loading data); it only stats.
 */
export function checkOutputs(outputs: readonly NamedPath[], inputs: readonly InputPath[]): void {
  const written = new Map<string, NamedPath>(); // resolved target (and device:inode) -> output
  for (const out of outputs) {
    let target: string;
    try {
      target = resolveSaveTarget(out.path);
    } catch {
      continue; // a folder, device or unsafe link: the writer's own check (before any work) says so in its words
    }
    const st = statOrNull(target);
    for (const k of st ? [target, key(st)] : [target]) {
      const prior = written.get(k);
      if (prior) {
        throw new ModelFileError(
          `${out.flag} ${out.path} and ${prior.flag} ${prior.path} are the same file; the second write would replace the first, so pass two different paths`,
        );
      }
      written.set(k, out);
    }
    if (!st) continue;
    for (const input of inputs) {
      if (input.replaceableBy?.includes(out.flag)) continue;
      const hit = inputFiles(input).get(key(st));
      if (hit === undefined) continue;
      const what = hit === input.path ? `${input.flag} ${input.path}` : `${hit}, a file of ${input.flag} ${input.path}`;
      throw new ModelFileError(
        `${out.flag} ${out.path} is the same file as ${what}: writing it would destroy the input; pass another output path`,
      );
    }
  }
}
