/**
 * Backend choice, made once per request: `auto` takes native when the addon loads, else the
 * TypeScript backend with the reason said once on stderr; `native` fails loudly with the reason
 * and what to do; `NATIVE_MLP_BACKEND` sets the default.
 */
import { envSettings } from '../env.js';
import type { Backend } from './contract.js';
import { loadNative } from './native/load.js';
import { jsBackend } from './js/index.js';

export const BACKEND_CHOICES = ['auto', 'native', 'js'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** A requested backend cannot be used; the message says why and what to do. */
export class BackendError extends Error {
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

let fallbackSaid = false;

/**
 * Resolves a choice to a backend. `warn` receives the one-line fallback notice (once per
 * process) when `auto` cannot load native.
 */
export function selectBackend(
  choice: BackendChoice = defaultBackendChoice(),
  warn: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): Backend {
  if (!isBackendChoice(choice)) {
    throw new BackendError(`Unknown backend "${String(choice)}"; expected one of ${BACKEND_CHOICES.join(', ')}`);
  }
  if (choice === 'js') return jsBackend;
  const native = loadNative();
  if (native.backend) return native.backend;
  const reason = native.error?.message ?? 'unknown reason';
  if (choice === 'native') {
    throw new BackendError(`The native backend is not available: ${reason}; ${NATIVE_HELP}`);
  }
  if (!fallbackSaid) {
    fallbackSaid = true;
    warn(`native-mlp: native backend unavailable (${reason}); using the TypeScript backend; ${NATIVE_HELP}`);
  }
  return jsBackend;
}

/** Every backend that can run here: TypeScript always, native when it loads. */
export function availableBackends(): Backend[] {
  const native = loadNative().backend;
  return native ? [jsBackend, native] : [jsBackend];
}
