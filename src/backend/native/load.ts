/**
 * Loads the native addon (build/Release/native_mlp.node, or a prebuild in
 * prebuilds/<platform>-<arch>/, found by node-gyp-build) and wraps it as a Backend.
 *
 * - Loading happens once and never throws: the result keeps the error (one line, saying where
 *   it looked and why it failed) so selection can fall back to TypeScript and explain why.
 * - NATIVE_MLP_NATIVE_PATH, if set, names a .node file to load instead (tests use it to force a
 *   missing binary or to load a sanitizer build).
 * - The wrapper runs the same TypeScript argument checks as the TypeScript backend first, so both
 *   backends throw the same errors; the addon checks again in C++ for memory safety.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envSettings } from '../../env.js';
import type * as Binding from '../../../binding.js';
import { type Backend, sharedF32, withChecks } from '../contract.js';
import { NATIVE_EXPORTS } from '../kernels.js';

/** The raw exports of the addon, as documented in binding.d.ts. */
export type NativeBinding = typeof Binding;

export interface NativeLoad {
  /** The wrapped addon, or null when it could not be loaded. */
  backend: Backend | null;
  /** Why loading failed (null on success). */
  error: Error | null;
  /** The .node file loaded or attempted (null if none was found). */
  path: string | null;
  /** The raw exports (setIsa, supportedIsas, setPoolPolicy live only here), or null. */
  binding: NativeBinding | null;
}

const PACKAGE_NAME = 'native-mlp';

let cached: NativeLoad | undefined;

/**
 * The addon's exports as a Backend: the shared checks, and SharedArrayBuffer memory for alloc,
 * starting on a 64-byte boundary: the sparse product reads one row of W1 per non-zero input, and
 * a 128-float row that starts on a cache line is 8 lines instead of 9.
 */
export function wrapNative(raw: NativeBinding): Backend {
  const alloc = (n: number) => {
    const f = sharedF32(n + 15);
    const at = raw.alignOffset(f);
    return f.subarray(at, at + n);
  };
  return withChecks('native', { ...raw, alloc, holds: () => true });
}

/** Loads the addon on first call and returns the same result afterwards. Never throws. */
export function loadNative(): NativeLoad {
  cached ??= tryLoad();
  return cached;
}

/**
 * The package root: the nearest folder above this file whose package.json is named native-mlp
 * (src/backend/ when tests run the TypeScript, dist/backend/ once compiled, either inside
 * node_modules/native-mlp/ when installed).
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME) return dir;
      } catch {
        // unreadable package.json: keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`could not find the ${PACKAGE_NAME} package root above ${fileURLToPath(import.meta.url)}`);
    }
    dir = parent;
  }
}

function oneLine(message: string): string {
  return message.trim().replace(/\s*\n\s*/g, '; ');
}

/**
 * The addon reads no environment variables itself: NATIVE_MLP_ISA (avx512 | avx2 | neon |
 * generic, a cap on the micro-kernel) and NATIVE_MLP_POOL (adaptive | always) are passed here.
 */
function applySettings(raw: NativeBinding): void {
  const { isa, pool } = envSettings();
  if (isa !== undefined) {
    try {
      raw.setIsa(isa);
    } catch {
      throw new Error(`NATIVE_MLP_ISA is "${isa}"; expected one of avx512, avx2, neon, generic`);
    }
  }
  if (pool !== undefined) {
    if (pool !== 'adaptive' && pool !== 'always') {
      throw new Error(`NATIVE_MLP_POOL is "${pool}"; expected adaptive or always`);
    }
    raw.setPoolPolicy(pool);
  }
}

function tryLoad(): NativeLoad {
  let path: string | null = null;
  try {
    const require = createRequire(import.meta.url);
    const override = envSettings().nativePath;
    if (override !== undefined) {
      path = resolve(override);
      if (!existsSync(path)) {
        throw new Error(`NATIVE_MLP_NATIVE_PATH is ${path}, which does not exist`);
      }
    } else {
      const root = packageRoot();
      const nodeGypBuild = require('node-gyp-build') as { resolve(dir: string): string };
      try {
        path = nodeGypBuild.resolve(root);
      } catch (e) {
        throw new Error(
          `no compiled addon in ${join(root, 'build', 'Release')} and no prebuild in ` +
            `${join(root, 'prebuilds', `${process.platform}-${process.arch}`)} ` +
            `(${oneLine(e instanceof Error ? e.message : String(e))})`,
        );
      }
    }
    let raw: NativeBinding;
    try {
      raw = require(path) as NativeBinding;
    } catch (e) {
      throw new Error(`could not load ${path}: ${oneLine(e instanceof Error ? e.message : String(e))}`);
    }
    const missing = NATIVE_EXPORTS.filter((name) => typeof (raw as Record<string, unknown>)[name] !== 'function');
    if (missing.length > 0) {
      throw new Error(`${path} is not a native-mlp addon (missing ${missing.join(', ')})`);
    }
    applySettings(raw);
    return { backend: wrapNative(raw), error: null, path, binding: raw };
  } catch (e) {
    const message = oneLine(e instanceof Error ? e.message : String(e));
    return { backend: null, error: new Error(message, { cause: e }), path, binding: null };
  }
}
