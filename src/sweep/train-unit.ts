/**
 * Runs one sweep training through the library's fit(), as `native-mlp train` does: a checkpoint
 * after every epoch (resumed from when present, so a retried job continues where it stopped and
 * ends bit-identical), the epochs kept beside the checkpoint, the model saved at the end.
 */
import { appendFileSync, copyFileSync, existsSync, readFileSync, renameSync } from 'node:fs';
import type { Backend } from '../backend/contract.js';
import { saveModel } from '../model/index.js';
import { fit } from '../train/fit.js';
import type { EpochEvent } from '../train/events.js';
import { dedupeEpochs, epochsFile, type UnitResult, type UnitTask } from './unit.js';

/** The epochs recorded beside a checkpoint (by any worker that trained it). */
export function priorEpochs(checkpoint: string): EpochEvent[] {
  const file = epochsFile(checkpoint);
  if (!existsSync(file)) return [];
  const out: EpochEvent[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as EpochEvent);
    } catch {
      // a line cut short by a killed process: that epoch is trained again
    }
  }
  return out;
}

/**
 * train() writes its checkpoint just before it reports the epoch; a kill between the two would
 * resume past an epoch never recorded. So the file resumed from is a copy taken once the epoch is
 * recorded: a kill anywhere repeats at most one epoch (same bits), whose event then replaces the old.
 */
function keepCheckpoint(live: string, kept: string): void {
  if (!existsSync(live)) return;
  copyFileSync(live, `${kept}.tmp`);
  renameSync(`${kept}.tmp`, kept);
}

export async function trainUnit(
  backend: Backend, task: UnitTask, signal: AbortSignal, onEpoch: (e: EpochEvent) => void,
): Promise<UnitResult> {
  const id = { run: task.run, fold: task.fold };
  const live = `${task.checkpoint}.live`;
  const resume = existsSync(task.checkpoint) ? task.checkpoint : undefined;
  const seen = resume ? priorEpochs(task.checkpoint) : [];
  const started = performance.now();
  const seconds = () => Number(((performance.now() - started) / 1000).toFixed(3));
  try {
    const result = await fit(task.data, {
      ...task.config, backend, validation: task.validation, standardize: task.standardize,
      checkpoint: live, resume, signal,
      onEvent(e) {
        if (e.event !== 'epoch') return;
        appendFileSync(epochsFile(task.checkpoint), JSON.stringify(e) + '\n');
        keepCheckpoint(live, task.checkpoint);
        seen.push(e);
        onEpoch(e);
      },
    });
    const epochs = dedupeEpochs(seen);
    if (result.aborted) keepCheckpoint(live, task.checkpoint); // where the stopped epoch got to
    if (result.aborted) return { ...id, epochs, stop: result.stop, aborted: true, seconds: seconds() };
    const t = result.test;
    const score: Record<string, string> = !t ? {} : t.testRmse !== undefined ? { testRmse: String(t.testRmse) } : { testAccuracy: String(t.testAccuracy) };
    saveModel(task.model, result.net, { ...score, epochs: String(task.config.epochs), seed: String(task.config.seed) }, {
      ...result.model, allowNonFinite: task.config.allowNonFinite,
    });
    return { ...id, epochs, stop: result.stop, test: result.test, aborted: false, seconds: seconds() };
  } catch (e) {
    return { ...id, epochs: dedupeEpochs(seen), aborted: false, seconds: seconds(), error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}
