/**
 * The native addon as the test suite sees it: one entry per instruction set this CPU supports,
 * and the pool policy that makes threaded calls deterministic. The only place that knows how the
 * addon is switched between ISAs (setIsa on the one loaded instance).
 */
import { expect } from 'vitest';
import type { Backend } from '../../src/backend/contract.js';
import { loadNative } from '../../src/backend/native/load.js';

export interface NativeIsa {
  isa: string;
  backend: Backend;
  /** The ISA the addon picks by itself on this CPU. */
  best: boolean;
  /** Called before the ISA's tests run, and after them. */
  enter(): void;
  leave(): void;
}

let cached: NativeIsa[] | undefined;

/** Every ISA the addon runs on this CPU, best first; [] when the addon did not load. */
export function nativeIsas(): NativeIsa[] {
  cached ??= enumerate();
  return cached;
}

function enumerate(): NativeIsa[] {
  const { backend, binding } = loadNative();
  if (!backend || !binding) return [];
  // One instance, capped with setIsa before each ISA's tests and restored after.
  const isas = binding.supportedIsas();
  return isas.map((isa, i) => ({
    isa,
    backend,
    best: i === 0,
    enter: () => {
      expect(binding.setIsa(isa), `setIsa(${isa})`).toBe(isa);
    },
    leave: () => {
      binding.setIsa(isas[0]);
    },
  }));
}

/**
 * Makes the native pool take every call large enough to split (no adaptive pool-or-alone choice,
 * see native/platform/thread_pool.h), so 2-thread tests always run the parallel path.
 */
export function nativePoolAlways(): void {
  loadNative().binding?.setPoolPolicy('always');
}

/** The path of the loaded addon (worker threads load their own instance from it), or null. */
export function nativePath(): string | null {
  const native = loadNative();
  return native.backend ? native.path : null;
}
