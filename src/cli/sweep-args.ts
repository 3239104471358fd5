/** Flags of `native-mlp sweep` and `native-mlp worker` (the rows of flags.ts that name them). */
import { DEFAULT_MAX_RUNS } from '../sweep/space.js';
import { type Metric, METRICS } from '../sweep/results.js';
import { MAX_THREADS } from '../limits.js';
import { dataArgs, type DataArgs, int, list, parseFlags, runArgs, type RunArgs, str, UsageError } from './args.js';

export interface SweepArgs extends RunArgs, DataArgs {
  data: string | undefined;
  params: string[];
  trials: number | undefined;
  searchSeed: number;
  metric: Metric;
  workers: number | undefined;
  out: string;
  resume: boolean;
  folds: number | undefined;
  maxRuns: number;
  redis: string | undefined;
  queue: string | undefined;
  attempts: number | undefined;
}

export interface WorkerArgs extends RunArgs {
  redis: string;
  concurrency: number;
  queue: string | undefined;
  lockSeconds: number;
  maxStalled: number;
}

/** Flags a resumed sweep takes from its sweep.json, not the command line. */
const FIXED_ON_RESUME = [
  'data',
  'param',
  'trials',
  'search-seed',
  'folds',
  'metric',
  'target',
  'features',
  'task',
  'validation',
  'test',
  'max-runs',
  'ignore',
  'categorical',
  'numeric',
  'date',
  'na',
  'impute',
  'max-categories',
  'delimiter',
  'decimal',
  'standardize',
  'no-standardize',
];

export function parseSweepArgs(argv: string[]): SweepArgs {
  const flags = parseFlags('sweep', argv);
  const run = runArgs(flags);
  const metric = str(flags, 'metric') ?? 'validationLoss';
  if (!(METRICS as readonly string[]).includes(metric))
    throw new UsageError(`--metric must be one of ${METRICS.join(', ')}, got "${metric}"`);
  const resumeDir = str(flags, 'resume');
  const outDir = str(flags, 'out');
  if (resumeDir !== undefined && outDir !== undefined && outDir !== resumeDir) {
    throw new UsageError('--resume DIR continues the sweep in DIR; pass --resume alone, without another --out');
  }
  const out = resumeDir ?? outDir;
  if (out === undefined && !run.help)
    throw new UsageError('--out DIR is required (the folder for runs.jsonl, the models and the report); see native-mlp sweep --help');
  const params = list(flags, 'param');
  if (resumeDir !== undefined) {
    const fixed = FIXED_ON_RESUME.find((f) => flags.values[f] !== undefined);
    if (fixed)
      throw new UsageError(
        `--${fixed}: a resumed sweep keeps the settings it started with (${out}/sweep.json); pass only --resume DIR and how to run it`,
      );
  } else if (!run.help) {
    if (str(flags, 'data') === undefined)
      throw new UsageError('--data FILE.csv is required (with --target COLUMN); see native-mlp sweep --help');
    if (params.length === 0)
      throw new UsageError('--param NAME=VALUES is required at least once (e.g. --param lr=0.001,0.01); see native-mlp sweep --help');
  }
  const opt = (name: string, min: number, max: number) =>
    str(flags, name) === undefined ? undefined : int(name, str(flags, name), 0, min, max);
  return {
    ...run,
    ...dataArgs(flags),
    data: str(flags, 'data'),
    params,
    trials: opt('trials', 1, 1_000_000),
    searchSeed: int('search-seed', str(flags, 'search-seed'), 0, 0),
    metric: metric as Metric,
    workers: opt('workers', 1, MAX_THREADS),
    out: out ?? '',
    resume: resumeDir !== undefined,
    folds: opt('folds', 2, 100),
    maxRuns: int('max-runs', str(flags, 'max-runs'), DEFAULT_MAX_RUNS, 1),
    redis: str(flags, 'redis'),
    queue: str(flags, 'queue'),
    attempts: opt('attempts', 1, 100),
  };
}

export function parseWorkerArgs(argv: string[]): WorkerArgs {
  const flags = parseFlags('worker', argv);
  const run = runArgs(flags);
  const redis = str(flags, 'redis');
  if (redis === undefined && !run.help) throw new UsageError('--redis redis://HOST:6379 is required; see native-mlp worker --help');
  return {
    ...run,
    redis: redis ?? '',
    concurrency: int('concurrency', str(flags, 'concurrency'), 1, 1, MAX_THREADS),
    queue: str(flags, 'queue'),
    lockSeconds: int('lock-seconds', str(flags, 'lock-seconds'), 30, 1, 3600),
    maxStalled: int('max-stalled', str(flags, 'max-stalled'), 2, 1, 100),
  };
}
