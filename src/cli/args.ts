/** Flag parsing for the CLI: turns argv into checked settings or a UsageError naming the flag. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BACKEND_CHOICES, type BackendChoice, defaultBackendChoice, isBackendChoice } from '../backend/select.js';
import { NOTEBOOK_CONFIG, type TrainConfig } from '../train/train.js';
import { MAX_LAYER_SIZE, MAX_THREADS } from '../limits.js';
import { TASKS, type Task } from '../data/dataset.js';
import { DEFAULT_OPTIMIZER, OPTIMIZER_NAMES } from '../optim/optimizer.js';
import { DEFAULT_SCHEDULE, SCHEDULE_NAMES } from '../optim/schedule.js';
import { MONITORS } from '../train/early-stopping.js';
import { ACTIVATIONS, isActivation } from '../backend/activation.js';
import { INITS } from '../nn/init.js';

/** A user error on the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Flags every command that runs kernels takes. */
export interface RunArgs {
  backend: BackendChoice;
  threads: number | undefined;
  json: boolean;
  help: boolean;
}

/** Where the data comes from and how it is split and scaled (CSV flags; IDX folders ignore most). */
export interface DataArgs {
  target: string | undefined;
  features: string[] | undefined;
  task: Task | undefined;
  validation: number | undefined;
  test: string | undefined;
  standardize: boolean | undefined;
}

export interface TrainArgs extends RunArgs, DataArgs {
  config: TrainConfig;
  /** The config settings given on the command line (the rest are defaults; a resume keeps the checkpoint's). */
  given: (keyof TrainConfig)[];
  data: string | undefined;
  save: string | undefined;
  /** Write the HTML report here. */
  report: string | undefined;
  checkpoint: string | undefined;
  resume: string | undefined;
}

export interface EvalArgs extends RunArgs {
  model: string;
  data: string | undefined;
  target: string | undefined;
}

export interface PredictArgs extends RunArgs {
  model: string;
  input: string;
}

const RUN_OPTIONS = {
  backend: { type: 'string' },
  threads: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A negative number after a value flag is its value (parseArgs would call it ambiguous). */
function joinNegativeValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    if (args[i].startsWith('--') && !args[i].includes('=') && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${args[i]}=${next}`);
      i++;
    } else out.push(args[i]);
  }
  return out;
}

function parseFlags<T extends ParseArgsConfig>(config: T) {
  try {
    return parseArgs({ ...config, args: joinNegativeValues(config.args ?? []) });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]}; see native-mlp --help`);
  }
}

/** Plain decimal digits: no sign, hex, octal, binary, exponent, separators or spaces ("0x2" is refused). */
const DECIMAL_INT = /^[0-9]+$/;
/** A plain decimal number with an optional fraction and exponent: 0.1, .5, 1e-3 (no hex, no Infinity). */
const DECIMAL_NUMBER = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
/** Smallest normal float32: a smaller learning rate is subnormal in the kernels (or rounds to 0). */
const MIN_NORMAL_F32 = 2 ** -126;
/** Largest finite float32: the kernels compute in float32. */
const MAX_F32 = 3.4028234663852886e38;

function int(flag: string, v: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!DECIMAL_INT.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max} in decimal digits, got "${v}"`);
  }
  return n;
}

function positive(flag: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!DECIMAL_NUMBER.test(v) || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`--${flag} must be a number > 0 in decimal (e.g. 0.1 or 1e-3), got "${v}"`);
  }
  if (n < MIN_NORMAL_F32 || n > MAX_F32) {
    throw new UsageError(`--${flag} must be from ${MIN_NORMAL_F32} to ${MAX_F32} (the normal float32 range the kernels compute in), got "${v}"`);
  }
  return n;
}

/** A number with a range check; `what` says the range in the error. */
function num(flag: string, v: string | undefined, fallback: number, ok: (n: number) => boolean, what: string): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!DECIMAL_NUMBER.test(v) || !Number.isFinite(n) || !ok(n)) throw new UsageError(`--${flag} must be ${what} in decimal, got "${v}"`);
  return n;
}

function choice<T extends string>(flag: string, v: string | undefined, fallback: T, choices: readonly T[]): T {
  if (v === undefined) return fallback;
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, got "${v}"`);
  return v as T;
}

function sizes(flag: string, v: string | undefined, fallback: number[]): number[] {
  if (v === undefined) return [...fallback];
  const parts = v.split(',');
  const out = parts.map((p) => Number(p));
  if (parts.some((p) => !DECIMAL_INT.test(p)) || out.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_LAYER_SIZE)) {
    throw new UsageError(`--${flag} must be layer sizes from 1 to ${MAX_LAYER_SIZE} separated by commas (e.g. 128 or 256,64), got "${v}"`);
  }
  return out;
}

function required(flag: string, v: string | undefined, help: boolean): string {
  if (v === undefined && !help) throw new UsageError(`--${flag} is required; see native-mlp --help`);
  return v ?? '';
}

function runArgs(values: { backend?: string; threads?: string; json?: boolean; help?: boolean }): RunArgs {
  const backend = values.backend;
  if (backend !== undefined && !isBackendChoice(backend)) {
    throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got "${backend}"`);
  }
  return {
    backend: backend ?? defaultBackendChoice(),
    threads: values.threads === undefined ? undefined : int('threads', values.threads, 0, 1, MAX_THREADS),
    json: values.json ?? false,
    help: values.help ?? false,
  };
}

/** Training-loop flags -> the TrainConfig key each sets. */
const LOOP_FLAGS = {
  optimizer: 'optimizer', momentum: 'momentum', beta1: 'beta1', beta2: 'beta2', eps: 'eps', 'weight-decay': 'weightDecay',
  schedule: 'schedule', warmup: 'warmup', 'step-every': 'stepEvery', 'step-gamma': 'stepGamma', 'lr-min': 'lrMin',
  'plateau-factor': 'plateauFactor', 'plateau-patience': 'plateauPatience', 'early-stopping': 'earlyStopping',
  monitor: 'monitor', 'allow-non-finite': 'allowNonFinite', tol: 'tol', activation: 'activation', init: 'init',
  epochs: 'epochs', batch: 'batch', lr: 'lr', hidden: 'hidden', seed: 'seed',
} as const satisfies Record<string, keyof TrainConfig>;

export function parseTrainArgs(argv: string[]): TrainArgs {
  const { values } = parseFlags({
    args: argv,
    options: {
      ...RUN_OPTIONS,
      epochs: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' }, hidden: { type: 'string' },
      seed: { type: 'string' }, data: { type: 'string' }, save: { type: 'string' }, report: { type: 'string' },
      ...DATA_OPTIONS,
      optimizer: { type: 'string' }, momentum: { type: 'string' }, beta1: { type: 'string' }, beta2: { type: 'string' },
      eps: { type: 'string' }, 'weight-decay': { type: 'string' }, schedule: { type: 'string' }, warmup: { type: 'string' },
      'step-every': { type: 'string' }, 'step-gamma': { type: 'string' }, 'lr-min': { type: 'string' },
      'plateau-factor': { type: 'string' }, 'plateau-patience': { type: 'string' }, 'early-stopping': { type: 'string' },
      monitor: { type: 'string' }, 'allow-non-finite': { type: 'boolean' },
      tol: { type: 'string' }, 'n-iter-no-change': { type: 'string' }, activation: { type: 'string' }, init: { type: 'string' },
      checkpoint: { type: 'string' }, resume: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const d = NOTEBOOK_CONFIG;
  const o = DEFAULT_OPTIMIZER;
  const sc = DEFAULT_SCHEDULE;
  const unit = (n: number) => n >= 0 && n < 1;
  const config: TrainConfig = {
    epochs: int('epochs', values.epochs, d.epochs, 1, 100000),
    batch: int('batch', values.batch, d.batch, 1, 1 << 20),
    lr: positive('lr', values.lr, d.lr),
    hidden: sizes('hidden', values.hidden, d.hidden),
    seed: int('seed', values.seed, d.seed, 0),
    evalImages: d.evalImages,
    optimizer: choice('optimizer', values.optimizer, o.optimizer, OPTIMIZER_NAMES),
    momentum: num('momentum', values.momentum, o.momentum, unit, 'a number in [0, 1)'),
    beta1: num('beta1', values.beta1, o.beta1, unit, 'a number in [0, 1)'),
    beta2: num('beta2', values.beta2, o.beta2, unit, 'a number in [0, 1)'),
    eps: positive('eps', values.eps, o.eps),
    weightDecay: num('weight-decay', values['weight-decay'], o.weightDecay, (n) => n >= 0, 'a number >= 0'),
    schedule: choice('schedule', values.schedule, sc.schedule, SCHEDULE_NAMES),
    warmup: int('warmup', values.warmup, sc.warmup, 0, 100000),
    stepEvery: int('step-every', values['step-every'], sc.stepEvery, 1, 100000),
    stepGamma: num('step-gamma', values['step-gamma'], sc.stepGamma, (n) => n > 0 && n <= 1, 'a number in (0, 1]'),
    lrMin: num('lr-min', values['lr-min'], sc.lrMin, (n) => n >= 0, 'a number >= 0'),
    plateauFactor: num('plateau-factor', values['plateau-factor'], sc.plateauFactor, (n) => n > 0 && n < 1, 'a number in (0, 1)'),
    plateauPatience: int('plateau-patience', values['plateau-patience'], sc.plateauPatience, 1, 100000),
    earlyStopping: patience(values['early-stopping'], values['n-iter-no-change']),
    tol: num('tol', values.tol, 0, (n) => n >= 0, 'a number >= 0'),
    activation: activation(values.activation),
    init: choice('init', values.init, 'notebook', INITS),
    monitor: choice('monitor', values.monitor, 'validationLoss', MONITORS),
    allowNonFinite: values['allow-non-finite'] ?? false,
  };
  const given = Object.entries(LOOP_FLAGS).filter(([flag]) => (values as Record<string, unknown>)[flag] !== undefined).map(([, key]) => key);
  if (values['n-iter-no-change'] !== undefined && !given.includes('earlyStopping')) given.push('earlyStopping');
  return {
    ...runArgs(values), config, given, data: values.data, save: values.save, checkpoint: values.checkpoint, resume: values.resume,
    report: values.report,
    ...dataArgs(values),
  };
}

/** --early-stopping N and --n-iter-no-change N (scikit-learn's name) set the same patience. */
function patience(early: string | undefined, nIter: string | undefined): number {
  if (early !== undefined && nIter !== undefined) {
    throw new UsageError('--early-stopping and --n-iter-no-change set the same patience; pass one');
  }
  return early !== undefined ? int('early-stopping', early, 0, 0, 100000) : int('n-iter-no-change', nIter, 0, 0, 100000);
}

/** --activation NAME or a comma list, one per hidden layer (the count is checked against --hidden later). */
function activation(v: string | undefined): string {
  if (v === undefined) return 'relu';
  const bad = v.split(',').map((a) => a.trim()).find((a) => !isActivation(a));
  if (bad !== undefined) {
    throw new UsageError(`--activation must be one of ${ACTIVATIONS.join(', ')} (or a comma list, one per hidden layer), got "${bad}"`);
  }
  return v.split(',').map((a) => a.trim()).join(',');
}

const DATA_OPTIONS = {
  target: { type: 'string' }, features: { type: 'string' }, task: { type: 'string' }, validation: { type: 'string' },
  test: { type: 'string' }, standardize: { type: 'boolean' }, 'no-standardize': { type: 'boolean' },
} as const;

function fraction(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!DECIMAL_NUMBER.test(v) || !(n > 0 && n < 1)) throw new UsageError(`--${flag} must be a fraction between 0 and 1 (e.g. 0.2), got "${v}"`);
  return n;
}

function dataArgs(values: {
  target?: string; features?: string; task?: string; validation?: string; test?: string; standardize?: boolean; 'no-standardize'?: boolean;
}): DataArgs {
  const task = values.task;
  if (task !== undefined && !TASKS.includes(task as Task)) throw new UsageError(`--task must be one of ${TASKS.join(', ')}, got "${task}"`);
  if (values.standardize && values['no-standardize']) throw new UsageError('--standardize and --no-standardize contradict each other; pass one');
  const features = values.features?.split(',').map((f) => f.trim());
  if (features?.some((f) => f === '')) throw new UsageError(`--features must be column names separated by commas, got "${values.features}"`);
  if (values.target === '') throw new UsageError('--target must name a column');
  return {
    target: values.target,
    features,
    task: task as Task | undefined,
    // 0: no validation split (tables then stop on the training loss).
    validation: values.validation === '0' ? 0 : fraction('validation', values.validation),
    test: values.test,
    standardize: values['no-standardize'] ? false : values.standardize,
  };
}

export function parseEvalArgs(argv: string[]): EvalArgs {
  const { values } = parseFlags({
    args: argv, options: { ...RUN_OPTIONS, model: { type: 'string' }, data: { type: 'string' }, target: { type: 'string' } },
    strict: true, allowPositionals: false,
  });
  const run = runArgs(values);
  return { ...run, model: required('model', values.model, run.help), data: values.data, target: values.target };
}

export function parsePredictArgs(argv: string[]): PredictArgs {
  const { values } = parseFlags({
    args: argv, options: { ...RUN_OPTIONS, model: { type: 'string' }, input: { type: 'string' } }, strict: true, allowPositionals: false,
  });
  const run = runArgs(values);
  return { ...run, model: required('model', values.model, run.help), input: required('input', values.input, run.help) };
}

export function parseInfoArgs(argv: string[]): RunArgs {
  const { values } = parseFlags({ args: argv, options: RUN_OPTIONS, strict: true, allowPositionals: false });
  return runArgs(values);
}

export function parseBenchArgs(argv: string[]): { json: boolean; numpy: boolean; help: boolean; report: string | undefined } {
  const { values } = parseFlags({
    args: argv,
    options: { json: { type: 'boolean' }, 'no-numpy': { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, report: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  return { json: values.json ?? false, numpy: !values['no-numpy'], help: values.help ?? false, report: values.report };
}

/** `report RUN.jsonl -o FILE.html`: a saved train --json log (or bench --json output) to an HTML report. */
export function parseReportArgs(argv: string[]): { log: string; output: string; help: boolean } {
  const { values, positionals } = parseFlags({
    args: argv,
    options: { output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: true,
  });
  const help = values.help ?? false;
  if (!help && positionals.length !== 1) {
    throw new UsageError(`report takes one log file (the output of train --json or bench --json), got ${positionals.length}; see native-mlp --help`);
  }
  return { log: positionals[0] ?? '', output: required('output', values.output, help), help };
}
