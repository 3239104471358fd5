/**
 * The sweep's folder: sweep.json (what the sweep is: data and its SHA-256, settings of every run,
 * the metric), runs.jsonl (one line per finished run, appended as each ends, so an interrupted
 * sweep keeps them), models/, checkpoints/, best.safetensors, report.html, and sweep.lock, which
 * keeps a second sweep out while one writes.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { TableOptions } from '../data/from-csv.js';
import { writeFileAtomic } from '../model/index.js';
import { SweepError } from './errors.js';
import type { RunLine } from './results.js';
import type { Settings } from './space.js';
import { showValue } from '../show-value.js';

export const SWEEP_FORMAT = 'native-mlp-sweep';
/**
 * 2: a run's unswept settings are the table defaults `train` uses. Version 1's runs filled them
 * with the notebook's epochs, batch, lr and hidden, so its runs cannot be continued alike.
 */
export const SWEEP_VERSION = 2;

/** How to read the data, as every worker must read it. */
export interface DataSpec {
  /** An absolute path (on storage every worker sees) or an http(s) URL. */
  location: string;
  sha256: string;
  target?: string | string[];
  features?: string[];
  /** How the table is read, typed and encoded (the pipeline's options). */
  table?: TableOptions;
  task?: 'classify' | 'regress';
  testFile?: string;
  testFraction?: number;
}

export interface SweepPlan {
  format: typeof SWEEP_FORMAT;
  version: typeof SWEEP_VERSION;
  /** Names this sweep's queue jobs (unique per sweep). */
  id: string;
  data: DataSpec;
  metric: string;
  folds?: number;
  /** Validation fraction without folds. */
  validation?: number;
  standardize?: boolean;
  settings: Settings[];
}

export class RunDir {
  readonly dir: string;
  private locked = false;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  get planFile() {
    return this.path('sweep.json');
  }
  get runsFile() {
    return this.path('runs.jsonl');
  }
  get lockFile() {
    return this.path('sweep.lock');
  }

  /** Takes the folder for this process, or says who holds it. A lock left by a dead process on this host is taken over. */
  lock(): void {
    mkdirSync(this.dir, { recursive: true });
    mkdirSync(this.path('models'), { recursive: true });
    mkdirSync(this.path('checkpoints'), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.lockFile, 'wx');
        writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname() }) + '\n');
        closeSync(fd);
        this.locked = true;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
          throw new SweepError(`${this.lockFile}: cannot create the lock: ${(e as Error).message}`);
      }
      let holder: { pid?: number; host?: string } = {};
      try {
        holder = JSON.parse(readFileSync(this.lockFile, 'utf8')) as typeof holder;
      } catch {
        // a lock being written right now, or garbage: treated as held
      }
      if (holder.host === hostname() && typeof holder.pid === 'number' && !alive(holder.pid)) {
        rmSync(this.lockFile, { force: true });
        continue;
      }
      throw new SweepError(
        `${this.dir} is in use by another sweep (pid ${holder.pid ?? '?'} on ${holder.host ?? '?'}, ${this.lockFile}); wait for it, use another --out, or remove the lock if no sweep runs`,
      );
    }
    throw new SweepError(`${this.lockFile}: could not take the lock; try again`);
  }

  unlock(): void {
    if (this.locked) rmSync(this.lockFile, { force: true });
    this.locked = false;
  }

  hasPlan(): boolean {
    return existsSync(this.planFile);
  }

  writePlan(plan: SweepPlan): void {
    writeFileAtomic(this.planFile, new TextEncoder().encode(JSON.stringify(plan, null, 1) + '\n'));
  }

  readPlan(): SweepPlan {
    let plan: SweepPlan;
    try {
      plan = JSON.parse(readFileSync(this.planFile, 'utf8')) as SweepPlan;
    } catch (e) {
      throw new SweepError(
        `${this.planFile}: cannot read the sweep to resume (${(e as Error).message}); is ${this.dir} a sweep's --out folder?`,
      );
    }
    if (plan?.format !== SWEEP_FORMAT || !Array.isArray(plan.settings) || typeof plan.data?.sha256 !== 'string') {
      throw new SweepError(`${this.planFile}: not a native-mlp sweep (format ${JSON.stringify(plan?.format)})`);
    }
    if ((plan.version as number) !== SWEEP_VERSION) {
      throw new SweepError(
        `${this.planFile}: a sweep of format version ${showValue(plan.version)}, written by another native-mlp, whose runs train with other defaults (this one reads version ${SWEEP_VERSION}); start a new sweep with another --out`,
      );
    }
    return plan;
  }

  /** The finished runs so far (a line cut short by a kill is dropped: that run is trained again). */
  readRuns(): RunLine[] {
    if (!existsSync(this.runsFile)) return [];
    const out = new Map<number, RunLine>();
    for (const line of readFileSync(this.runsFile, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as RunLine;
        if (Number.isInteger(r.run)) out.set(r.run, r);
      } catch {
        // the partial last line of an interrupted write
      }
    }
    return [...out.values()].sort((a, b) => a.run - b.run);
  }

  private appending: Promise<void> = Promise.resolve();

  /**
   * Appends a finished run, in order, synced to disk before the promise resolves (a run reported
   * finished stays finished). The sync runs off the main thread, which hands the trainings their runs.
   */
  appendRun(line: RunLine): Promise<void> {
    const text = JSON.stringify(line) + '\n';
    const appended = this.appending.then(async () => {
      const fh = await open(this.runsFile, 'a');
      try {
        await fh.write(text);
        await fh.sync();
      } finally {
        await fh.close();
      }
    });
    this.appending = appended.catch(() => {});
    return appended;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
