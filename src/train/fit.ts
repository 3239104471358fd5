/**
 * The one-call entry: data in (a CSV path, an IDX folder, caller arrays, or a DataSet), options,
 * events out; returns a trained model that carries its data side (task, names, standardisation)
 * so predictRows() and a saved file work from raw rows. The same call trains on the calling
 * thread (default) or in a worker thread (`worker: true`), from fresh weights or from a saved
 * model (`from`, a warm start), and resumes a checkpoint from what it records (`resume`).
 */
import type { Backend } from '../backend/contract.js';
import { type BackendChoice, selectBackend } from '../backend/select.js';
import type { DataSet } from '../data/dataset.js';
import type { TrainedModel } from '../infer/predict.js';
import { Mlp, onBackendMemory } from '../nn/mlp.js';
import { loadCheckpoint } from './checkpoint.js';
import { type DataSource, describeSource, fingerprintFile, type SourceFile } from './data-source.js';
import { type ArrayFitData, type FitData, type FitDataOptions, loadFitData, prepareData } from './fit-data.js';
import { resumeInputs } from './resume-source.js';
import {
  presetFor,
  resolveConfig,
  type ResolvedConfig,
  resolvePreset,
  TABLE_VALIDATION,
  trainAsync,
  type TrainConfig,
  type TrainOptions,
  type TrainResult,
} from './train.js';
import { loadWarmStart, prepareWarmData, warmFile, warmModel, warmSettings } from './warm-start.js';
import { trainInWorker } from './worker.js';

export type { ArrayFitData, FitData, FitDataOptions };

export interface FitOptions
  extends
    Partial<TrainConfig>,
    FitDataOptions,
    Pick<TrainOptions, 'onEvent' | 'onBatch' | 'signal' | 'checkpoint' | 'checkpointSeconds' | 'resume' | 'input'> {
  /** A backend, or a choice ("auto", "native", "js"); default auto. With `worker`, the worker selects the same backend by name, at the same thread count. */
  backend?: Backend | BackendChoice;
  /**
   * Warm start: continue training this model (a file written by saveModel / train --save, or a
   * trained model) on new rows of its schema. Its network, pipeline, class names and scaling are
   * kept (nothing is refitted); hidden, activation and init may not contradict it.
   */
  from?: string | TrainedModel;
  /**
   * Train in a worker thread: the event loop stays free, events and batch progress still reach
   * onEvent / onBatch, and the result is the same full model as on the calling thread (the same
   * weights bit for bit, on the same backend and thread count).
   */
  worker?: boolean;
}

export interface FitResult extends TrainResult {
  model: TrainedModel;
  /** The data as trained on (splits, standardised). */
  data: DataSet;
  /** Every setting the run trained with (the preset's, filled in), as a checkpoint stores it. */
  config: ResolvedConfig;
  /** A warm start's model file (absolute) with its size and SHA-256 (what train --save records as warm_start). */
  warmStart?: SourceFile;
}

/** Trains a model on `data` (which a resumed checkpoint that records its source may leave out); events as train() emits them. */
export async function fit(data: FitData | undefined, options: FitOptions = {}): Promise<FitResult> {
  const be = typeof options.backend === 'object' ? options.backend : selectBackend(options.backend ?? 'auto');
  const resumed = typeof options.resume === 'string' ? loadCheckpoint(options.resume) : options.resume;
  let o: FitOptions = options;
  let from: FitData | undefined = data;
  if (resumed) {
    const r = resumeInputs(
      data,
      options as FitOptions & Record<string, unknown>,
      resumed,
      typeof options.resume === 'string' ? options.resume : 'the checkpoint',
    );
    from = r.data;
    // The checkpoint's settings under the caller's (mismatch() refuses any but epochs that differ).
    o = { ...resumed.config, ...r.options };
    // A warm start draws nothing: its checkpoint's init is the preset's, not a choice to check against the model.
    if (resumed.source?.initFrom && o.init === resumed.config.init) delete o.init;
  }
  if (from === undefined) throw new TypeError('Expected data: a CSV path, an IDX folder, { x, y } arrays or a DataSet');
  const warm = o.from !== undefined ? loadWarmStart(o.from) : undefined;
  const given = warm ? warmSettings(warm, o) : o;
  const { data: loaded, started } = await loadFitData(from, given, warm, !o.worker);
  for (const w of loaded.warnings ?? []) o.onEvent?.({ event: 'warning', code: w.code, message: w.message });
  const preset = presetFor(loaded);
  const seed = given.seed ?? 0;
  let prepared: DataSet;
  if (warm) prepared = prepareWarmData(loaded, warm, given.validation, seed);
  else {
    // Tables hold out TABLE_VALIDATION (none: see config.ts) unless the caller chose a fraction; a
    // CSV table's validation rows were held out before its pipeline was fitted (loadCsvDataSet).
    const validation = o.validation ?? (preset === 'table' && !loaded.validation && o.resume === undefined ? TABLE_VALIDATION : undefined);
    // (A DataSet or arrays passed in are split here, pipeline or not.)
    const heldOut = typeof from === 'string' && loaded.pipeline !== undefined;
    prepared = prepareData(loaded, heldOut ? { ...o, validation: undefined } : { ...o, validation });
  }
  const config = resolvePreset(preset, prepared, given);
  // What a checkpoint records so that a resume needs nothing else (a resumed run keeps its checkpoint's).
  const source: DataSource | undefined =
    typeof from === 'string' && o.checkpoint !== undefined && !resumed?.source
      ? describeSource(from, options as Record<string, unknown>, warmFile(warm))
      : undefined;
  const warmStart = warm?.file !== undefined ? (resumed?.source?.initFrom ?? fingerprintFile(warmFile(warm)!)) : undefined;
  const run: TrainOptions = {
    onEvent: o.onEvent,
    onBatch: o.onBatch,
    signal: o.signal,
    checkpoint: o.checkpoint,
    checkpointSeconds: o.checkpointSeconds,
    resume: options.resume,
    input: o.input,
    preset,
    source,
    ...(warm
      ? { netOrigin: `from ${warm.file ?? 'the given model'}`, ...(warm.file !== undefined ? { warmStart: warm.file } : {}) }
      : { netOrigin: config.init ?? resolveConfig(config).init }),
  };
  // The warm start's network is copied: the caller's model is never trained in place.
  const warmNet =
    warm && new Mlp([...warm.model.net.sizes], Float32Array.from(warm.model.net.params), undefined, [...warm.model.net.activations]);
  const result = o.worker
    ? await trainInWorker(config, {
        ...run,
        data: prepared,
        backend: be.name,
        threads: be.getThreads(),
        net: warmNet,
      })
    : // trainAsync: the event loop gets a turn every few milliseconds, so an AbortSignal (a timeout,
      // the CLI's SIGINT handler) stops the run within a batch. The net drawn while the data loaded
      // is fit's own: trained on a copy in the backend's memory.
      await trainAsync(be, prepared, config, { ...run, net: warmNet ?? (started && onBackendMemory(be, started.net)), rng: started?.rng });
  const model: TrainedModel = warm
    ? warmModel(warm, result.net)
    : {
        net: result.net,
        task: prepared.task,
        featureNames: prepared.featureNames,
        classNames: prepared.classNames,
        preprocessing: prepared.preprocessing,
        pipeline: prepared.pipeline,
      };
  return { ...result, model, data: prepared, config: resolveConfig(config), ...(warmStart ? { warmStart } : {}) };
}
