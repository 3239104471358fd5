/**
 * Limits every entry point shares (CLI flags, the network, both model loaders), so a network the
 * CLI accepts can always be saved and loaded again.
 */

/** The largest layer size (inputs, hidden units or classes). */
export const MAX_LAYER_SIZE = 1 << 20;

/**
 * The most memory one network, its training workspace and its data may need together, unless
 * NATIVE_MLP_MAX_MEMORY_MB raises or lowers it; the machine's free memory caps it further. The
 * check runs before anything is allocated, so a typo such as `--hidden 1000000` gets a message
 * with the number instead of an allocation that runs the machine out of memory.
 */
export const DEFAULT_MAX_MEMORY_BYTES = 2 * 1024 ** 3;

/** The largest file any loader reads whole (model files, data files, predict input), 2 GiB. */
export const MAX_FILE_BYTES = 2 * 1024 ** 3;

/** The most kernel threads (`--threads`, setThreads) for the native thread pool. */
export const MAX_THREADS = 256;

/** The most worker threads for the TypeScript backend's sgemm: each is a V8 isolate (about 10 MB). */
export const MAX_JS_THREADS = 16;
