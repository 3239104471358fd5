/**
 * The one-call entry: data in (a CSV path, an IDX folder, caller arrays, or a DataSet), options,
 * events out; returns a trained model that carries its data side (task, names, standardisation)
 * so predictRows() and a saved file work from raw rows.
 */
import type { Backend } from '../backend/contract.js';
import { type BackendChoice, selectBackend } from '../backend/select.js';
import { type ArraySplit, dataSetFromSplits, type InputArray } from '../data/arrays.js';
import { type DataSet, DataError, DEFAULT_CLASSES, type Task } from '../data/dataset.js';
import { loadCsvDataSet, type TableOptions } from '../data/from-csv.js';
import { pathKind } from '../data/source.js';
import { loadDataSetAsync, peekFeatures } from '../data/mnist.js';
import { withValidation } from '../data/split.js';
import { standardize } from '../data/standardize.js';
import { checkMemory, trainingBytes } from '../budget.js';
import { EVAL_ROWS } from '../infer/metrics.js';
import type { TrainedModel } from '../infer/predict.js';
import { onBackendMemory } from '../nn/mlp.js';
import { loadWhileDrawing } from './start.js';
import {
  NOTEBOOK_CONFIG, presetFor, resolveConfig, type ResolvedConfig, resolvePreset, TABLE_VALIDATION, trainAsync, type TrainConfig,
  type TrainOptions, type TrainResult,
} from './train.js';
import { checkActivations } from '../nn/activation.js';

/** Caller arrays: x (number[][], Float32Array + features, or bytes), y (labels, class names, values). */
export interface ArrayFitData extends ArraySplit {
  features?: number;
  validation?: ArraySplit;
  test?: ArraySplit;
}

export type FitData = string | DataSet | ArrayFitData;

export interface FitOptions extends Partial<TrainConfig>, Pick<TrainOptions, 'onEvent' | 'onBatch' | 'signal' | 'checkpoint' | 'resume' | 'input'> {
  /** A backend, or a choice ("auto", "native", "js"); default auto. */
  backend?: Backend | BackendChoice;
  task?: Task;
  /** CSV: the target column (required for a CSV file), or several (multi-output regression). */
  target?: string | readonly string[];
  /** CSV: the feature columns (default all but the target). Arrays: their names. */
  features?: readonly string[];
  /** CSV: how the table is read, typed and encoded (delimiter, decimal, missing spellings, column types, imputation). */
  table?: TableOptions;
  /** CSV: a separate test file; without it, testFraction of the file is held out. */
  testFile?: string;
  testFraction?: number;
  /** Fraction of the training rows held out for validation (seeded, stratified for classes). */
  validation?: number;
  /** Standardise features on the training split (default: on for float data, off for bytes). */
  standardize?: boolean;
  classNames?: readonly string[];
  classes?: number;
  /**
   * Arrays: one weight per row of x (finite, >= 0), the loss their weighted mean (docs/tables.md).
   * A CSV file's weights come from a column (table.weightColumn); a DataSet's from train.weights.
   */
  sampleWeight?: ArrayLike<number>;
}

export interface FitResult extends TrainResult {
  model: TrainedModel;
  /** The data as trained on (splits, standardised). */
  data: DataSet;
  /** Every setting the run trained with (the preset's, filled in), as a checkpoint stores it. */
  config: ResolvedConfig;
}

function isDataSet(d: unknown): d is DataSet {
  return typeof d === 'object' && d !== null && 'train' in d && 'task' in d;
}

/** Reads `data` into a DataSet (not yet standardised), and the net drawn while it loaded (IDX). */
export async function loadFitData(data: FitData, o: FitOptions): Promise<{ data: DataSet; started?: Awaited<ReturnType<typeof loadWhileDrawing>> }> {
  const seed = o.seed ?? NOTEBOOK_CONFIG.seed;
  if (o.sampleWeight !== undefined && (typeof data === 'string' || isDataSet(data))) {
    throw new DataError(`sampleWeight is for { x, y } arrays; ${typeof data === 'string' ? 'a CSV file takes its weights from a column (table: { weightColumn }, --weight-column)' : 'a DataSet carries them as train.weights'}`);
  }
  if (typeof data === 'string') {
    if (pathKind(data, o.target !== undefined) === 'folder') {
      const csvOnly = o.target !== undefined ? 'target' : o.testFile !== undefined ? 'testFile' : o.features !== undefined ? 'features'
        : o.table?.weightColumn !== undefined ? 'weightColumn' : null;
      const flag = { testFile: 'test', weightColumn: 'weight-column' }[csvOnly as string] ?? csvOnly;
      if (csvOnly) throw new DataError(`${data}: a folder of IDX files has no columns; ${csvOnly} (--${flag}) is for CSV files`);
      const features = peekFeatures(data); // first: it explains a missing folder before any read starts
      if (features !== null) {
        const sizes = [features, ...(o.hidden ?? NOTEBOOK_CONFIG.hidden), o.classes ?? DEFAULT_CLASSES];
        const batch = o.batch ?? NOTEBOOK_CONFIG.batch;
        // At most EVAL_ROWS rows: a larger batch may be clamped to the data (train.ts), which checks its workspace then.
        checkMemory(trainingBytes(sizes, EVAL_ROWS, 0), `Training layers ${sizes.join('-')}${batch <= EVAL_ROWS ? ` with batches of ${batch}` : ''}`);
      }
      // A resumed run takes its weights from the checkpoint: nothing to draw while the files load.
      if (o.resume !== undefined) return { data: await loadDataSetAsync(data, o.classes) };
      const hidden = o.hidden ?? NOTEBOOK_CONFIG.hidden;
      const activation = checkActivations(o.activation ?? 'relu', hidden.length);
      const started = await loadWhileDrawing(
        loadDataSetAsync(data, o.classes), { features, outputs: o.classes ?? DEFAULT_CLASSES }, hidden, seed, activation, o.init ?? 'notebook',
      );
      return { data: started.data, started };
    }
    if (o.target === undefined) throw new DataError(`${data}: a CSV file needs the target column's name (target / --target COLUMN)`);
    return {
      data: await loadCsvDataSet(data, {
        ...o.table, target: o.target, features: o.features, task: o.task, testFile: o.testFile, testFraction: o.testFraction, seed,
        validation: o.validation || undefined, // 0: none
      }),
    };
  }
  if (isDataSet(data)) return { data };
  if (typeof data !== 'object' || data === null || !('x' in data) || !('y' in data)) {
    throw new DataError('Expected data to be a CSV path, an IDX folder, { x, y } arrays or a DataSet');
  }
  const a = data as ArrayFitData;
  return {
    data: dataSetFromSplits({ x: a.x as InputArray, y: a.y }, {
      task: o.task, features: a.features, featureNames: o.features, classNames: o.classNames, classes: o.classes,
      validation: a.validation, test: a.test, sampleWeight: o.sampleWeight,
    }),
  };
}

/** Validation split and standardisation, as configured (the training split's statistics only). */
export function prepareData(data: DataSet, o: Pick<FitOptions, 'validation' | 'standardize' | 'seed'>): DataSet {
  let d = data;
  if (o.validation !== undefined && o.validation > 0) {
    if (d.validation) throw new DataError('the data already has a validation split; pass either validation rows or a validation fraction');
    d = withValidation(d, o.validation, o.seed ?? NOTEBOOK_CONFIG.seed);
  }
  const floats = d.train.inputs instanceof Float32Array;
  return standardize(d, o.standardize ?? floats);
}

/** Trains a model on `data`; events as train() emits them. */
export async function fit(data: FitData, options: FitOptions = {}): Promise<FitResult> {
  const be = typeof options.backend === 'object' ? options.backend : selectBackend(options.backend ?? 'auto');
  const { data: loaded, started } = await loadFitData(data, options);
  for (const w of loaded.warnings ?? []) options.onEvent?.({ event: 'warning', code: w.code, message: w.message });
  const preset = presetFor(loaded);
  // Tables hold out TABLE_VALIDATION (none: see config.ts) unless the caller chose a fraction; a
  // CSV table's validation rows were held out before its pipeline was fitted (loadCsvDataSet).
  const validation = options.validation ?? (preset === 'table' && !loaded.validation && options.resume === undefined ? TABLE_VALIDATION : undefined);
  // (A DataSet or arrays passed in are split here, pipeline or not.)
  const heldOut = typeof data === 'string' && loaded.pipeline !== undefined;
  const prepared = prepareData(loaded, heldOut ? { ...options, validation: undefined } : { ...options, validation });
  const config = resolvePreset(preset, prepared, options);
  // trainAsync: the event loop gets a turn every few milliseconds, so an AbortSignal (a timeout,
  // the CLI's SIGINT handler) stops the run within a batch.
  const result = await trainAsync(be, prepared, config, {
    // The net drawn while the data loaded is fit's own: trained on a copy in the backend's memory.
    onEvent: options.onEvent, onBatch: options.onBatch, signal: options.signal, net: started && onBackendMemory(be, started.net), rng: started?.rng,
    checkpoint: options.checkpoint, resume: options.resume, input: options.input, preset,
  });
  const model: TrainedModel = {
    net: result.net, task: prepared.task, featureNames: prepared.featureNames, classNames: prepared.classNames,
    preprocessing: prepared.preprocessing, pipeline: prepared.pipeline,
  };
  return { ...result, model, data: prepared, config: resolveConfig(config) };
}
