/**
 * Memory budgets checked before allocation: the bytes a network, its workspace and its data need,
 * against the documented limit (DEFAULT_MAX_MEMORY_BYTES, or NATIVE_MLP_MAX_MEMORY_MB) and the
 * machine's free memory, whichever is smaller. Refusals are MemoryBudgetErrors that say the number.
 */
import { freemem } from 'node:os';
import { envSettings } from './env.js';
import { DEFAULT_MAX_MEMORY_BYTES } from './limits.js';
import { UserError } from './errors.js';

/** Thrown when an allocation would exceed the memory budget. */
export class MemoryBudgetError extends UserError {
  override name = 'MemoryBudgetError';
}

/** The budget now: the configured limit, capped by free memory; and which of the two decided. */
export function memoryBudget(): { bytes: number; reason: string } {
  const env = envSettings().maxMemoryMb;
  let limit = DEFAULT_MAX_MEMORY_BYTES;
  let reason = `the limit of ${mib(limit)} (set NATIVE_MLP_MAX_MEMORY_MB to change it)`;
  if (env !== undefined) {
    if (!/^[0-9]+$/.test(env) || Number(env) < 1) {
      throw new RangeError(`Expected NATIVE_MLP_MAX_MEMORY_MB to be a whole number of MiB >= 1 but received "${env}"`);
    }
    limit = Number(env) * 1024 * 1024;
    reason = `NATIVE_MLP_MAX_MEMORY_MB=${env}`;
  }
  const free = freemem();
  if (free < limit) return { bytes: free, reason: `the machine's free memory (${mib(free)})` };
  return { bytes: limit, reason };
}

/** Throws a MemoryBudgetError when `bytes` (what `what` needs) is over the budget. */
export function checkMemory(bytes: number, what: string): void {
  const budget = memoryBudget();
  if (bytes > budget.bytes) {
    throw new MemoryBudgetError(`${what} needs ${mib(bytes)}, more than ${budget.reason}; use smaller layers or batches`);
  }
}

/** Bytes of float32 parameters for layer sizes (W and b), as Mlp allocates them. */
export function parameterBytes(sizes: readonly number[]): number {
  let n = 0;
  for (let l = 1; l < sizes.length; l++) n += sizes[l - 1] * sizes[l] + sizes[l];
  return 4 * n;
}

/** Bytes a Workspace of `rows` needs: u, du per layer, h, dh per hidden layer, X, and the gradient arena. */
export function workspaceBytes(sizes: readonly number[], rows: number): number {
  const L = sizes.length - 1;
  let floats = rows * sizes[0];
  for (let l = 1; l <= L; l++) floats += rows * sizes[l] * (l < L ? 4 : 2);
  return 4 * floats + parameterBytes(sizes);
}

/** What training needs: the network, a workspace of `rows`, and `dataBytes` of data. */
export function trainingBytes(sizes: readonly number[], rows: number, dataBytes: number): number {
  return parameterBytes(sizes) + workspaceBytes(sizes, rows) + dataBytes;
}

/** "3.1 GiB" / "12.0 MiB". */
export function mib(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
