/**
 * The kernel list (src/backend/kernels.ts) against every place that names kernels and that the
 * compiler cannot see: the addon's registrations in native/napi/binding.cc, the WASM module's
 * exports (native/wasm/wasm_entry.cc and the committed wasm/native-mlp.wasm), the loaded addon,
 * and every available backend. binding.d.ts and the WasmExports interface are checked by the
 * compiler (kernels.ts); binding.d.ts is read here too, so a run without typecheck still sees it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KERNEL_NAMES, NATIVE_EXPORTS, WASM_EXPORTS } from '../src/backend/kernels.js';
import { loadNative } from '../src/backend/native/load.js';
import { availableBackends } from '../src/backend/select.js';
import { wasmPath } from '../src/backend/wasm/load.js';

const root = join(import.meta.dirname, '..');
const source = (path: string) => readFileSync(join(root, path), 'utf8');

/** Every capture of `pattern` (global, one group) in text, sorted. */
function names(text: string, pattern: RegExp): string[] {
  return [...text.matchAll(pattern)].map((m) => m[1]).sort();
}

const sorted = (list: readonly string[]) => [...list].sort();

describe('the kernel list (src/backend/kernels.ts)', () => {
  it('names each kernel once', () => {
    expect(new Set(NATIVE_EXPORTS).size).toBe(NATIVE_EXPORTS.length);
    expect(new Set(WASM_EXPORTS).size).toBe(WASM_EXPORTS.length);
  });

  it('is what native/napi/binding.cc registers', () => {
    const registered = names(source('native/napi/binding.cc'), /InstanceMethod\(\s*"(\w+)"/g);
    expect(registered.length).toBeGreaterThan(0);
    expect(registered).toEqual(sorted(NATIVE_EXPORTS));
  });

  it('is what binding.d.ts declares', () => {
    const declared = names(source('binding.d.ts'), /^export (?:declare )?function (\w+)/gm);
    expect(declared).toEqual(sorted(NATIVE_EXPORTS));
  });

  it('is what native/wasm/ exports (wasm_entry.cc, and the stack setter in wasm_stack.S)', () => {
    const exported = [
      ...names(source('native/wasm/wasm_entry.cc'), /^NMLP_EXPORT\((\w+)\)/gm),
      ...names(source('native/wasm/wasm_stack.S'), /^\s*\.export_name (\w+),/gm),
    ];
    expect(exported.sort()).toEqual(sorted(WASM_EXPORTS));
  });

  it('is what the committed wasm/native-mlp.wasm exports', () => {
    const module = new WebAssembly.Module(readFileSync(wasmPath()));
    const functions = WebAssembly.Module.exports(module)
      .filter((e) => e.kind === 'function')
      .map((e) => e.name);
    expect(functions.sort()).toEqual(sorted(WASM_EXPORTS));
  });

  const native = loadNative();
  it.skipIf(native.binding === null)(
    `is what the loaded addon exports${native.binding ? '' : ` (skipped: ${native.error?.message})`}`,
    () => {
      const binding = native.binding as unknown as Record<string, unknown>;
      const functions = Object.keys(binding).filter((k) => typeof binding[k] === 'function');
      expect(functions.sort()).toEqual(sorted(NATIVE_EXPORTS));
    },
  );

  for (const be of availableBackends()) {
    it(`is every member of the ${be.name} backend`, () => {
      const members = Object.keys(be).filter((k) => k !== 'name' && k !== 'capabilities');
      expect(members.sort()).toEqual(sorted(KERNEL_NAMES));
      for (const name of KERNEL_NAMES) expect(typeof be[name], name).toBe('function');
    });
  }
});
