/** Moved to test/helpers/ (kept so tests written against this path still import). */
export { forEachBackend, type BackendVariant } from './helpers/backends.js';
export { randomF32 } from './helpers/random.js';
