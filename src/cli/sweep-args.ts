/** Flags of `native-mlp sweep` and `native-mlp worker`. */
import { DEFAULT_MAX_RUNS } from '../sweep/space.js';
import { type Metric, METRICS } from '../sweep/results.js';
import { MAX_THREADS } from '../limits.js';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DATA_OPTIONS, dataArgs, type DataArgs, int, RUN_OPTIONS, runArgs, type RunArgs, UsageError } from './args.js';

function parseFlags<T extends ParseArgsConfig>(config: T) {
  try {
    return parseArgs(config);
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]}; see native-mlp --help`);
  }
}

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

export function parseSweepArgs(argv: string[]): SweepArgs {
  const { values } = parseFlags({
    args: argv,
    options: {
      ...RUN_OPTIONS, ...DATA_OPTIONS, data: { type: 'string' }, param: { type: 'string', multiple: true }, trials: { type: 'string' },
      'search-seed': { type: 'string' }, metric: { type: 'string' }, workers: { type: 'string' }, out: { type: 'string' },
      resume: { type: 'string' }, folds: { type: 'string' }, 'max-runs': { type: 'string' }, redis: { type: 'string' },
      queue: { type: 'string' }, attempts: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const run = runArgs(values);
  const metric = values.metric ?? 'validationLoss';
  if (!(METRICS as readonly string[]).includes(metric)) throw new UsageError(`--metric must be one of ${METRICS.join(', ')}, got "${metric}"`);
  if (values.resume !== undefined && values.out !== undefined && values.out !== values.resume) {
    throw new UsageError('--resume DIR continues the sweep in DIR; pass --resume alone, without another --out');
  }
  const resume = values.resume !== undefined;
  const out = values.resume ?? values.out;
  if (out === undefined && !run.help) throw new UsageError('--out DIR is required (the folder for runs.jsonl, the models and the report); see native-mlp --help');
  if (!resume && !run.help) {
    if (values.data === undefined) throw new UsageError('--data FILE.csv is required (with --target COLUMN); see native-mlp --help');
    if (!values.param?.length) throw new UsageError('--param NAME=VALUES is required at least once (e.g. --param lr=0.001,0.01); see native-mlp --help');
  } else if (resume) {
    const fixed = ['data', 'param', 'trials', 'folds', 'metric', 'target'].find((f) => (values as Record<string, unknown>)[f] !== undefined);
    if (fixed) throw new UsageError(`--${fixed}: a resumed sweep keeps the settings it started with (${out}/sweep.json); pass only --resume and how to run it`);
  }
  return {
    ...run, ...dataArgs(values), data: values.data, params: values.param ?? [],
    trials: values.trials === undefined ? undefined : int('trials', values.trials, 0, 1, 1_000_000),
    searchSeed: int('search-seed', values['search-seed'], 0, 0),
    metric: metric as Metric,
    workers: values.workers === undefined ? undefined : int('workers', values.workers, 0, 1, MAX_THREADS),
    out: out ?? '', resume,
    folds: values.folds === undefined ? undefined : int('folds', values.folds, 0, 2, 100),
    maxRuns: int('max-runs', values['max-runs'], DEFAULT_MAX_RUNS, 1),
    redis: values.redis, queue: values.queue,
    attempts: values.attempts === undefined ? undefined : int('attempts', values.attempts, 0, 1, 100),
  };
}

export function parseWorkerArgs(argv: string[]): WorkerArgs {
  const { values } = parseFlags({
    args: argv,
    options: {
      ...RUN_OPTIONS, redis: { type: 'string' }, concurrency: { type: 'string' }, queue: { type: 'string' },
      'lock-seconds': { type: 'string' }, 'max-stalled': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const run = runArgs(values);
  if (values.redis === undefined && !run.help) throw new UsageError('--redis redis://HOST:6379 is required; see native-mlp --help');
  return {
    ...run, redis: values.redis ?? '',
    concurrency: int('concurrency', values.concurrency, 1, 1, MAX_THREADS),
    queue: values.queue,
    lockSeconds: int('lock-seconds', values['lock-seconds'], 30, 1, 3600),
    maxStalled: int('max-stalled', values['max-stalled'], 2, 1, 100),
  };
}
