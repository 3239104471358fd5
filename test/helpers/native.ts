/**
 * The native addon as the test suite sees it: one entry per instruction set this CPU supports,
 * and the pool policy that makes threaded calls deterministic. The only place that knows how the
 * addon is switched between ISAs.
 */
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import { type Backend, withChecks } from '../../src/backend/contract.js';
import { loadNative, type NativeBinding } from '../../src/backend/native/load.js';

export interface NativeIsa {
  isa: string;
  backend: Backend;
  /** The ISA the addon picks by itself on this CPU. */
  best: boolean;
  /** Called before the ISA's tests run, and after them. */
  enter(): void;
  leave(): void;
}

/** The addon's exports, with the ISA and pool switches that newer builds have. */
type Raw = NativeBinding & {
  setIsa?: (name: string) => string;
  supportedIsas?: () => string[];
  setPoolPolicy?: (policy: 'adaptive' | 'always') => string;
};

/** Best first; an ISA of another architecture is simply never supported. */
const ISA_ORDER = ['avx512', 'avx2', 'neon', 'generic'];

let cached: NativeIsa[] | undefined;

function raw(): Raw | null {
  const native = loadNative();
  if (!native.backend || !native.path) return null;
  // The same module object load.ts got (require caches by path).
  return createRequire(import.meta.url)(native.path) as Raw;
}

/** Every ISA the addon runs on this CPU, best first; [] when the addon did not load. */
export function nativeIsas(): NativeIsa[] {
  cached ??= enumerate();
  return cached;
}

function enumerate(): NativeIsa[] {
  const native = loadNative();
  const addon = raw();
  if (!native.backend || !native.path || !addon) return [];
  const be = native.backend;
  if (typeof addon.setIsa === 'function' && typeof addon.supportedIsas === 'function') {
    // One instance, capped with setIsa before each ISA's tests and restored after.
    const setIsa = addon.setIsa.bind(addon);
    const isas = addon.supportedIsas();
    return isas.map((isa, i) => ({
      isa, backend: be, best: i === 0,
      enter: () => { expect(setIsa(isa), `setIsa(${isa})`).toBe(isa); },
      leave: () => { setIsa(isas[0]); },
    }));
  }
  // Older addons read NATIVE_MLP_ISA when an instance is created: load one more instance of the
  // same file per lower ISA. (Remove once every addon has setIsa.)
  const out: NativeIsa[] = [{ isa: be.isa(), backend: be, best: true, enter: () => {}, leave: () => {} }];
  for (const isa of ISA_ORDER.slice(ISA_ORDER.indexOf(be.isa()) + 1)) {
    const extra = loadCapped(native.path, isa);
    if (extra) out.push({ isa, backend: extra, best: false, enter: () => {}, leave: () => {} });
  }
  return out;
}

function loadCapped(path: string, isa: string): Backend | null {
  const saved = process.env.NATIVE_MLP_ISA;
  process.env.NATIVE_MLP_ISA = isa;
  try {
    const mod = { exports: {} as NativeBinding };
    process.dlopen(mod, path);
    return mod.exports.isa() === isa ? withChecks('native', mod.exports) : null;
  } finally {
    if (saved === undefined) delete process.env.NATIVE_MLP_ISA;
    else process.env.NATIVE_MLP_ISA = saved;
  }
}

/**
 * Makes the native pool take every call large enough to split (no adaptive pool-or-alone choice,
 * see native/thread_pool.h), so 2-thread tests always run the parallel path. Call before the
 * first threaded call: older addons read NATIVE_MLP_POOL when the pool is created.
 */
export function nativePoolAlways(): void {
  const addon = raw();
  if (addon && typeof addon.setPoolPolicy === 'function') addon.setPoolPolicy('always');
  else process.env.NATIVE_MLP_POOL = 'always';
}

/** The path of the loaded addon (worker threads load their own instance from it), or null. */
export function nativePath(): string | null {
  const native = loadNative();
  return native.backend ? native.path : null;
}
