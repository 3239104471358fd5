/**
 * Loads wasm/native-mlp.wasm (built from native/ by scripts/build-wasm.mjs, committed, shipped
 * in the package) and wraps it as a Backend. Like the native loader it never throws: the result
 * keeps a one-line reason, so selection can fall back to TypeScript and say why.
 * NATIVE_MLP_WASM=0 disables it (read in src/env.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envSettings } from '../../env.js';
import type { Backend } from '../contract.js';
import { packageRoot } from '../native/load.js';
import { MEMORY_INITIAL_PAGES, MEMORY_MAXIMUM_PAGES, type WasmExports } from './exports.js';
import { WASM_EXPORTS } from '../kernels.js';
import { wasmBackend } from './index.js';
import { WasmMemory } from './memory.js';

export interface WasmLoad {
  backend: Backend | null;
  error: Error | null;
  /** The .wasm file loaded or attempted (null if none was looked for). */
  path: string | null;
}

let cached: WasmLoad | undefined;

/** The compiled module and its shared memory, for worker instances (threads.ts). */
export interface WasmShared {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
}

/** The .wasm file of this package. */
export function wasmPath(): string {
  return join(packageRoot(), 'wasm', 'native-mlp.wasm');
}

/** Instantiates the module over `memory` and checks its exports. */
export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): WasmExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const exp = instance.exports as Record<string, unknown>;
  const missing = WASM_EXPORTS.filter((name) => typeof exp[name] !== 'function');
  if (missing.length > 0) throw new Error(`the module lacks ${missing.join(', ')} (stale build? run \`npm run build:wasm\`)`);
  return exp as unknown as WasmExports;
}

/** Loads the module on first call and returns the same result afterwards. Never throws. */
export function loadWasm(): WasmLoad {
  cached ??= tryLoad();
  return cached;
}

function tryLoad(): WasmLoad {
  if (envSettings().wasm === '0') {
    return { backend: null, error: new Error('disabled by NATIVE_MLP_WASM=0'), path: null };
  }
  let path: string | null = null;
  try {
    path = wasmPath();
    if (!existsSync(path)) throw new Error(`${path} does not exist (build it with \`npm run build:wasm\`)`);
    if (typeof WebAssembly !== 'object' || typeof SharedArrayBuffer !== 'function') {
      throw new Error('this JavaScript engine has no WebAssembly or SharedArrayBuffer');
    }
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(readFileSync(path));
    } catch (e) {
      // An engine without SIMD128, threads (shared memory) or bulk memory rejects the module here.
      throw new Error(`could not compile ${path} (${e instanceof Error ? e.message : String(e)}); this engine may lack WebAssembly SIMD or threads`);
    }
    const memory = new WebAssembly.Memory({ initial: MEMORY_INITIAL_PAGES, maximum: MEMORY_MAXIMUM_PAGES, shared: true });
    const exports = instantiate(module, memory);
    return { backend: wasmBackend(new WasmMemory(memory, exports), { module, memory }), error: null, path };
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).trim().replace(/\s*\n\s*/g, '; ');
    return { backend: null, error: new Error(message, { cause: e }), path };
  }
}
