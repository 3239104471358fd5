/** native-mlp: train multilayer perceptrons with hand-written backprop, on native or TypeScript kernels. */
export type { Backend, BackendName } from './backend/backend.js';
export { typescriptBackend } from './backend/typescript.js';
export { loadNative } from './backend/native.js';
export {
  BACKEND_CHOICES, type BackendChoice, BackendError, availableBackends, defaultBackendChoice, selectBackend,
} from './backend/select.js';
export { DataError, encodeIdx, type IdxArray, parseIdx, readIdx } from './data/idx.js';
export { type DataSet, type LabeledImages, defaultDataDir, loadDataSet, PIXEL_SCALE } from './data/mnist.js';
export { defaultRng, Generator } from './rng/index.js';
export { backward, forward, Mlp, parameterCount, sgdStep, Workspace } from './nn/mlp.js';
export { INIT_STD, initMlp } from './nn/init.js';
export { argmaxRow, type Evaluation, evaluate } from './train/metrics.js';
export {
  type BatchProgress, checkConfig, type EpochEvent, NOTEBOOK_CONFIG, type StartEvent, type TestEvent, train,
  type TrainConfig, type TrainEvent, type TrainOptions, type TrainResult,
} from './train/train.js';
