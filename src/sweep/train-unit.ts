/**
 * Runs one sweep training through the library's fit(), as `native-mlp train` does: checkpointed
 * (every epoch, or every `checkpointSeconds`) and when stopped, resumed from when present, so a
 * retried job continues where it stopped and ends bit-identical; the epochs up to the checkpoint
 * kept beside it; the model saved at the end.
 */
import { appendFileSync, copyFileSync, existsSync, readFileSync, renameSync, statSync } from 'node:fs';
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
 * resume past an epoch never recorded. So the file resumed from is a copy taken once the epochs
 * are recorded: a kill anywhere repeats the epochs after it (same bits), whose events then replace the old.
 */
class KeptCheckpoint {
  private written: number | undefined; // the live file's inode: each atomic write makes a new one
  private unrecorded: string[] = [];

  constructor(private readonly live: string, private readonly kept: string) {
    this.written = statSync(live, { throwIfNoEntry: false })?.ino; // an earlier attempt's, maybe ahead of its recorded epochs
  }

  /** Records `e`; once train() has written a new checkpoint, the epochs so far and then the checkpoint. */
  epoch(e: EpochEvent): void {
    this.unrecorded.push(JSON.stringify(e) + '\n');
    this.keep();
  }

  /** After a stop: where the stopped epoch got to. */
  keep(): void {
    const ino = statSync(this.live, { throwIfNoEntry: false })?.ino;
    if (ino === undefined || ino === this.written) return;
    this.written = ino;
    if (this.unrecorded.length > 0) appendFileSync(epochsFile(this.kept), this.unrecorded.join(''));
    this.unrecorded = [];
    copyFileSync(this.live, `${this.kept}.tmp`);
    renameSync(`${this.kept}.tmp`, this.kept);
  }
}

export async function trainUnit(
  backend: Backend, task: UnitTask, signal: AbortSignal, onEpoch: (e: EpochEvent) => void,
): Promise<UnitResult> {
  const id = { run: task.run, fold: task.fold };
  const live = `${task.checkpoint}.live`;
  const kept = new KeptCheckpoint(live, task.checkpoint);
  const resume = existsSync(task.checkpoint) ? task.checkpoint : undefined;
  const seen = resume ? priorEpochs(task.checkpoint) : [];
  const started = performance.now();
  const seconds = () => Number(((performance.now() - started) / 1000).toFixed(3));
  try {
    const result = await fit(task.data, {
      ...task.config, backend, validation: task.validation, standardize: task.standardize,
      checkpoint: live, checkpointSeconds: task.checkpointSeconds, resume, signal,
      onEvent(e) {
        if (e.event !== 'epoch') return;
        kept.epoch(e);
        seen.push(e);
        onEpoch(e);
      },
    });
    const epochs = dedupeEpochs(seen);
    if (result.aborted) kept.keep();
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
