/**
 * The one enumeration of backends for every kernel and training suite: each backend that
 * availableBackends() (src/backend/select.ts) returns, the native one once per instruction set
 * this CPU supports, and, for suites that cover threading, each threaded backend at every thread
 * count asked for. Every describe title names backend, ISA and thread count, so the test report
 * lists what ran. A native addon that did not load shows as a skipped suite (or fails, with
 * REQUIRE_NATIVE=1; see skip-or-fail.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/contract.js';
import { __testing as jsThreads } from '../../src/backend/js/threads.js';
import { loadNative } from '../../src/backend/native/load.js';
import { availableBackends } from '../../src/backend/select.js';
import { wasmThreadsReady } from '../../src/backend/wasm/threads.js';
import { assertFreshDist } from './dist.js';
import { nativeIsas, nativePoolAlways } from './native.js';
import { skipOrFail } from './skip-or-fail.js';

export interface BackendVariant {
  /** The backend's name: js, native, (later) wasm. */
  name: string;
  /** Its instruction set ("js" for TypeScript). */
  isa: string;
  /** Whether this is the ISA the backend picks by itself (run whole-training tests only there). */
  best: boolean;
  /** Threads it runs on (1 unless the suite asked for more). */
  threads: number;
  /** "native avx2, 2 threads", as in the describe title. */
  label: string;
}

export interface ForEachOptions {
  /** Thread counts to run the suite at; each threaded backend runs once per count. Default [1]. */
  threads?: number[];
  /** Backends the suite does not apply to, with the reason (shown in the skipped suite's title). */
  skip?: Partial<Record<'js' | 'native' | 'wasm', string>>;
}

/** Backends that split kernels over threads (setThreads > 1 changes how they run). */
const THREADED = new Set(['js', 'native', 'wasm']);

interface Entry {
  be: Backend;
  variant: BackendVariant;
  enter(): void;
  leave(): void;
}

function entries(threadCounts: number[] | undefined): Entry[] {
  const out: Entry[] = [];
  const counts = (name: string) => (threadCounts && THREADED.has(name) ? threadCounts : [undefined]);
  const label = (name: string, isa: string, threads: number | undefined) =>
    (name === isa ? name : `${name} ${isa}`) + (threads === undefined ? '' : `, ${threads} thread${threads === 1 ? '' : 's'}`);
  for (const be of availableBackends()) {
    const isas = be.name === 'native' ? nativeIsas() : [{ isa: be.isa(), backend: be, best: true, enter: () => {}, leave: () => {} }];
    for (const v of isas) {
      for (const threads of counts(be.name)) {
        out.push({
          be: v.backend,
          variant: { name: be.name, isa: v.isa, best: v.best, threads: threads ?? 1, label: label(be.name, v.isa, threads) },
          enter: v.enter,
          leave: v.leave,
        });
      }
    }
  }
  return out;
}

/**
 * Sets the thread count and waits until the TypeScript backend's helper threads are up (until
 * then the caller takes every chunk, which is correct but does not exercise the helpers).
 */
export function useThreads(be: Backend, threads: number): void {
  expect(be.setThreads(threads)).toBe(threads);
  if (be.name === 'js') expect(jsThreads.waitUntilReady(), 'js helper threads did not start').toBe(true);
  if (be.name === 'wasm') expect(wasmThreadsReady(), 'wasm worker threads did not start').toBe(true);
}

/**
 * Declares `describe("<title> [<backend> <isa>, <n> threads]")` once per backend variant, with
 * the backend switched to that ISA and thread count while its tests run.
 */
export function forEachBackend(title: string, body: (be: Backend, variant: BackendVariant) => void, options: ForEachOptions = {}): void {
  if (options.threads?.some((t) => t > 1)) nativePoolAlways();
  for (const { be, variant, enter, leave } of entries(options.threads)) {
    const skipped = options.skip?.[be.name];
    if (skipped !== undefined) {
      describe.skip(`${title} [${variant.label}] does not apply: ${skipped}`, () => it('skipped', () => {}));
      continue;
    }
    describe(`${title} [${variant.label}]`, () => {
      beforeAll(() => {
        enter();
        expect(be.isa(), 'the ISA the title names').toBe(variant.isa);
        if (options.threads) {
          // The TypeScript backend's helper threads run dist/ code.
          if (variant.name === 'js' && variant.threads > 1) assertFreshDist();
          useThreads(be, variant.threads);
        }
      });
      afterAll(() => {
        if (options.threads) be.setThreads(1);
        leave();
      });
      body(be, variant);
    });
  }
  const native = loadNative();
  if (!native.backend) skipOrFail(`${title} [native]`, native.error?.message ?? 'not built');
}
