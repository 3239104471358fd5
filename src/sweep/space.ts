/**
 * Search spaces: `--param lr=0.001,0.01` (a list), `--param lr=1e-4..1e-1:log` (a range, random
 * search only), expanded into one settings object per run: the grid's cartesian product in the
 * order the params were given (the last varies fastest, as scikit-learn's ParameterGrid), or
 * `trials` seeded draws. Names are the train flags' (weight-decay) or the config keys (weightDecay).
 */
import { defaultRng } from '../rng/index.js';
import { resolveConfig, TABLE_CONFIG, TABLE_MAX_BATCH, type TrainConfig } from '../train/config.js';
import { SweepError } from './errors.js';

export type SettingValue = number | string | boolean | number[];
/** One run's settings: config key -> value (only the swept and fixed ones). */
export type Settings = Record<string, SettingValue>;

export type Param =
  | { key: string; kind: 'list'; values: SettingValue[] }
  | { key: string; kind: 'range'; low: number; high: number; log: boolean; integer: boolean };

/** Default ceiling on the number of runs a sweep expands to. */
export const DEFAULT_MAX_RUNS = 1000;

/** Settings whose values are whole numbers (a range over them draws integers). */
const INTEGER_KEYS = new Set(['epochs', 'batch', 'hidden', 'seed', 'warmup', 'stepEvery', 'plateauPatience', 'earlyStopping']);

/** Every train setting by config key, with its default (the defaults say each one's type). */
export function knownSettings(): Record<string, unknown> {
  const { evalImages: _, ...known } = resolveConfig(runConfig({}));
  return known;
}

/** weight-decay -> weightDecay; config keys pass through. */
function configKey(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function numberOf(key: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new SweepError(`--param ${key}: "${text}" is not a number`);
  if (INTEGER_KEYS.has(key) && !Number.isInteger(n)) throw new SweepError(`--param ${key}: "${text}" is not a whole number`);
  return n;
}

/** One value of `key` from text, typed by the setting's default. */
function valueOf(key: string, text: string, fallback: unknown): SettingValue {
  if (Array.isArray(fallback)) {
    // Layer sizes: 64 or 64-32 (a comma separates values of the list).
    const sizes = text.split('-').map((p) => numberOf(key, p));
    if (sizes.some((s) => s < 1)) throw new SweepError(`--param ${key}: "${text}" must be layer sizes >= 1 (e.g. 64 or 64-32)`);
    return sizes;
  }
  if (typeof fallback === 'number') return numberOf(key, text);
  if (typeof fallback === 'boolean') {
    if (text !== 'true' && text !== 'false') throw new SweepError(`--param ${key}: "${text}" must be true or false`);
    return text === 'true';
  }
  if (text === '') throw new SweepError(`--param ${key}: an empty value`);
  return text;
}

/** Parses `name=v1,v2,...` or `name=low..high[:log]`; unknown names are refused with the known ones. */
export function parseParam(spec: string): Param {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new SweepError(`--param "${spec}": expected NAME=VALUES (e.g. lr=0.001,0.01 or lr=1e-4..1e-1:log)`);
  const name = spec.slice(0, eq).trim();
  const body = spec.slice(eq + 1).trim();
  const key = configKey(name);
  const known = knownSettings();
  if (!Object.hasOwn(known, key)) {
    const flags = Object.keys(known).map((k) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
    throw new SweepError(`--param ${name}: unknown setting; known: ${flags.join(', ')}`);
  }
  if (body === '') throw new SweepError(`--param ${name}: no values (e.g. ${name}=${JSON.stringify(known[key]).replace(/[[\]"]/g, '')})`);
  const range = /^([^,]*)\.\.([^,:]*)(?::(log))?$/.exec(body);
  if (range) {
    if (typeof known[key] !== 'number' && !Array.isArray(known[key]))
      throw new SweepError(`--param ${name}: a range needs a numeric setting`);
    const low = numberOf(key, range[1]);
    const high = numberOf(key, range[2]);
    const log = range[3] === 'log';
    if (!(low < high)) throw new SweepError(`--param ${name}=${body}: an empty range (low must be below high)`);
    if (log && low <= 0) throw new SweepError(`--param ${name}=${body}: a :log range must be above 0`);
    return { key, kind: 'range', low, high, log, integer: INTEGER_KEYS.has(key) };
  }
  const values = body.split(',').map((t) => valueOf(key, t.trim(), known[key]));
  const seen = new Set<string>();
  for (const v of values) {
    const id = JSON.stringify(v);
    if (seen.has(id)) throw new SweepError(`--param ${name}: ${id} is listed twice`);
    seen.add(id);
  }
  return { key, kind: 'list', values };
}

/** Refuses two params for one setting. */
function checkDistinct(params: readonly Param[]): void {
  const keys = new Set<string>();
  for (const p of params) {
    if (keys.has(p.key)) throw new SweepError(`--param ${p.key} is given twice; list all its values in one --param`);
    keys.add(p.key);
  }
}

/** The grid's runs: the cartesian product of the lists. */
export function gridSettings(params: readonly Param[], maxRuns = DEFAULT_MAX_RUNS): Settings[] {
  checkDistinct(params);
  const ranged = params.find((p) => p.kind === 'range');
  if (ranged) throw new SweepError(`--param ${ranged.key} is a range: ranges need random search (--trials N)`);
  const lists = params as Extract<Param, { kind: 'list' }>[];
  const total = lists.reduce((n, p) => n * p.values.length, 1);
  if (total > maxRuns) {
    throw new SweepError(
      `the grid has ${total} runs, over --max-runs ${maxRuns}; use fewer values, random search (--trials N) or a higher --max-runs`,
    );
  }
  const out: Settings[] = [];
  for (let i = 0; i < total; i++) {
    const s: Settings = {};
    let rest = i;
    for (let j = lists.length - 1; j >= 0; j--) {
      const p = lists[j];
      s[p.key] = p.values[rest % p.values.length];
      rest = Math.floor(rest / p.values.length);
    }
    out.push(Object.fromEntries(lists.map((p) => [p.key, s[p.key]])));
  }
  return out;
}

/** `trials` random draws (seeded): a list gives one of its values, a range a uniform or log-uniform value. */
export function randomSettings(params: readonly Param[], trials: number, seed: number, maxRuns = DEFAULT_MAX_RUNS): Settings[] {
  checkDistinct(params);
  if (!Number.isInteger(trials) || trials < 1) throw new SweepError(`--trials must be an integer >= 1, got ${trials}`);
  if (trials > maxRuns) throw new SweepError(`--trials ${trials} is over --max-runs ${maxRuns}; use fewer trials or a higher --max-runs`);
  const rng = defaultRng(seed);
  const out: Settings[] = [];
  for (let t = 0; t < trials; t++) {
    const s: Settings = {};
    for (const p of params) {
      const u = rng.nextDouble();
      if (p.kind === 'list') {
        s[p.key] = p.values[Math.min(p.values.length - 1, Math.floor(u * p.values.length))];
        continue;
      }
      let v = p.log ? Math.exp(Math.log(p.low) + u * (Math.log(p.high) - Math.log(p.low))) : p.low + u * (p.high - p.low);
      if (p.integer) v = Math.min(p.high, Math.max(p.low, Math.round(v)));
      else v = Number(v.toPrecision(6)); // readable settings; the run uses exactly what is recorded
      s[p.key] = p.key === 'hidden' ? [v] : v;
    }
    out.push(s);
  }
  return out;
}

/**
 * A run's settings over the defaults `native-mlp train` gives a table (a sweep's data is one), the
 * batch at its largest: what its settings are checked and its size estimated with. The run itself
 * gets only its settings, and fit() fills in the same defaults against the rows it trains on.
 */
export function runConfig(settings: Settings): TrainConfig {
  return { ...TABLE_CONFIG, batch: TABLE_MAX_BATCH, ...settings } as TrainConfig;
}
