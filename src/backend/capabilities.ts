/**
 * What a backend can do beyond the kernel list, declared by the backend (derived from the kernels
 * it implements), so callers ask for an ability instead of checking a backend's name.
 */
import type { BackendName, Kernels } from './contract.js';

export interface Capabilities {
  /**
   * startGatherSparse / startGatherPixels gather on another thread while the caller goes on (when
   * the arrays live on SharedArrayBuffers and a worker is free); without it they gather at once.
   */
  readonly backgroundGather: boolean;
  /**
   * setThreads between two calls costs nothing (the native pool: its idle threads sleep, and a
   * call uses them only while they make it faster), so a sweep lends an idle worker's core to a
   * training still running. The TypeScript backend starts worker threads for it instead.
   */
  readonly lendThreads: boolean;
}

export function capabilitiesOf(name: BackendName, k: Kernels): Capabilities {
  return Object.freeze({
    backgroundGather: k.startGatherSparse !== undefined && k.startGatherPixels !== undefined,
    lendThreads: name === 'native',
  });
}
