/**
 * One training of a sweep (a run, or one fold of a run): what a training worker is given and what
 * it gives back. The same shape travels to a local worker thread and, as a BullMQ job, to another
 * machine; running it is the same function in both (sweep/train-unit.ts).
 */
import type { DataSet } from '../data/dataset.js';
import type { TrainConfig } from '../train/config.js';
import type { EpochEvent, StopEvent, TestEvent } from '../train/events.js';

export interface UnitJob {
  run: number;
  /** The fold (0..K-1) with --folds; absent otherwise. */
  fold?: number;
  /** The run's settings; fit() fills in the table defaults, as for `native-mlp train`. */
  config: Partial<TrainConfig>;
  /** fit's data options: the validation fraction (without folds) and standardisation. */
  validation?: number;
  standardize?: boolean;
  /** Checkpoint after every epoch (and when stopped); a present file is resumed from. */
  checkpoint: string;
  /** Where the trained model is written. */
  model: string;
}

export interface UnitResult {
  run: number;
  fold?: number;
  /** Every epoch of the training, across resumes. */
  epochs: EpochEvent[];
  stop?: StopEvent;
  test?: TestEvent;
  /** Stopped before its end (SIGINT): the checkpoint holds where it got to. */
  aborted: boolean;
  /** Wall-clock seconds of the training (of its last attempt when it was resumed). */
  seconds?: number;
  /** The training failed (diverged, bad setting): the message. */
  error?: string;
}

/** A job and the data it trains on (shared memory; posting it to a thread copies nothing). */
export interface UnitTask extends UnitJob {
  data: DataSet;
  /** Seconds between epoch checkpoints (default 0: every epoch, as a queue job's must be to survive its worker). */
  checkpointSeconds?: number;
}

/** Unit id in file names and queue job ids: run-3 or run-3-fold-1. */
export function unitName(u: { run: number; fold?: number }): string {
  return u.fold === undefined ? `run-${u.run}` : `run-${u.run}-fold-${u.fold}`;
}

/** The epochs file beside a checkpoint: epoch events survive a resume there. */
export function epochsFile(checkpoint: string): string {
  return `${checkpoint}.epochs.jsonl`;
}

/** Keeps the last event of each epoch (a resumed run repeats the epoch it had not checkpointed). */
export function dedupeEpochs(events: readonly EpochEvent[]): EpochEvent[] {
  const byEpoch = new Map<number, EpochEvent>();
  for (const e of events) byEpoch.set(e.epoch, e);
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}
