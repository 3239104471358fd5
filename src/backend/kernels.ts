/**
 * THE kernel list: every member of the Backend contract (contract.ts), and where the native addon
 * and the WASM module provide it. Everything else that names kernels follows from it:
 * - the Backend interface must have exactly these members (the compiler checks, below);
 * - the native loader requires NATIVE_EXPORTS, binding.d.ts must declare exactly those (compiler),
 *   and native/napi/binding.cc must register exactly those (test/kernel-list.test.ts);
 * - the WASM loader requires WASM_EXPORTS, WasmExports (wasm/exports.ts) must declare exactly
 *   those (compiler), and the module must export exactly those (test/kernel-list.test.ts);
 * - withChecks (contract.ts) and the TypeScript backend implement every member (compiler).
 * Adding a kernel: docs/development.md.
 */
import type * as Binding from '../../binding.js';
import type { Backend } from './contract.js';
import type { WasmExports } from './wasm/exports.js';

interface Provided {
  /** The addon exports it (registered in binding.cc, declared in binding.d.ts). */
  readonly native: boolean;
  /**
   * The WASM module exports it (wasm/wasm_entry.cc); false: the WASM backend runs it in
   * TypeScript (the TypeScript twin, or its own bookkeeping as for threads and memory).
   */
  readonly wasm: boolean;
}

/** The members of Backend the list names: all but its identity and capabilities. */
export type KernelName = Exclude<keyof Backend, 'name' | 'capabilities'>;

export const KERNELS = {
  sgemm: { native: true, wasm: true },
  biasRelu: { native: true, wasm: true },
  biasAdd: { native: true, wasm: true },
  softmaxXentGrad: { native: true, wasm: true },
  mseGrad: { native: true, wasm: true },
  softmaxXentGradWeighted: { native: true, wasm: true },
  mseGradWeighted: { native: true, wasm: true },
  reluBackward: { native: true, wasm: true },
  biasAct: { native: true, wasm: true },
  actBackward: { native: true, wasm: true },
  dropout: { native: true, wasm: true },
  colSums: { native: true, wasm: true },
  sgdUpdate: { native: true, wasm: true },
  gatherPixels: { native: true, wasm: true },
  gatherRows: { native: true, wasm: false },
  gatherSparse: { native: true, wasm: true },
  startGatherSparse: { native: true, wasm: false },
  startGatherPixels: { native: true, wasm: false },
  finishGather: { native: true, wasm: false },
  sparseMatmul: { native: true, wasm: true },
  sparseMatmulT: { native: true, wasm: true },
  permutation: { native: true, wasm: false },
  momentumUpdate: { native: true, wasm: false },
  adamUpdate: { native: true, wasm: false },
  getThreads: { native: true, wasm: false },
  setThreads: { native: true, wasm: false },
  isa: { native: true, wasm: false },
  // Memory: the native backend allocates in TypeScript (over alignOffset), the WASM backend in
  // its linear memory through the module's allocator (WASM_RUNTIME below).
  alloc: { native: false, wasm: false },
  holds: { native: false, wasm: false },
} as const satisfies Record<KernelName, Provided>;

/** Addon exports beyond the contract: the loader's settings (setIsa, setPoolPolicy) and the bench's probes. */
export const NATIVE_EXTRAS = ['setIsa', 'supportedIsas', 'setPoolPolicy', 'fmaPeak', 'alignOffset'] as const;

/** WASM exports beyond the kernels: the allocator over linear memory and each instance's stack. */
export const WASM_RUNTIME = ['alloc', 'free', 'nmlp_set_stack'] as const;

type Table = typeof KERNELS;
type ProvidedBy<W extends keyof Provided> = { [K in keyof Table]: Table[K][W] extends true ? K : never }[keyof Table];

export const KERNEL_NAMES = Object.keys(KERNELS) as KernelName[];

const providedBy = <W extends keyof Provided>(where: W) => KERNEL_NAMES.filter((name): name is ProvidedBy<W> => KERNELS[name][where]);

/** Every function the addon exports: the loader refuses a binary missing one. */
export const NATIVE_EXPORTS: readonly NativeExport[] = [...providedBy('native'), ...NATIVE_EXTRAS];

/** Every function the WASM module exports: the loader refuses a module missing one. */
export const WASM_EXPORTS: readonly WasmExport[] = [...providedBy('wasm'), ...WASM_RUNTIME];

export type NativeExport = ProvidedBy<'native'> | (typeof NATIVE_EXTRAS)[number];
export type WasmExport = ProvidedBy<'wasm'> | (typeof WASM_RUNTIME)[number];

// binding.d.ts and WasmExports declare exactly the list's exports: a name on one side only is a
// compile error here ("Type '"name"' does not satisfy the constraint 'never'").
type NoneOf<T extends never> = T;
type OnlyInBindingDts = NoneOf<Exclude<keyof typeof Binding, NativeExport>>;
type MissingFromBindingDts = NoneOf<Exclude<NativeExport, keyof typeof Binding>>;
type OnlyInWasmExports = NoneOf<Exclude<keyof WasmExports, WasmExport>>;
type MissingFromWasmExports = NoneOf<Exclude<WasmExport, keyof WasmExports>>;
