/**
 * Hostile cases run in a child process with a time limit and an address-space cap, so a hang or
 * a runaway allocation fails the test instead of taking the machine down. The child imports the
 * compiled library (dist/, checked fresh first), runs each case, and prints one JSON line per
 * case (the error's class and message, the milliseconds it took) and its peak RSS at the end.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertFreshDist } from './dist.js';

export const DIST = new URL('../../dist/', import.meta.url).href;
export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** Address space for capped children: room for V8's reservations, far below a runaway read. */
export const CAP_KB = 2_500_000;
/** The done-when bound: every hostile case is refused under this peak RSS. */
export const MAX_RSS_MB = 200;
/**
 * How long one refusal may take before the test calls it a hang. A bound, not a speed target (tests
 * never time): refusals take milliseconds on an idle machine, but a 2-core machine running the
 * whole suite can stall a child for seconds. Inflating a bomb whole would take far longer and fail
 * the memory cap first.
 */
export const HANG_MS = 10_000;

export interface CaseResult {
  name: string;
  /** The thrown error's class name and message, or null when the case returned normally. */
  error: { name: string; message: string; instance: string[] } | null;
  value?: unknown;
  ms: number;
}

export interface CappedRun {
  results: Map<string, CaseResult>;
  maxRssMb: number;
  status: number | null;
  signal: string | null;
  stderr: string;
}

/**
 * Runs `body` (ES module code) in a capped child. The body has `lib` (dist/index.js, the package's
 * API), `internal` (the modules below the API a case calls directly: INTERNALS), `check(name, fn)`
 * (records what fn throws or returns; fn may be async) and must await its checks.
 */
/** The internals hostile cases call, by the dist/ module that holds them (none is exported by the package). */
const INTERNALS: Record<string, readonly string[]> = {
  'model/index.js': ['checkOutputs', 'checkSaveTarget', 'writeFileAtomic'],
  'nn/mlp.js': ['Mlp', 'Workspace'],
  'backend/js/index.js': ['jsBackend'],
  'data/idx.js': ['readIdx'],
  'train/config.js': ['checkConfig'],
};

/** ES module code defining `async function internals()`, which imports INTERNALS from dist/. */
export function internalsSource(): string {
  const imports = Object.entries(INTERNALS).map(
    ([file, names]) => `Object.assign(out, pick(await import(${JSON.stringify(DIST + file)}), ${JSON.stringify(names)}));`,
  );
  return `async function internals() {
      const pick = (m, names) => Object.fromEntries(names.map((n) => [n, m[n]]));
      const out = {};
      ${imports.join('\n      ')}
      return out;
    }`;
}

export function runCapped(body: string, opts: { timeoutMs?: number; env?: Record<string, string>; cwd?: string } = {}): CappedRun {
  assertFreshDist();
  const script = `
    const lib = await import(${JSON.stringify(DIST + 'index.js')});
    const internal = await internals();
    const classes = { DataError: lib.DataError, ModelFileError: lib.ModelFileError, UserError: lib.UserError, RangeError, TypeError };
    ${internalsSource()}
    async function check(name, fn) {
      const t0 = performance.now();
      let error = null, value;
      try { value = await fn(); } catch (e) {
        error = { name: e?.name, message: String(e?.message), instance: Object.keys(classes).filter((k) => e instanceof classes[k]) };
      }
      process.stdout.write(JSON.stringify({ name, error, value, ms: performance.now() - t0 }) + '\\n');
    }
    ${body}
    process.stdout.write(JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\\n');
  `;
  // A file, not -e: workers inherit execArgv, and --input-type would stop them from starting.
  const file = join(mkdtempSync(join(tmpdir(), 'native-mlp-capped-')), 'case.mjs');
  writeFileSync(file, script);
  const r = spawnSync('/bin/sh', ['-c', `ulimit -v ${CAP_KB}; exec "$0" "$1"`, process.execPath, file], {
    timeout: opts.timeoutMs ?? 30_000,
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
    cwd: opts.cwd,
    maxBuffer: 16 << 20,
  });
  const results = new Map<string, CaseResult>();
  let maxRssMb = Infinity;
  for (const line of (r.stdout ?? '').split('\n')) {
    if (!line.startsWith('{')) continue;
    const o = JSON.parse(line) as CaseResult & { maxRssMb?: number };
    if (o.maxRssMb !== undefined) maxRssMb = o.maxRssMb;
    else results.set(o.name, o);
  }
  return { results, maxRssMb, status: r.status, signal: r.signal, stderr: r.stderr ?? '' };
}

/** Runs the CLI in a capped child: exit code, stdout, stderr, and whether it hit the time limit. */
export function runCli(args: string[], opts: { timeoutMs?: number; env?: Record<string, string>; input?: string } = {}) {
  assertFreshDist();
  const r = spawnSync('/bin/sh', ['-c', `ulimit -v ${CAP_KB}; exec "$0" "$@"`, process.execPath, CLI, ...args], {
    timeout: opts.timeoutMs ?? 20_000,
    encoding: 'utf8',
    env: { ...process.env, NATIVE_MLP_BACKEND: 'js', ...opts.env },
    input: opts.input,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
