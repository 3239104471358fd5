/** Flag parsing for the CLI: turns argv into checked settings or a UsageError naming the flag. */
import { parseArgs } from 'node:util';
import { BACKEND_CHOICES, type BackendChoice, defaultBackendChoice, isBackendChoice } from '../backend/select.js';
import { MAX_THREADS } from '../limits.js';
import { TASKS, type Task } from '../data/dataset.js';
import type { TableOptions } from '../data/from-csv.js';
import { IMPUTE_CHOICES, type Impute } from '../data/pipeline.js';
import { flagsOf } from './flags.js';
import { UserError } from '../errors.js';
import { DECIMAL_INT, DECIMAL_NUMBER } from '../decimal.js';
import { parseWeightColumn } from './weight-args.js';

// commands.ts and the tests take train's parser from here with the others.

/** A user error on the command line: printed as one line, exit code 2. */
export class UsageError extends UserError {
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
  /** The target column(s): each value a name, or a comma-separated list (repeat the flag for names with commas). */
  target: string[] | undefined;
  /** Feature columns, given as --target is. */
  features: string[] | undefined;
  /** How the table is read, typed and encoded. */
  table: TableOptions;
  task: Task | undefined;
  validation: number | undefined;
  test: string | undefined;
  standardize: boolean | undefined;
}

export interface EvalArgs extends RunArgs {
  model: string;
  data: string | undefined;
  target: string[] | undefined;
  read: ReadArgs;
}

export interface PredictArgs extends RunArgs {
  model: string;
  input: string;
  /** Text output: the K most probable classes per row. */
  top: number;
  read: ReadArgs;
}

/** How a CSV file is read (a model's rows: its missing spellings come from the model). */
export interface ReadArgs {
  delimiter?: string;
  decimal?: '.' | ',';
}

export interface InspectArgs {
  file: string;
  target: string[] | undefined;
  features: string[] | undefined;
  task: Task | undefined;
  table: TableOptions;
  json: boolean;
  help: boolean;
}

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

/** A command's flags as parsed: each given at most once (a repeated flag is refused, not last-wins). */
export interface Flags {
  /** A value flag's value, a switch's presence (true), a repeatable flag's values, or undefined when not given. */
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Parses argv with the flags the table (flags.ts) gives `command`; UsageError naming the flag. */
export function parseFlags(command: string, argv: readonly string[], positionals = false): Flags {
  const options = Object.fromEntries(
    flagsOf(command).map((f) => [f.name, { type: f.value ? 'string' : 'boolean', multiple: true, ...(f.short ? { short: f.short } : {}) }]),
  ) as Record<string, { type: 'string' | 'boolean'; multiple: true; short?: string }>;
  let parsed;
  try {
    parsed = parseArgs({ options, args: joinNegativeValues(argv), strict: true, allowPositionals: positionals });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]}; see native-mlp ${command} --help`);
  }
  const values: Flags['values'] = {};
  const repeatable = new Set(
    flagsOf(command)
      .filter((f) => f.repeat)
      .map((f) => f.name),
  );
  for (const [name, list] of Object.entries(parsed.values as Record<string, (string | boolean)[]>)) {
    if (repeatable.has(name)) {
      values[name] = list as string[];
      continue;
    }
    if (list.length > 1) throw new UsageError(`--${name} is given ${list.length} times; give it once`);
    // Library callers can pass argv arrays holding NUL (a real command line cannot): one clear line.
    if (typeof list[0] === 'string' && list[0].includes('\0')) throw new UsageError(`--${name} holds a NUL byte; pass a value without one`);
    values[name] = list[0];
  }
  return { values, positionals: parsed.positionals };
}

/** The string value of a value flag (switches are read with `=== true`). */
export function str(flags: Flags, name: string): string | undefined {
  const v = flags.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** The values of a repeatable flag, in the order given (empty when absent). */
export function list(flags: Flags, name: string): string[] {
  const v = flags.values[name];
  return Array.isArray(v) ? v : [];
}

export function int(flag: string, v: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!DECIMAL_INT.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max} in decimal digits, got "${v}"`);
  }
  return n;
}

export function choice<T extends string>(flag: string, v: string | undefined, fallback: T, choices: readonly T[]): T {
  if (v === undefined) return fallback;
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, got "${v}"`);
  return v as T;
}

export function required(flag: string, v: string | undefined, help: boolean): string {
  if (v === undefined && !help) throw new UsageError(`--${flag} is required; see native-mlp --help`);
  return v ?? '';
}

export function runArgs(flags: Flags): RunArgs {
  const backend = str(flags, 'backend');
  const threads = str(flags, 'threads');
  if (backend !== undefined && !isBackendChoice(backend)) {
    throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got "${backend}"`);
  }
  return {
    backend: backend ?? defaultBackendChoice(),
    threads: threads === undefined ? undefined : int('threads', threads, 0, 1, MAX_THREADS),
    json: flags.values.json === true,
    help: flags.values.help === true,
  };
}

function fraction(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!DECIMAL_NUMBER.test(v) || !(n > 0 && n < 1))
    throw new UsageError(`--${flag} must be a fraction between 0 and 1 (e.g. 0.2), got "${v}"`);
  return n;
}

function readArgs(flags: Flags): ReadArgs {
  const d = str(flags, 'delimiter');
  const delimiter = d === undefined ? undefined : d === 'tab' || d === '\\t' ? '\t' : d;
  if (delimiter !== undefined && (delimiter.length !== 1 || /[\r\n"]/.test(delimiter))) {
    throw new UsageError(`--delimiter must be one character (e.g. ";", "|" or tab), got ${JSON.stringify(d)}`);
  }
  const decimal = str(flags, 'decimal');
  if (decimal !== undefined && decimal !== '.' && decimal !== ',')
    throw new UsageError(`--decimal must be "." or ",", got ${JSON.stringify(decimal)}`);
  return { ...(delimiter !== undefined ? { delimiter } : {}), ...(decimal !== undefined ? { decimal } : {}) };
}

/** Column names as given: each value whole (a name with commas) or a comma list; none empty. */
function names(flags: Flags, flag: string): string[] | undefined {
  const given = list(flags, flag);
  if (given.length === 0) return undefined;
  for (const g of given) {
    if (g.trim() === '' || g.split(',').some((p) => p.trim() === '')) {
      throw new UsageError(`--${flag} must be column names separated by commas (or the flag repeated), got "${g}"`);
    }
  }
  return given;
}

function tableArgs(flags: Flags): TableOptions {
  const t: TableOptions = { ...readArgs(flags) };
  for (const k of ['ignore', 'categorical', 'numeric', 'date'] as const) {
    const v = names(flags, k);
    if (v) t[k] = v;
  }
  const na = list(flags, 'na');
  if (na.length) t.na = na.flatMap((v) => v.split(',').map((x) => x.trim()));
  const impute = str(flags, 'impute');
  if (impute !== undefined) t.impute = choice('impute', impute, 'median', IMPUTE_CHOICES) as Impute;
  const max = str(flags, 'max-categories');
  if (max !== undefined) t.maxCategories = int('max-categories', max, 50, 1, 100000);
  const weight = parseWeightColumn(str(flags, 'weight-column'));
  if (weight !== undefined) t.weightColumn = weight;
  return t;
}

function taskArg(flags: Flags): Task | undefined {
  const task = str(flags, 'task');
  if (task === 'multilabel') {
    throw new UsageError(
      '--task multilabel is not supported: train one model per label (--target LABEL), or fit the 0/1 label columns as multi-output regression (--task regress --target a,b,c)',
    );
  }
  if (task !== undefined && !TASKS.includes(task as Task)) throw new UsageError(`--task must be one of ${TASKS.join(', ')}, got "${task}"`);
  return task as Task | undefined;
}

export function dataArgs(flags: Flags): DataArgs {
  const on = flags.values.standardize === true;
  const off = flags.values['no-standardize'] === true;
  if (on && off) throw new UsageError('--standardize and --no-standardize contradict each other; pass one');
  return {
    target: names(flags, 'target'),
    features: names(flags, 'features'),
    table: tableArgs(flags),
    task: taskArg(flags),
    // 0: no validation split (tables then stop on the training loss).
    validation: str(flags, 'validation') === '0' ? 0 : fraction('validation', str(flags, 'validation')),
    test: str(flags, 'test'),
    standardize: off ? false : on || undefined,
  };
}

/** `inspect FILE.csv [--target C] [--json]` and the table flags. */
export function parseInspectArgs(argv: string[]): InspectArgs {
  const flags = parseFlags('inspect', argv, true);
  const help = flags.values.help === true;
  if (!help && flags.positionals.length !== 1)
    throw new UsageError(`inspect takes one CSV file, got ${flags.positionals.length}; see native-mlp inspect --help`);
  return {
    file: flags.positionals[0] ?? '',
    target: names(flags, 'target'),
    features: names(flags, 'features'),
    task: taskArg(flags),
    table: tableArgs(flags),
    json: flags.values.json === true,
    help,
  };
}

export function parseEvalArgs(argv: string[]): EvalArgs {
  const flags = parseFlags('eval', argv);
  const run = runArgs(flags);
  return {
    ...run,
    model: required('model', str(flags, 'model'), run.help),
    data: str(flags, 'data'),
    target: names(flags, 'target'),
    read: readArgs(flags),
  };
}

export function parsePredictArgs(argv: string[]): PredictArgs {
  const flags = parseFlags('predict', argv);
  const run = runArgs(flags);
  return {
    ...run,
    model: required('model', str(flags, 'model'), run.help),
    input: required('input', str(flags, 'input'), run.help),
    top: int('top', str(flags, 'top'), 1, 1, 100000),
    read: readArgs(flags),
  };
}

export function parseInfoArgs(argv: string[]): RunArgs {
  return runArgs(parseFlags('info', argv));
}

export function parseBenchArgs(argv: string[]): { json: boolean; numpy: boolean; help: boolean; report: string | undefined } {
  const flags = parseFlags('bench', argv);
  const on = (name: string) => flags.values[name] === true;
  return { json: on('json'), numpy: !on('no-numpy'), help: on('help'), report: str(flags, 'report') };
}

/**
 * `report LOG... -o FILE.html [--metric NAME]`: one saved train --json log (or bench --json output)
 * to its report; several logs or a sweep's runs.jsonl to a comparison of their runs.
 */
export function parseReportArgs(argv: string[]): { logs: string[]; output: string; metric: string | undefined; help: boolean } {
  const flags = parseFlags('report', argv, true);
  const help = flags.values.help === true;
  const { positionals } = flags;
  if (!help && positionals.length === 0) {
    throw new UsageError(
      "report takes one or more log files (train --json output, a sweep's runs.jsonl, or bench --json output); see native-mlp --help",
    );
  }
  if (!help && positionals.length > 1000) throw new UsageError(`report compares at most 1000 logs, got ${positionals.length}`);
  return { logs: positionals, output: required('output', str(flags, 'output'), help), metric: str(flags, 'metric'), help };
}
