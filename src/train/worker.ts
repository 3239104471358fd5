/**
 * Training off the event loop: the same train() run in a worker thread, streaming the same
 * events, returning the trained network. Parameters come back on shared memory (no copy).
 */
import type { Activation } from '../backend/activation.js';
import { Worker } from 'node:worker_threads';
import type { BackendChoice } from '../backend/select.js';
import type { DataSet } from '../data/mnist.js';
import { Mlp } from '../nn/mlp.js';
import { BackendError } from '../backend/select.js';
import { MemoryBudgetError } from '../budget.js';
import { DataError, UserError } from '../errors.js';
import { ModelFileError } from '../model/errors.js';
import type {
  BatchProgress,
  EpochEvent,
  ResolvedConfig,
  StopEvent,
  TestEvent,
  TrainConfig,
  TrainEvent,
  TrainOptions,
  TrainResult,
} from './train.js';
import { NonFiniteLossError, NonFiniteWeightsError, TrainSetupError } from './events.js';
import type { Checkpoint } from './checkpoint.js';

/** train()'s options that cross the thread boundary as they are (plain data). */
type PlainTrainOptions = Pick<TrainOptions, 'input' | 'preset' | 'netOrigin' | 'warmStart' | 'source'>;

export interface WorkerTrainOptions extends PlainTrainOptions {
  /** Events as train() emits them; return false to stop the run (within one batch). */
  onEvent?: (e: TrainEvent) => unknown;
  onBatch?: (p: BatchProgress) => unknown;
  /** Stops the run within one batch; the result then holds the model as of the last step. */
  signal?: AbortSignal;
  /** Backend choice inside the worker (default: NATIVE_MLP_BACKEND or auto). */
  backend?: BackendChoice;
  /** Native kernel threads inside the worker. */
  threads?: number;
  /** A folder of IDX files, or a loaded data set (copied to the worker unless its arrays are shared). Default: MNIST. */
  data?: string | DataSet;
  /** Continue training this network; its parameters are shared with the worker, not copied. */
  net?: Mlp;
  /** As train's options: a checkpoint file written after every epoch (and on abort), one to resume. */
  checkpoint?: string;
  resume?: string | Checkpoint;
}

/** What the worker is sent. */
export interface WorkerRequest extends PlainTrainOptions {
  config: Partial<TrainConfig>;
  backend?: BackendChoice;
  threads?: number;
  data?: string | DataSet;
  net?: { sizes: number[]; params: Float32Array; activations: Activation[] };
  checkpoint?: string;
  resume?: string | Checkpoint;
  /** Int32Array on shared memory: [0] becomes 1 to ask the worker to stop. */
  stop: Int32Array;
}

/** What the worker sends back. */
export type WorkerMessage =
  | { type: 'event'; event: TrainEvent }
  | { type: 'batch'; progress: BatchProgress }
  | {
      type: 'done';
      sizes: number[];
      params: Float32Array;
      activations: Activation[];
      epochs: EpochEvent[];
      stop?: StopEvent;
      test?: TestEvent;
      aborted: boolean;
      config: ResolvedConfig;
    }
  | { type: 'error'; name: string; message: string };

/** The compiled worker script (tests run this file from src/, the worker always runs from dist/). */
function workerScript(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../dist/train/worker-main.js', here) : new URL('./worker-main.js', here);
}

/**
 * The error classes that cross the thread boundary as themselves, by name: a caller's
 * `instanceof DataError` works the same for train() and trainInWorker().
 */
const ERROR_CLASSES: Record<string, new (message: string) => Error> = {
  DataError,
  ModelFileError,
  BackendError,
  MemoryBudgetError,
  TrainSetupError,
  RangeError,
  TypeError,
};

/** User errors whose constructors take other arguments than a message: revived by prototype. */
const USER_ERROR_CLASSES: Record<string, { prototype: Error }> = { NonFiniteLossError, NonFiniteWeightsError, UserError };

/** Re-creates an error sent across the thread boundary with its class (or at least its name) kept. */
function revive(name: string, message: string): Error {
  if (Object.hasOwn(USER_ERROR_CLASSES, name)) {
    const e = new UserError(message);
    Object.setPrototypeOf(e, USER_ERROR_CLASSES[name].prototype);
    e.name = name;
    return e;
  }
  const Class = Object.hasOwn(ERROR_CLASSES, name) ? ERROR_CLASSES[name] : Error;
  const e = new Class(message);
  if (e.name !== name) e.name = name;
  return e;
}

export function trainInWorker(config: Partial<TrainConfig> = {}, options: WorkerTrainOptions = {}): Promise<TrainResult> {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const request: WorkerRequest = {
    config,
    backend: options.backend,
    threads: options.threads,
    data: options.data,
    stop,
    checkpoint: options.checkpoint,
    resume: options.resume,
    input: options.input,
    preset: options.preset,
    netOrigin: options.netOrigin,
    warmStart: options.warmStart,
    source: options.source,
    net: options.net && { sizes: [...options.net.sizes], params: options.net.params, activations: [...options.net.activations] },
  };
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerScript(), { workerData: request });
    let settled = false;
    const onAbort = () => Atomics.store(stop, 0, 1);
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    worker.on('message', (m: WorkerMessage) => {
      // A callback returning false stops the worker within one batch, as the signal does.
      if (m.type === 'event') {
        if (options.onEvent?.(m.event) === false) onAbort();
      } else if (m.type === 'batch') {
        if (options.onBatch?.(m.progress) === false) onAbort();
      } else if (m.type === 'error') finish(() => reject(revive(m.name, m.message)));
      else {
        finish(() =>
          resolve({
            net: new Mlp(m.sizes, m.params, undefined, m.activations),
            epochs: m.epochs,
            stop: m.stop,
            test: m.test,
            aborted: m.aborted,
            config: m.config,
          }),
        );
      }
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`training worker exited with code ${code} before finishing`))));
  });
}
