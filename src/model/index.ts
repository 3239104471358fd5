/** Saving and loading trained nets: safetensors (the native format) and NumPy .npz archives. */
export { ModelFileError } from './errors.js';
export { checkOutputs, type InputPath, type NamedPath } from './outputs.js';
export { checkSaveTarget, resolveSaveTarget, writeFileAtomic, type AtomicWriteHooks } from './atomic-write.js';
export {
  decodeModel,
  encodeModel,
  loadModel,
  saveModel,
  MAX_HEADER_BYTES,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  type DecodedModel,
  type DecodeOptions,
} from './safetensors.js';
export { type ModelData } from './data-meta.js';
export { crc32, decodeNpz, encodeNpz, loadNpz, saveNpz } from './npz.js';
