/**
 * Every environment variable native-mlp reads, read here and nowhere else (the addon reads none:
 * what it needs is passed to it as arguments). The README's "Environment" table lists them.
 */

/** The settings the environment gives; `undefined` where a variable is unset or empty. */
export interface EnvSettings {
  /** NATIVE_MLP_BACKEND: the default backend choice (`auto`, `native`, `wasm`, `js`). */
  backend?: string;
  /** NATIVE_MLP_NATIVE_PATH: a .node file to load instead of the package's own addon. */
  nativePath?: string;
  /** NATIVE_MLP_ISA: caps the native micro-kernel (`avx512`, `avx2`, `neon`, `generic`). */
  isa?: string;
  /** NATIVE_MLP_POOL: `always` makes the native thread pool take every eligible call (tests, benchmarks). */
  pool?: string;
  /** NATIVE_MLP_WASM: `0` disables the WASM backend (`auto` then falls back from native to js). */
  wasm?: string;
  /** NATIVE_MLP_MAX_MEMORY_MB: the memory budget in MiB (default 2048; see src/limits.ts). */
  maxMemoryMb?: string;
}

function read(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** The environment's settings, read now (tests change them between calls). */
export function envSettings(): EnvSettings {
  return {
    backend: read('NATIVE_MLP_BACKEND'),
    nativePath: read('NATIVE_MLP_NATIVE_PATH'),
    isa: read('NATIVE_MLP_ISA'),
    pool: read('NATIVE_MLP_POOL'),
    wasm: read('NATIVE_MLP_WASM'),
    maxMemoryMb: read('NATIVE_MLP_MAX_MEMORY_MB'),
  };
}
