/**
 * Runs one sweep training through the library's fit(), as `native-mlp train` does: checkpointed
 * (every epoch, or every `checkpointSeconds`) and when stopped, resumed from when present, so a
 * retried job continues where it stopped and ends bit-identical; the epochs up to the checkpoint
 * kept beside it; the model saved at the end.
 */
import { appendFileSync, copyFileSync, existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import type { Backend } from '../backend/contract.js';
import type { DataSet } from '../data/dataset.js';
import { saveModel } from '../model/index.js';
import { fit } from '../train/fit.js';
import { prepareData } from '../train/fit-data.js';
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
 * The checkpoint a retry resumes from. train() writes its checkpoint just before it reports the
 * epoch, so the kept file is a copy taken once the epochs are recorded. And it lags one checkpoint
 * behind: the copy of epoch k is kept only once training goes past k (or is stopped), since a
 * retry cannot resume a run's last epoch (nothing left to train) and would train on past early
 * stopping's. A kill anywhere repeats the epochs after the kept one (same bits; their events replace the old).
 */
class KeptCheckpoint {
  private written: number | undefined; // the live file's inode: each atomic write makes a new one
  private unrecorded: string[] = [];
  private readonly next: string;

  constructor(
    private readonly live: string,
    private readonly kept: string,
  ) {
    this.next = `${kept}.next`;
    this.written = statSync(live, { throwIfNoEntry: false })?.ino; // an earlier attempt's, maybe ahead of its recorded epochs
    rmSync(this.next, { force: true }); // an earlier attempt's, maybe its last epoch
  }

  /** Records `e`; once train() has written a new checkpoint, the epochs so far, the previous checkpoint kept. */
  epoch(e: EpochEvent): void {
    this.unrecorded.push(JSON.stringify(e) + '\n');
    if (!this.recordNew()) return;
    if (existsSync(this.next)) renameSync(this.next, this.kept);
    this.copy(this.next);
  }

  /** After a stop: where the stopped epoch got to. */
  stopped(): void {
    if (this.recordNew()) this.copy(this.kept);
    else if (existsSync(this.next)) renameSync(this.next, this.kept); // stopped after that epoch, so not the run's last
    rmSync(this.next, { force: true });
  }

  private recordNew(): boolean {
    const ino = statSync(this.live, { throwIfNoEntry: false })?.ino;
    if (ino === undefined || ino === this.written) return false;
    this.written = ino;
    if (this.unrecorded.length > 0) appendFileSync(epochsFile(this.kept), this.unrecorded.join(''));
    this.unrecorded = [];
    return true;
  }

  private copy(to: string): void {
    copyFileSync(this.live, `${to}.tmp`);
    renameSync(`${to}.tmp`, to);
  }
}

/**
 * A thread's last prepared data (validation split and standardisation, as fit() makes them): the
 * next unit on the same data and settings (most of a sweep's runs) trains on it as it is, instead
 * of splitting and scaling the table again.
 */
export class PreparedData {
  private last: { source: DataSet; key: string; data: DataSet } | undefined;

  get(task: UnitTask): DataSet {
    const o = { validation: task.validation, standardize: task.standardize, seed: task.config.seed };
    const key = JSON.stringify(o);
    if (this.last?.source !== task.data || this.last.key !== key) this.last = { source: task.data, key, data: prepareData(task.data, o) };
    return this.last.data;
  }
}

export async function trainUnit(
  backend: Backend,
  task: UnitTask,
  signal: AbortSignal,
  onEpoch: (e: EpochEvent) => void,
  prepared = new PreparedData(),
): Promise<UnitResult> {
  const id = { run: task.run, fold: task.fold };
  const live = `${task.checkpoint}.live`;
  const kept = new KeptCheckpoint(live, task.checkpoint);
  const resume = existsSync(task.checkpoint) ? task.checkpoint : undefined;
  const seen = resume ? priorEpochs(task.checkpoint) : [];
  const started = performance.now();
  const seconds = () => Number(((performance.now() - started) / 1000).toFixed(3));
  try {
    const result = await fit(prepared.get(task), {
      ...task.config,
      backend,
      standardize: task.standardize, // the data is split already
      checkpoint: live,
      checkpointSeconds: task.checkpointSeconds,
      resume,
      signal,
      onEvent(e) {
        if (e.event !== 'epoch') return;
        kept.epoch(e);
        seen.push(e);
        onEpoch(e);
      },
    });
    const epochs = dedupeEpochs(seen);
    if (result.aborted) kept.stopped();
    if (result.aborted) return { ...id, epochs, stop: result.stop, aborted: true, seconds: seconds() };
    const t = result.test;
    const score: Record<string, string> = !t
      ? {}
      : t.testRmse !== undefined
        ? { testRmse: String(t.testRmse) }
        : { testAccuracy: String(t.testAccuracy) };
    saveModel(
      task.model,
      result.net,
      { ...score, epochs: String(result.config.epochs), seed: String(result.config.seed) },
      {
        ...result.model,
        allowNonFinite: result.config.allowNonFinite,
      },
    );
    return { ...id, epochs, stop: result.stop, test: result.test, aborted: false, seconds: seconds() };
  } catch (e) {
    return {
      ...id,
      epochs: dedupeEpochs(seen),
      aborted: false,
      seconds: seconds(),
      error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
    };
  }
}
