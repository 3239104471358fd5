/**
 * fit's data side: a path (CSV file or IDX folder), caller arrays or a DataSet read into a
 * DataSet (for a warm start, through the model's pipeline), then split and scaled.
 */
import { type ArraySplit, dataSetFromSplits, type InputArray } from '../data/arrays.js';
import { type DataSet, DataError, DEFAULT_CLASSES, type Task } from '../data/dataset.js';
import { loadCsvDataSet, type TableOptions } from '../data/from-csv.js';
import { loadCsvForModel } from '../data/model-table.js';
import { pathKind } from '../data/source.js';
import { loadDataSetAsync, peekFeatures } from '../data/mnist.js';
import { withValidation } from '../data/split.js';
import { standardize } from '../data/standardize.js';
import { checkMemory, trainingBytes } from '../budget.js';
import { EVAL_ROWS } from '../infer/metrics.js';
import { checkActivations } from '../nn/activation.js';
import { NOTEBOOK_CONFIG, type TrainConfig } from './config.js';
import { loadWhileDrawing } from './start.js';
import type { WarmStart } from './warm-start.js';

/** Caller arrays: x (number[][], Float32Array + features, or bytes), y (labels, class names, values). */
export interface ArrayFitData extends ArraySplit {
  features?: number;
  validation?: ArraySplit;
  test?: ArraySplit;
}

export type FitData = string | DataSet | ArrayFitData;

/** The data options of fit (what the CSV reader, the splits and the scaling take). */
export interface FitDataOptions {
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

function isDataSet(d: unknown): d is DataSet {
  return typeof d === 'object' && d !== null && 'train' in d && 'task' in d;
}

/**
 * Reads `data` into a DataSet (not yet standardised, except a warm start's table, which its model
 * encodes and scales), and the net drawn while IDX files loaded (when `draw`).
 */
export async function loadFitData(
  data: FitData,
  o: FitDataOptions & Partial<TrainConfig> & { resume?: unknown },
  warm?: WarmStart,
  draw = true,
): Promise<{ data: DataSet; started?: Awaited<ReturnType<typeof loadWhileDrawing>> }> {
  const seed = o.seed ?? NOTEBOOK_CONFIG.seed;
  if (o.sampleWeight !== undefined && (typeof data === 'string' || isDataSet(data))) {
    throw new DataError(
      `sampleWeight is for { x, y } arrays; ${typeof data === 'string' ? 'a CSV file takes its weights from a column (table: { weightColumn }, --weight-column)' : 'a DataSet carries them as train.weights'}`,
    );
  }
  if (typeof data === 'string') {
    const table = o.target !== undefined || warm?.model.pipeline !== undefined || warm?.model.featureNames !== undefined;
    if (pathKind(data, table) === 'folder') {
      const csvOnly =
        o.target !== undefined
          ? 'target'
          : o.testFile !== undefined
            ? 'testFile'
            : o.features !== undefined
              ? 'features'
              : o.table?.weightColumn !== undefined
                ? 'weightColumn'
                : null;
      const flag = { testFile: 'test', weightColumn: 'weight-column' }[csvOnly as string] ?? csvOnly;
      if (csvOnly) throw new DataError(`${data}: a folder of IDX files has no columns; ${csvOnly} (--${flag}) is for CSV files`);
      const features = peekFeatures(data); // first: it explains a missing folder before any read starts
      if (warm && features !== null && features !== warm.model.net.inputs) {
        throw new DataError(
          `${data}: the rows have ${features} input features but ${warm.file ?? 'the model'} takes ${warm.model.net.inputs}; a warm start needs rows of the model's schema`,
        );
      }
      if (features !== null) {
        const sizes = [features, ...(o.hidden ?? NOTEBOOK_CONFIG.hidden), o.classes ?? DEFAULT_CLASSES];
        const batch = o.batch ?? NOTEBOOK_CONFIG.batch;
        // At most EVAL_ROWS rows: a larger batch may be clamped to the data (train.ts), which checks its workspace then.
        checkMemory(
          trainingBytes(sizes, EVAL_ROWS, 0),
          `Training layers ${sizes.join('-')}${batch <= EVAL_ROWS ? ` with batches of ${batch}` : ''}`,
        );
      }
      // A resumed or warm-started run has its weights; a worker draws its own: nothing to draw while the files load.
      if (o.resume !== undefined || warm || !draw) return { data: await loadDataSetAsync(data, o.classes) };
      const hidden = o.hidden ?? NOTEBOOK_CONFIG.hidden;
      const activation = checkActivations(o.activation ?? 'relu', hidden.length);
      const started = await loadWhileDrawing(
        loadDataSetAsync(data, o.classes),
        { features, outputs: o.classes ?? DEFAULT_CLASSES },
        hidden,
        seed,
        activation,
        o.init ?? 'notebook',
      );
      return { data: started.data, started };
    }
    if (warm) {
      const m = warm.model;
      return {
        data: await loadCsvForModel(
          data,
          { ...m, inputs: m.net.inputs, outputs: m.net.classes },
          {
            delimiter: o.table?.delimiter,
            decimal: o.table?.decimal,
            weightColumn: o.table?.weightColumn,
            target: o.target,
            testFile: o.testFile,
            testFraction: o.testFraction,
            seed,
            validation: o.validation || undefined,
          },
        ),
      };
    }
    if (o.target === undefined) throw new DataError(`${data}: a CSV file needs the target column's name (target / --target COLUMN)`);
    return {
      data: await loadCsvDataSet(data, {
        ...o.table,
        target: o.target,
        features: o.features,
        task: o.task,
        testFile: o.testFile,
        testFraction: o.testFraction,
        seed,
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
    data: dataSetFromSplits(
      { x: a.x as InputArray, y: a.y },
      {
        task: o.task,
        features: a.features,
        featureNames: o.features,
        classNames: o.classNames,
        classes: o.classes,
        validation: a.validation,
        test: a.test,
        sampleWeight: o.sampleWeight,
      },
    ),
  };
}

/**
 * Validation split and standardisation, as configured (the training split's statistics only). A
 * DataSet that carries its preprocessing was prepared already (a FitResult's data, a sweep's): it
 * is not standardised twice.
 */
export function prepareData(data: DataSet, o: Pick<FitDataOptions, 'validation' | 'standardize'> & { seed?: number }): DataSet {
  const split = o.validation ?? 0; // a fraction of the training rows; 0: none
  if (data.preprocessing) {
    if (split > 0)
      throw new DataError(
        'the data was prepared already (it carries its standardisation); split its validation rows before, or pass the raw data',
      );
    if (o.standardize === true && !data.preprocessing.featureMean)
      throw new DataError('the data was prepared without standardised features; pass the raw data to standardise them');
    return data;
  }
  let d = data;
  if (split > 0) {
    if (d.validation) throw new DataError('the data already has a validation split; pass either validation rows or a validation fraction');
    d = withValidation(d, split, o.seed ?? NOTEBOOK_CONFIG.seed);
  }
  const floats = d.train.inputs instanceof Float32Array;
  return standardize(d, o.standardize ?? floats);
}
