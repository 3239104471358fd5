/**
 * What a resumed run trains on: the checkpoint's recorded data source (data-source.ts) fills in the
 * data path, the data options, the warm start's model file and the settings, so a resume needs
 * nothing but the checkpoint and a new epoch count. Anything given that contradicts the record is
 * refused, naming it; a data file that changed since the checkpoint is refused before it is read.
 */
import { resolve } from 'node:path';
import type { Checkpoint } from './checkpoint.js';
import { checkSourceFiles, dataOptionsOf } from './data-source.js';
import { TrainSetupError } from './events.js';

/** The flag a data option is given with on the command line (for messages). */
function flagOf(key: string): string {
  return key === 'testFile' ? '--test' : `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * `data` and `options` for resuming `checkpoint` (named `name` in messages): the recorded data
 * path and options (with the warm start's `from`), under the caller's, which must agree with them.
 * Without a recorded source (arrays, or an older checkpoint) the caller's data is needed, as before.
 */
export function resumeInputs<D, O extends Record<string, unknown>>(
  data: D | undefined,
  options: O,
  checkpoint: Checkpoint,
  name: string,
): { data: D; options: O } {
  const s = checkpoint.source;
  if (!s) {
    if (data === undefined) {
      throw new TrainSetupError(
        `${name} does not record its data (it was written for arrays, or by an older version); pass the data (--data) it was trained on`,
      );
    }
    return { data, options };
  }
  if (typeof data === 'string' && resolve(data) !== s.data) {
    throw new TrainSetupError(
      `${name} was written for data ${s.data} but this run has ${resolve(data)}; drop --data (the checkpoint says where its data is)`,
    );
  }
  if (data !== undefined && typeof data !== 'string') {
    throw new TrainSetupError(`${name} was written for the data file ${s.data}; resume without passing other data`);
  }
  const given = dataOptionsOf(options);
  for (const [k, v] of Object.entries(given)) {
    const had = s.options[k];
    const same =
      k === 'table' && typeof v === 'object' && v !== null
        ? Object.entries(v).every(
            ([tk, tv]) => tv === undefined || JSON.stringify((had as Record<string, unknown> | undefined)?.[tk]) === JSON.stringify(tv),
          )
        : JSON.stringify(had) === JSON.stringify(v);
    if (!same) {
      throw new TrainSetupError(
        `${name} was written with ${k} ${had === undefined ? '(not given)' : JSON.stringify(had)} but this run has ${JSON.stringify(v)}; drop ${flagOf(k)} (the checkpoint records its data options)`,
      );
    }
  }
  const from = options.from;
  if (from !== undefined && (typeof from !== 'string' || resolve(from) !== s.initFrom?.path)) {
    throw new TrainSetupError(
      `${name} ${s.initFrom ? `started from ${s.initFrom.path}` : 'was not warm-started'}; drop --init-from (from) when resuming`,
    );
  }
  checkSourceFiles(s, name);
  return {
    data: s.data as D,
    options: { ...mergeDataOptions(s.options, options), ...(s.initFrom ? { from: s.initFrom.path } : {}) } as O,
  };
}

/** The recorded data options under the given ones (undefined left out; `table` merged key by key). */
export function mergeDataOptions<O extends Record<string, unknown>>(recorded: Record<string, unknown>, given: O): O {
  const out: Record<string, unknown> = { ...recorded };
  for (const [k, v] of Object.entries(given)) {
    if (v === undefined) continue;
    out[k] =
      k === 'table' && typeof v === 'object' && v !== null
        ? { ...(recorded.table as object | undefined), ...Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) }
        : v;
  }
  return out as O;
}
