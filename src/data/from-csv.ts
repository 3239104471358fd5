/**
 * A DataSet from CSV files: the training file's target column becomes class indices (sorted class
 * names) or regression values; the test rows come from --test FILE, or a seeded, stratified 20 %
 * of the file; --validation holds out a fraction of what remains for training.
 */
import { type CsvTable, labelIndices, readCsv, sortClassNames } from './csv.js';
import { type DataSet, DataError, type Rows, type Task, checkDataSet } from './dataset.js';
import { splitRows, withValidation } from './split.js';

export interface CsvDataOptions {
  /** The target column. */
  target: string;
  /** Feature columns (default: all but the target). */
  features?: readonly string[];
  task?: Task;
  /** A separate test file with the same columns. */
  testFile?: string;
  /** Fraction held out as test when there is no test file (default 0.2). */
  testFraction?: number;
  /** Fraction of the training rows held out for validation (default none). */
  validation?: number;
  /** Seed of the splits (default 0). */
  seed?: number;
  /** Byte bound per file (see readCsv). */
  maxBytes?: number;
}

/** The fraction of a CSV file held out as test when no test file is given. */
export const DEFAULT_TEST_FRACTION = 0.2;

function rowsOf(table: CsvTable, targets: Uint32Array | Float32Array): Rows {
  return { count: table.count, features: table.features, inputs: table.inputs, targets };
}

export async function loadCsvDataSet(file: string, o: CsvDataOptions): Promise<DataSet> {
  const task = o.task ?? 'classify';
  const read = (f: string, features?: readonly string[]) => readCsv(f, { target: o.target, features, task, maxBytes: o.maxBytes });
  const [table, testTable] = await Promise.all([read(file, o.features), o.testFile ? read(o.testFile, o.features) : undefined]);
  if (testTable && testTable.featureNames.join('\0') !== table.featureNames.join('\0')) {
    throw new DataError(`${o.testFile}: feature columns ${testTable.featureNames.join(',')} differ from ${file}'s ${table.featureNames.join(',')}; pass --features to choose the same ones`);
  }
  let classNames: string[] | undefined;
  let classes = 1;
  let targets: Uint32Array | Float32Array;
  let testTargets: Uint32Array | Float32Array | undefined;
  if (task === 'classify') {
    classNames = sortClassNames(table.labels!);
    if (classNames.length < 2) {
      throw new DataError(`${file}: the target column "${o.target}" holds one class (${JSON.stringify(classNames[0])}); classification needs at least two (for numbers, pass --task regress)`);
    }
    classes = classNames.length;
    targets = labelIndices(table, classNames, o.target);
    if (testTable) testTargets = labelIndices(testTable, classNames, o.target);
  } else {
    targets = table.values!;
    testTargets = testTable?.values;
  }
  let train = rowsOf(table, targets);
  let test: Rows;
  if (testTable) test = rowsOf(testTable, testTargets!);
  else {
    const { kept, held } = splitRows(train, o.testFraction ?? DEFAULT_TEST_FRACTION, o.seed ?? 0, task === 'classify' ? classes : undefined, 'test fraction');
    train = kept;
    test = held;
  }
  let data: DataSet = {
    task, train, test, classes, featureNames: table.featureNames, classNames,
    source: o.testFile ? `${file} + ${o.testFile}` : file,
  };
  if (o.validation !== undefined) data = withValidation(data, o.validation, o.seed ?? 0);
  return checkDataSet(data);
}
