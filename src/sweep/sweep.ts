/**
 * sweep(): many trainings of one data set over a grid or random search of settings, on local
 * worker threads or as BullMQ jobs on Redis, into one folder (sweep/run-dir.ts). The data is read
 * once; finished runs are appended to runs.jsonl as they end; a stopped sweep keeps them and its
 * running trainings' checkpoints, and `resume` continues it.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import type { BackendChoice } from '../backend/select.js';
import type { DataSet, Task } from '../data/dataset.js';
import { checkConfig, type TrainConfig } from '../train/config.js';
import type { TableOptions } from '../data/from-csv.js';
import type { EpochEvent } from '../train/events.js';
import { fileSha256, UnitData } from './data.js';
import { SweepError } from './errors.js';
import { TrainPool } from './pool.js';
import { bestRun, type Metric, METRICS, type RunLine, runLine } from './results.js';
import { type DataSpec, RunDir, SWEEP_FORMAT, SWEEP_VERSION, type SweepPlan } from './run-dir.js';
import { dataLocation, isUrl, loadSweepData } from './source.js';
import { DEFAULT_MAX_RUNS, gridSettings, parseParam, randomSettings, runConfig, type Settings } from './space.js';
import { epochsFile, type UnitJob, type UnitResult, unitName } from './unit.js';
import { writeSweepReport } from './report.js';
import { loadReportLibs } from '../report/libs.js';

export interface SweepOptions {
  /** The folder the sweep writes (runs.jsonl, models, best.safetensors, report.html). */
  out: string;
  /** Continue the sweep in `out` (its data and settings are read from out/sweep.json). */
  resume?: boolean;
  /** A CSV file (a path every worker can read) or an http(s) URL. */
  data?: string;
  target?: string | string[];
  features?: string[];
  /** How the table is read, typed and encoded (as fit's `table`). */
  table?: TableOptions;
  task?: Task;
  testFile?: string;
  testFraction?: number;
  /** Validation fraction (default 0.2; not with folds). */
  validation?: number;
  standardize?: boolean;
  /** `name=v1,v2` lists (a grid) or `name=low..high[:log]` ranges (with trials). */
  params?: readonly string[];
  /** Random search: this many draws (seeded by searchSeed). */
  trials?: number;
  searchSeed?: number;
  maxRuns?: number;
  /** What picks the best run (default validationLoss). */
  metric?: Metric;
  /** Score each setting by K-fold cross-validation (stratified for classes). */
  folds?: number;
  /** Local training threads (default: one per core). */
  workers?: number;
  /** Native kernel threads per training (default 1). */
  threads?: number;
  backend?: BackendChoice;
  /** Enqueue the trainings on BullMQ at this Redis URL instead of training here. */
  redis?: string;
  queue?: string;
  /** Tries per training on Redis before it fails (default 3). */
  attempts?: number;
  /** Write report.html (needs the report's packages; default true). */
  report?: boolean;
  signal?: AbortSignal;
  onEvent?: (e: SweepEvent) => void;
}

export type SweepEvent =
  | { event: 'sweep'; runs: number; finished: number; epochs: number; workers: number; out: string; redis?: string }
  | { event: 'epoch'; run: number; fold?: number; epoch: EpochEvent }
  | ({ event: 'run'; finished: number; runs: number } & RunLine)
  | { event: 'best'; run: number; metric: string; value: number; model: string }
  | { event: 'report'; file: string }
  | { event: 'warning'; message: string };

export interface SweepResult {
  dir: string;
  runs: RunLine[];
  best?: RunLine;
  /** Stopped before every run finished (resume continues). */
  aborted: boolean;
}

/** What runs the trainings: local threads or a queue. */
export interface Executor {
  readonly workers: number;
  run(job: UnitJob, onEpoch: (e: EpochEvent) => void): Promise<UnitResult>;
  stop(): void;
  close(): Promise<void>;
}

/** How every worker reads the data (the hash is filled in once read). */
function dataSpec(o: SweepOptions): DataSpec {
  return {
    location: dataLocation(o.data!),
    sha256: '',
    target: o.target,
    features: o.features,
    table: o.table,
    task: o.task,
    testFile: o.testFile && dataLocation(o.testFile),
    testFraction: o.testFraction,
  };
}

/** The runs' settings (checked before any data is read). */
function planSettings(o: SweepOptions): Settings[] {
  const specs = (o.params ?? []).map(parseParam);
  const maxRuns = o.maxRuns ?? DEFAULT_MAX_RUNS;
  const settings = o.trials !== undefined ? randomSettings(specs, o.trials, o.searchSeed ?? 0, maxRuns) : gridSettings(specs, maxRuns);
  settings.forEach((s, i) => {
    try {
      checkConfig(runConfig(s));
    } catch (e) {
      throw new SweepError(`run ${i} (${JSON.stringify(s)}): ${(e as Error).message}`);
    }
  });
  if (o.folds !== undefined && o.validation !== undefined) throw new SweepError('--folds and --validation exclude each other; pass one');
  return settings;
}

function newPlan(o: SweepOptions, data: DataSpec, settings: Settings[]): SweepPlan {
  const metric = o.metric ?? 'validationLoss';
  if (!(METRICS as readonly string[]).includes(metric))
    throw new SweepError(`--metric must be one of ${METRICS.join(', ')}, got "${metric}"`);
  return {
    format: SWEEP_FORMAT,
    version: SWEEP_VERSION,
    id: randomUUID(),
    data,
    metric,
    folds: o.folds,
    validation: o.folds === undefined ? (o.validation ?? 0.2) : undefined,
    standardize: o.standardize,
    settings,
  };
}

function checkMetric(metric: string, task: Task): void {
  const ok = task === 'classify' ? metric !== 'validationRmse' : metric !== 'validationAccuracy';
  if (!ok)
    throw new SweepError(
      `--metric ${metric} does not apply to ${task === 'classify' ? 'classification' : 'regression'}; use ${task === 'classify' ? 'validationLoss or validationAccuracy' : 'validationLoss or validationRmse'}`,
    );
}

export async function sweep(o: SweepOptions): Promise<SweepResult> {
  const dir = new RunDir(o.out);
  const emit = (e: SweepEvent) => o.onEvent?.(e);
  if (!o.resume && o.data === undefined) throw new SweepError('a sweep needs data (--data FILE.csv) or --resume DIR');
  dir.lock();
  const exec: { current?: Executor; local?: LocalExecutor } = {};
  try {
    const resumed = o.resume ? dir.readPlan() : undefined;
    if (!resumed && dir.hasPlan())
      throw new SweepError(`${dir.dir} already holds a sweep (${dir.planFile}); continue it with --resume ${o.out}, or use another --out`);
    const settings = resumed?.settings ?? planSettings(o);
    // The threads start (each loads its modules and backend) while the data is read.
    if (!o.redis) exec.local = new LocalExecutor(o, settings.length * ((resumed ? resumed.folds : o.folds) ?? 1));
    let plan: SweepPlan;
    let data: DataSet;
    if (resumed) {
      plan = resumed;
      ({ data } = await loadSweepData(plan.data)); // checks the data is the one the sweep started on
    } else {
      const spec = dataSpec(o);
      const loaded = await loadSweepData(spec);
      data = loaded.data;
      plan = newPlan(o, { ...spec, sha256: loaded.sha256 }, settings);
      checkMetric(plan.metric, data.task);
      dir.writePlan(plan);
    }
    exec.local?.useData(new UnitData(data, plan.folds));
    exec.current =
      exec.local ?? (await (await import('./queue.js')).QueueExecutor.connect(o.redis!, plan, { queue: o.queue, attempts: o.attempts }));
    return await runPlan(dir, plan, exec.current, o, emit, data);
  } finally {
    await (exec.current ?? exec.local)?.close();
    dir.unlock();
  }
}

/**
 * Without a kill -9 to survive (a queue job's worker), a local training checkpoints this seldom:
 * a small table's epoch takes far less than writing and syncing a checkpoint.
 */
const LOCAL_CHECKPOINT_SECONDS = 30;

class LocalExecutor implements Executor {
  private readonly pool: TrainPool;
  private data: UnitData | undefined;
  readonly workers: number;

  constructor(o: SweepOptions, trainings: number) {
    // No more threads than trainings: each thread loads its own backend.
    this.workers = Math.max(1, Math.min(o.workers ?? availableParallelism(), trainings));
    this.pool = new TrainPool(this.workers, { backend: o.backend, threads: o.threads ?? 1 });
  }

  useData(data: UnitData): void {
    this.data = data;
  }

  run(job: UnitJob, onEpoch: (e: EpochEvent) => void): Promise<UnitResult> {
    return this.pool.run({ ...job, data: this.data!.get(job.fold), checkpointSeconds: LOCAL_CHECKPOINT_SECONDS }, onEpoch);
  }

  stop(): void {
    this.pool.stop();
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Watches a local data file: a change (size, time, then hash) stops the sweep. */
function dataWatch(plan: SweepPlan): () => Promise<string | null> {
  const file = plan.data.location;
  if (isUrl(file)) return async () => null;
  const stamp = () => {
    const s = statSync(file, { throwIfNoEntry: false });
    return s ? `${s.size}:${s.mtimeMs}` : 'missing';
  };
  let last = stamp();
  return async () => {
    const now = stamp();
    if (now === last) return null;
    last = now;
    const sha = now === 'missing' ? 'missing' : await fileSha256(file).catch(() => 'unreadable');
    return sha === plan.data.sha256
      ? null
      : `${file}: the data changed during the sweep (its SHA-256 is no longer ${plan.data.sha256.slice(0, 12)}...); finished runs are kept; stopped`;
  };
}

/** A run's work, roughly: epochs x parameters (a training step is a few products over the weights). */
function runCost(s: Settings, data: DataSet): number {
  const c = runConfig(s);
  const sizes = [data.train.features, ...c.hidden, data.classes];
  let params = 0;
  for (let l = 1; l < sizes.length; l++) params += (sizes[l - 1] + 1) * sizes[l];
  return c.epochs * params;
}

async function runPlan(
  dir: RunDir,
  plan: SweepPlan,
  executor: Executor,
  o: SweepOptions,
  emit: (e: SweepEvent) => void,
  data: DataSet,
): Promise<SweepResult> {
  const done = new Map(dir.readRuns().map((r) => [r.run, r]));
  const folds = plan.folds === undefined ? [undefined] : Array.from({ length: plan.folds }, (_, k) => k);
  // Longest first, so no worker is left alone with a long run at the end (ties in grid order).
  const todo = plan.settings
    .map((s, run) => ({ run, s, cost: runCost(s, data) }))
    .filter(({ run }) => !done.has(run))
    .sort((a, b) => b.cost - a.cost || a.run - b.run);
  const epochsEach = (s: Settings) => runConfig(s).epochs * folds.length;
  emit({
    event: 'sweep',
    runs: plan.settings.length,
    finished: done.size,
    epochs: todo.reduce((n, { s }) => n + epochsEach(s), 0),
    workers: executor.workers,
    out: dir.dir,
    redis: o.redis,
  });
  let aborted = false;
  let failure: string | null = null;
  const changed = dataWatch(plan);
  const stopAll = () => {
    aborted = true;
    executor.stop();
  };
  if (o.signal?.aborted) stopAll();
  o.signal?.addEventListener('abort', stopAll, { once: true });
  const modelOf = (run: number) => dir.path('models', `${unitName({ run })}.safetensors`);
  // The report's packages load now, on the main thread that only waits for the trainings, rather
  // than after the runs on the sweep's serial end (a missing one is warned of when writing).
  if (o.report !== false) loadReportLibs().catch(() => {});
  try {
    await Promise.all(
      todo.map(async ({ run, s }) => {
        const units = await Promise.all(
          folds.map(async (fold) => {
            const job: UnitJob = {
              run,
              fold,
              config: s as Partial<TrainConfig>,
              validation: plan.validation,
              standardize: plan.standardize,
              checkpoint: dir.path('checkpoints', `${unitName({ run, fold })}.ckpt`),
              // With folds the run's model is its first fold's; the others are not kept.
              model: fold === undefined || fold === 0 ? modelOf(run) : dir.path('checkpoints', `${unitName({ run, fold })}.safetensors`),
            };
            const result = await executor.run(job, (epoch) => emit({ event: 'epoch', run, fold, epoch }));
            const why = aborted ? null : await changed();
            if (why) {
              failure = why;
              stopAll();
            }
            return result;
          }),
        );
        if (units.some((u) => u.aborted)) return;
        const line = runLine(run, s, units, relative(dir.dir, modelOf(run)));
        await dir.appendRun(line);
        done.set(run, line);
        await Promise.all(
          folds.flatMap((fold) => {
            const ckpt = dir.path('checkpoints', `${unitName({ run, fold })}.ckpt`);
            const files = [
              ckpt,
              `${ckpt}.live`,
              `${ckpt}.next`,
              epochsFile(ckpt),
              ...(fold ? [dir.path('checkpoints', `${unitName({ run, fold })}.safetensors`)] : []),
            ];
            return files.map((f) => rm(f, { force: true }));
          }),
        );
        emit({ event: 'run', ...line, finished: done.size, runs: plan.settings.length });
      }),
    );
  } finally {
    o.signal?.removeEventListener('abort', stopAll);
  }
  if (!aborted) failure ??= await changed();
  if (failure) throw new SweepError(failure);
  const runs = [...done.values()].sort((a, b) => a.run - b.run);
  const best = bestRun(runs, plan.metric);
  if (!aborted && best) {
    copyFileSync(dir.path(best.model!), dir.path('best.safetensors'));
    emit({ event: 'best', run: best.run, metric: plan.metric, value: best.final[plan.metric], model: dir.path('best.safetensors') });
  }
  if (!aborted && o.report !== false) {
    const file = await writeSweepReport(dir, runs, plan.metric, (m) => emit({ event: 'warning', message: m }));
    if (file) emit({ event: 'report', file });
  }
  return { dir: dir.dir, runs, best, aborted };
}
