/** Flag parsing for the CLI: turns argv into checked settings or a UsageError naming the flag. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BACKEND_CHOICES, type BackendChoice, defaultBackendChoice, isBackendChoice } from '../backend/select.js';
import { NOTEBOOK_CONFIG, type TrainConfig } from '../train/train.js';

/** A user error on the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface TrainArgs {
  config: TrainConfig;
  backend: BackendChoice;
  threads: number | undefined;
  data: string | undefined;
  json: boolean;
}

const TRAIN_OPTIONS = {
  epochs: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  hidden: { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  data: { type: 'string' },
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

function int(flag: string, v: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got "${v}"`);
  }
  return n;
}

function positive(flag: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`--${flag} must be a number > 0, got "${v}"`);
  }
  return n;
}

function sizes(flag: string, v: string | undefined, fallback: number[]): number[] {
  if (v === undefined) return [...fallback];
  const parts = v.split(',');
  const out = parts.map((p) => Number(p));
  if (parts.some((p) => p.trim() === '') || out.some((n) => !Number.isInteger(n) || n < 1 || n > 65536)) {
    throw new UsageError(`--${flag} must be layer sizes from 1 to 65536 separated by commas (e.g. 128 or 256,64), got "${v}"`);
  }
  return out;
}

export function backendFlag(v: string | undefined): BackendChoice {
  if (v === undefined) return defaultBackendChoice();
  if (!isBackendChoice(v)) throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got "${v}"`);
  return v;
}

export function threadsFlag(v: string | undefined): number | undefined {
  return v === undefined ? undefined : int('threads', v, 0, 1, 256);
}

export function parseTrainArgs(argv: string[]): TrainArgs & { help: boolean } {
  const { values } = parseFlags({ args: argv, options: TRAIN_OPTIONS, strict: true, allowPositionals: false });
  const d = NOTEBOOK_CONFIG;
  return {
    config: {
      epochs: int('epochs', values.epochs, d.epochs, 1, 100000),
      batch: int('batch', values.batch, d.batch, 1, 1 << 20),
      lr: positive('lr', values.lr, d.lr),
      hidden: sizes('hidden', values.hidden, d.hidden),
      seed: int('seed', values.seed, d.seed, 0),
      evalImages: d.evalImages,
    },
    backend: backendFlag(values.backend),
    threads: threadsFlag(values.threads),
    data: values.data,
    json: values.json ?? false,
    help: values.help ?? false,
  };
}

export function parseBenchArgs(argv: string[]): { json: boolean; numpy: boolean } {
  const { values } = parseFlags({
    args: argv, options: { json: { type: 'boolean' }, 'no-numpy': { type: 'boolean' } }, strict: true, allowPositionals: false,
  });
  return { json: values.json ?? false, numpy: !values['no-numpy'] };
}
