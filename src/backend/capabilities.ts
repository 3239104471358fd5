/**
 * What a backend can do beyond the kernel list, declared by the backend (derived from the kernels
 * it implements), so callers ask for an ability instead of checking a backend's name.
 */
import type { Kernels } from './contract.js';

export interface Capabilities {
  /**
   * startGatherSparse / startGatherPixels gather on another thread while the caller goes on (when
   * the arrays live on SharedArrayBuffers and a worker is free); without it they gather at once.
   */
  readonly backgroundGather: boolean;
}

export function capabilitiesOf(k: Kernels): Capabilities {
  return Object.freeze({ backgroundGather: k.startGatherSparse !== undefined && k.startGatherPixels !== undefined });
}
