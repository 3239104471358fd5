/**
 * POST /train: retraining that cannot destroy a model.
 * - Data and settings: only what the model file records (source.ts): its data file and options,
 *   its training settings; the architecture (layer sizes, activation) is the served model's.
 *   Only `epochs` may be changed by the request.
 * - Off the event loop: fit() runs in a worker thread (retrain-worker.ts); /predict keeps
 *   answering with the model in memory until a swap replaces it (one assignment, between requests).
 * - The new model is swapped in only when its held-out score (test accuracy, or test RMSE for
 *   regression, on the recorded split of the recorded data) is not worse than the score the
 *   served model records, or when the request says `force`; never when its layer sizes differ.
 * - Before the file is replaced, the previous one is kept as a versioned copy beside it
 *   (m.safetensors -> m.v1.safetensors, m.v2 ...); the new file is written atomically.
 * GET /train reports the state, both scores and what was done.
 */
import { constants, copyFileSync, existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Backend } from '../backend/contract.js';
import { decodeModel, writeFileAtomic } from '../model/index.js';
import { HttpError } from './guards.js';
import type { ServerMetrics } from './metrics.js';
import type { ServedModel } from './predict.js';
import type { RetrainMessage, RetrainRequest } from './retrain-worker.js';
import { readSource, sourceMetadata } from './source.js';

export interface RetrainState {
  status: 'idle' | 'training' | 'done' | 'failed';
  started?: string;
  finished?: string;
  epoch?: number;
  epochs?: number;
  /** testAccuracy (higher is better) or testRmse (lower is better). */
  metric?: string;
  previous?: number | null;
  new?: number | null;
  forced?: boolean;
  swapped?: boolean;
  /** Why the new model was or was not swapped in. */
  reason?: string;
  /** The previous file's versioned copy, after a swap. */
  previousFile?: string;
  error?: string;
}

/** The compiled worker (tests run from src/, workers always run from dist/). */
function workerScript(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../dist/serve/retrain-worker.js', here) : new URL('./retrain-worker.js', here);
}

/** m.safetensors -> m.v1.safetensors, or the first m.vN.safetensors that does not exist. */
export function versionedPath(file: string): string {
  const ext = extname(file);
  const stem = join(dirname(file), basename(file, ext));
  for (let n = 1; ; n++) {
    const candidate = `${stem}.v${n}${ext}`;
    if (!existsSync(candidate)) return candidate;
  }
}

export class Retrainer {
  private state: RetrainState = { status: 'idle' };
  private worker: Worker | undefined;
  private stopFlag: Int32Array | undefined;

  constructor(
    private readonly file: string,
    private readonly served: { current: ServedModel },
    private readonly backend: Backend,
    private readonly metrics: ServerMetrics,
    private readonly log: (line: string) => void,
  ) {}

  status(): RetrainState {
    return this.state;
  }

  start(body: { epochs?: number; force?: boolean }): RetrainState {
    if (this.state.status === 'training') throw new HttpError(409, 'a retraining is already running; GET /train shows its progress');
    const model = this.served.current;
    const recorded = readSource(model.metadata);
    if (typeof recorded === 'string') throw new HttpError(409, `cannot retrain: ${recorded}`);
    const { source, config } = recorded;
    const epochs = body.epochs ?? (typeof config.epochs === 'number' ? config.epochs : undefined);
    const hidden = model.net.sizes.slice(1, -1);
    const settings = { ...config, hidden, ...(epochs === undefined ? {} : { epochs }) };
    const activation = model.metadata.activation;
    const options = { ...settings, ...source.options, ...(activation && activation !== 'relu' ? { activation } : {}) };
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const request: RetrainRequest = {
      data: source.data,
      options,
      stop,
      backend: this.backend.name,
      metadata: {
        ...sourceMetadata(source.data, source.options, settings),
        ...(epochs === undefined ? {} : { epochs: String(epochs) }),
        ...(config.seed === undefined ? {} : { seed: String(config.seed) }),
      },
    };
    const run: RetrainState = { status: 'training', started: new Date().toISOString(), epochs, forced: body.force ?? false };
    this.state = run;
    this.stopFlag = stop;
    const worker = new Worker(workerScript(), { workerData: request });
    this.worker = worker;
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      Object.assign(run, { status: 'failed', error: message, finished: new Date().toISOString() });
      this.metrics.retrained('failed');
      this.log(`retraining failed, the previous model keeps serving: ${message}`);
    };
    worker.on('message', (m: RetrainMessage) => {
      if (m.type === 'epoch') run.epoch = m.epoch;
      else if (m.type === 'error') fail(`${m.name}: ${m.message}`);
      else {
        settled = true;
        try {
          this.finish(run, model, m.bytes, m.sizes, m.score);
        } catch (e) {
          settled = false;
          fail((e as Error).message);
        }
      }
    });
    worker.on('error', (e) => fail(e.message));
    worker.on('exit', (code) => {
      this.worker = undefined;
      if (!settled) fail(`the training worker exited with code ${code} before finishing`);
    });
    return run;
  }

  /** Compares, and swaps the new model in when it is not worse (or forced). */
  private finish(
    run: RetrainState,
    previous: ServedModel,
    bytes: Uint8Array,
    sizes: number[],
    score: { metric: string; value: number } | null,
  ): void {
    const prevScore = score ? Number(previous.metadata[score.metric]) : NaN;
    run.metric = score?.metric;
    run.previous = Number.isFinite(prevScore) ? prevScore : null;
    run.new = score?.value ?? null;
    const done = (swapped: boolean, reason: string) => {
      Object.assign(run, { status: 'done', swapped, reason, finished: new Date().toISOString() });
      this.metrics.retrained(swapped ? 'swapped' : 'kept');
      this.log(`retraining done: ${reason}`);
    };
    if (sizes.join(',') !== previous.net.sizes.join(',')) {
      return done(
        false,
        `not swapped: the new model's layers ${sizes.join('-')} differ from the served ${previous.net.sizes.join('-')} (the data's encoding changed); retraining never changes the architecture`,
      );
    }
    const lowerIsBetter = score?.metric === 'testRmse';
    const notWorse = score !== null && run.previous !== null && (lowerIsBetter ? score.value <= run.previous : score.value >= run.previous);
    if (!notWorse && !run.forced) {
      const why =
        score === null
          ? 'the new run measured no held-out score'
          : run.previous === null
            ? `the served model records no ${score.metric} to compare with (force to swap anyway)`
            : `${score.metric} ${score.value} is worse than the served model's ${run.previous}`;
      return done(false, `not swapped: ${why}; the previous model keeps serving`);
    }
    const model = decodeModel(bytes, this.file);
    const copy = versionedPath(this.file);
    copyFileSync(this.file, copy, constants.COPYFILE_EXCL);
    writeFileAtomic(this.file, bytes);
    this.served.current = { ...model, file: this.file, version: previous.version + 1 };
    run.previousFile = copy;
    done(true, `swapped in (${notWorse ? 'not worse' : 'forced'}); the previous model is kept as ${copy}`);
  }

  /** Stops a running retraining (the server is closing) and waits for the worker to end. */
  async stop(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    if (this.stopFlag) Atomics.store(this.stopFlag, 0, 1);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void w.terminate().then(() => resolve()), 10_000);
      w.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
