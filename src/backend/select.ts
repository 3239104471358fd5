/**
 * Backend choice, made once per request: `auto` takes native when the addon loads, else WASM
 * when the module loads (NATIVE_MLP_WASM=0 disables it), else the TypeScript backend, each
 * fallback said once on stderr with its reason; `native` and `wasm` fail loudly with the reason
 * and what to do; `NATIVE_MLP_BACKEND` sets the default.
 */
import { envSettings } from '../env.js';
import type { Backend } from './contract.js';
import { loadNative } from './native/load.js';
import { jsBackend } from './js/index.js';
import { loadWasm } from './wasm/load.js';
import { UserError } from '../errors.js';

export const BACKEND_CHOICES = ['auto', 'native', 'wasm', 'js'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** A requested backend cannot be used; the message says why and what to do. */
export class BackendError extends UserError {
  override name = 'BackendError';
}

export function isBackendChoice(v: unknown): v is BackendChoice {
  return typeof v === 'string' && (BACKEND_CHOICES as readonly string[]).includes(v);
}

/** The default choice: NATIVE_MLP_BACKEND if set, else auto. */
export function defaultBackendChoice(): BackendChoice {
  const env = envSettings().backend;
  if (env === undefined) return 'auto';
  if (!isBackendChoice(env)) {
    throw new BackendError(`NATIVE_MLP_BACKEND is "${env}"; expected one of ${BACKEND_CHOICES.join(', ')}`);
  }
  return env;
}

const NATIVE_HELP =
  'prebuilt binaries ship for linux-x64 and linux-arm64 with glibc >= 2.28 (Node-API 8, this Node has ' +
  `Node-API ${process.versions.napi}); anywhere else install cmake and a C++17 compiler, then run ` +
  '`npm rebuild native-mlp` (in a clone of native-mlp: `npm run build:native`); or use --backend js';

const WASM_HELP =
  'the package ships wasm/native-mlp.wasm (rebuild it with `npm run build:wasm`), unset NATIVE_MLP_WASM=0, or use --backend js';

let fallbackSaid = false;
let wasmFallbackSaid = false;

/**
 * Resolves a choice to a backend. `warn` receives the one-line fallback notice (once per
 * process) when `auto` cannot load native (and again, once, if WASM cannot load either).
 */
export function selectBackend(
  choice: BackendChoice = defaultBackendChoice(),
  warn: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): Backend {
  if (!isBackendChoice(choice)) {
    throw new BackendError(`Unknown backend "${String(choice)}"; expected one of ${BACKEND_CHOICES.join(', ')}`);
  }
  if (choice === 'js') return jsBackend;
  if (choice === 'wasm') {
    const wasm = loadWasm();
    if (wasm.backend) return wasm.backend;
    throw new BackendError(`The WASM backend is not available: ${wasm.error?.message ?? 'unknown reason'}; ${WASM_HELP}`);
  }
  const native = loadNative();
  if (native.backend) return native.backend;
  const reason = native.error?.message ?? 'unknown reason';
  if (choice === 'native') {
    throw new BackendError(`The native backend is not available: ${reason}; ${NATIVE_HELP}`);
  }
  const wasm = loadWasm();
  if (wasm.backend) {
    if (!fallbackSaid) {
      fallbackSaid = true;
      warn(`native-mlp: native backend unavailable (${reason}); using the WASM backend; ${NATIVE_HELP}`);
    }
    return wasm.backend;
  }
  if (!wasmFallbackSaid) {
    wasmFallbackSaid = true;
    warn(
      `native-mlp: native backend unavailable (${reason}) and WASM backend unavailable ` +
        `(${wasm.error?.message ?? 'unknown reason'}); using the TypeScript backend; ${NATIVE_HELP}`,
    );
  }
  return jsBackend;
}

/** Every backend that can run here: TypeScript always, native and WASM when they load. */
export function availableBackends(): Backend[] {
  const out = [jsBackend];
  const native = loadNative().backend;
  if (native) out.push(native);
  const wasm = loadWasm().backend;
  if (wasm) out.push(wasm);
  return out;
}
