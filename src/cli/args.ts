/** Flag parsing for the CLI: turns argv into checked settings or a UsageError naming the flag. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BACKEND_CHOICES, type BackendChoice, defaultBackendChoice, isBackendChoice } from '../backend/select.js';
import { NOTEBOOK_CONFIG, type TrainConfig } from '../train/train.js';
import { MAX_LAYER_SIZE, MAX_THREADS } from '../limits.js';

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

export interface TrainArgs extends RunArgs {
  config: TrainConfig;
  data: string | undefined;
  save: string | undefined;
}

export interface EvalArgs extends RunArgs {
  model: string;
  data: string | undefined;
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

export function parseTrainArgs(argv: string[]): TrainArgs {
  const { values } = parseFlags({
    args: argv,
    options: {
      ...RUN_OPTIONS,
      epochs: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' }, hidden: { type: 'string' },
      seed: { type: 'string' }, data: { type: 'string' }, save: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const d = NOTEBOOK_CONFIG;
  return {
    ...runArgs(values),
    config: {
      epochs: int('epochs', values.epochs, d.epochs, 1, 100000),
      batch: int('batch', values.batch, d.batch, 1, 1 << 20),
      lr: positive('lr', values.lr, d.lr),
      hidden: sizes('hidden', values.hidden, d.hidden),
      seed: int('seed', values.seed, d.seed, 0),
      evalImages: d.evalImages,
    },
    data: values.data,
    save: values.save,
  };
}

export function parseEvalArgs(argv: string[]): EvalArgs {
  const { values } = parseFlags({
    args: argv, options: { ...RUN_OPTIONS, model: { type: 'string' }, data: { type: 'string' } }, strict: true, allowPositionals: false,
  });
  const run = runArgs(values);
  return { ...run, model: required('model', values.model, run.help), data: values.data };
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

export function parseBenchArgs(argv: string[]): { json: boolean; numpy: boolean; help: boolean } {
  const { values } = parseFlags({
    args: argv,
    options: { json: { type: 'boolean' }, 'no-numpy': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  });
  return { json: values.json ?? false, numpy: !values['no-numpy'], help: values.help ?? false };
}
