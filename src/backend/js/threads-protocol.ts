/**
 * The protocol between the TypeScript sgemm's caller and its helper threads (threads-pool.ts and
 * threads-worker.ts): the layout of the shared control block and job descriptor, the messages on a
 * helper's port, and the chunk loop every thread runs. No state lives here.
 */
import type { MessagePort } from 'node:worker_threads';
import { sgemmJsRange } from './sgemm.js';

// ---- Shared control block (Int32Array) -------------------------------------------------------
/** Futex word the caller waits on: helpers (and dying helpers) add 1 and notify. */
export const C_DONE = 0;
/** What a woken helper should do: CMD_SGEMM, CMD_EXIT, or a test command. */
export const C_CMD = 1;
export const CMD_SGEMM = 1;
export const CMD_EXIT = 2;
/** Test hooks: the helper throws inside the job / exits its thread in the middle of the job. */
export const CMD_TEST_THROW = 3;
export const CMD_TEST_EXIT = 4;
/** Next chunk of the current job to hand out (threads claim chunks with Atomics.add). */
export const C_NEXT = 2;
/** Per-helper cells, one 64-byte cache line per helper so their counters do not false-share. */
export const W_BASE = 16;
export const W_STRIDE = 16;
/** Job generation this helper should run (its futex word: it waits for this to change). */
export const W_GO = 0;
/** Last generation this helper finished. */
export const W_DONE = 1;
/** STATE_BOOTING, STATE_READY or STATE_DEAD. */
export const W_STATE = 2;
/** Bumped by the helper's sgemm once per block of work (see setProgressCell). */
export const W_PROGRESS = 3;
/** 1 when the helper's last job threw; the error text is on its port. */
export const W_FAILED = 4;
/** Chunks this helper has computed (for tests: shows the helpers really take part). */
export const W_CHUNKS = 5;
export const STATE_BOOTING = 0;
export const STATE_READY = 1;
export const STATE_DEAD = 2;

// ---- Shared job descriptor (Float64Array) ----------------------------------------------------
export const J_TA = 0,
  J_TB = 1,
  J_M = 2,
  J_N = 3,
  J_K = 4,
  J_ALPHA = 5,
  J_BETA = 6;
export const J_A_ID = 7,
  J_A_OFF = 8,
  J_LDA = 9;
export const J_B_ID = 10,
  J_B_OFF = 11,
  J_LDB = 12;
export const J_C_ID = 13,
  J_C_OFF = 14,
  J_LDC = 15;
export const J_BY_ROWS = 16;
/** Number of chunks C is cut into. */
export const J_CHUNKS = 17;
/** Chunk i: rows or columns [lo, hi) at J_PART + 2i. */
export const J_PART = 18;

/** What each helper is started with. */
export interface HelperData {
  index: number;
  ctrl: Int32Array;
  job: Float64Array;
  port: MessagePort;
  /** Where the bootstrap's exit hook reports the helper's death. */
  cells: { state: number; dead: number; done: number };
  /** URL of the helper script the bootstrap imports. */
  script: string;
}

/** Messages on a helper's private port, caller to helper. */
export type ToHelper = { id: number; sab: SharedArrayBuffer } | { forget: number };

/**
 * Runs chunks of the published job until none are left; each thread (caller and helpers)
 * calls this with its own views of a, b and c at element offsets aOff, bOff, cOff.
 */
export function runChunks(
  ctrl: Int32Array,
  job: Float64Array,
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  bOff: number,
  c: Float32Array,
  cOff: number,
): number {
  const chunks = job[J_CHUNKS];
  let done = 0;
  for (let i = Atomics.add(ctrl, C_NEXT, 1); i < chunks; i = Atomics.add(ctrl, C_NEXT, 1), done++) {
    sgemmJsRange(
      job[J_TA] !== 0,
      job[J_TB] !== 0,
      job[J_M],
      job[J_N],
      job[J_K],
      job[J_ALPHA],
      a,
      aOff,
      job[J_LDA],
      b,
      bOff,
      job[J_LDB],
      job[J_BETA],
      c,
      cOff,
      job[J_LDC],
      job[J_BY_ROWS] !== 0,
      job[J_PART + 2 * i],
      job[J_PART + 2 * i + 1],
    );
  }
  return done;
}
