/**
 * A helper thread of the TypeScript sgemm pool (the protocol is in threads-protocol.ts). It sleeps
 * in Atomics.wait on its GO cell, claims and computes chunks of the job described in shared
 * memory, reports done on the shared counter, and sleeps again. It never returns to its event
 * loop while the pool runs, so buffers sent by the caller are read synchronously with
 * receiveMessageOnPort.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import * as T from './threads-protocol.js';
import type { HelperData, ToHelper } from './threads-protocol.js';
import { setProgressCell } from './sgemm.js';

// Imported by the bootstrap in threads-pool.ts, which has already hooked this thread's exit.
const { index, ctrl, job, port } = workerData as HelperData;

const base = T.W_BASE + T.W_STRIDE * index;
setProgressCell(ctrl, base + T.W_PROGRESS);

/** One Float32Array over each whole shared buffer the caller registered, by id. */
const buffers = new Map<number, Float32Array>();

/** Applies every pending message from the caller (new buffers, forgotten ones). */
function drain(): void {
  for (let r = receiveMessageOnPort(port); r !== undefined; r = receiveMessageOnPort(port)) {
    const msg = r.message as ToHelper;
    if ('forget' in msg) buffers.delete(msg.forget);
    else buffers.set(msg.id, new Float32Array(msg.sab, 0, Math.floor(msg.sab.byteLength / 4)));
  }
}

function buffer(id: number): Float32Array {
  let view = buffers.get(id);
  if (view === undefined) {
    // Posted before the job was published, so it is already queued on the port.
    drain();
    view = buffers.get(id);
    if (view === undefined) throw new Error(`shared buffer ${id} was never sent to this thread`);
  }
  return view;
}

function runJob(cmd: number): void {
  if (cmd === T.CMD_TEST_THROW) throw new Error('test failure requested');
  if (cmd === T.CMD_TEST_EXIT) process.exit(3);
  const chunks = T.runChunks(
    ctrl,
    job,
    buffer(job[T.J_A_ID]),
    job[T.J_A_OFF],
    buffer(job[T.J_B_ID]),
    job[T.J_B_OFF],
    buffer(job[T.J_C_ID]),
    job[T.J_C_OFF],
  );
  Atomics.add(ctrl, base + T.W_CHUNKS, chunks);
}

Atomics.store(ctrl, base + T.W_STATE, T.STATE_READY);
Atomics.notify(ctrl, base + T.W_STATE);
let seen = 0;
const go = base + T.W_GO;
for (;;) {
  // Sleeps until the caller publishes a job for this thread (returns at once if it already has).
  Atomics.wait(ctrl, go, seen);
  const gen = Atomics.load(ctrl, go);
  if (gen === seen) continue;
  seen = gen;
  const cmd = Atomics.load(ctrl, T.C_CMD);
  if (cmd === T.CMD_EXIT) break;
  try {
    runJob(cmd);
  } catch (e) {
    port.postMessage(e instanceof Error ? (e.stack ?? e.message) : String(e));
    Atomics.store(ctrl, base + T.W_FAILED, 1);
  }
  Atomics.store(ctrl, base + T.W_DONE, gen);
  Atomics.add(ctrl, T.C_DONE, 1);
  Atomics.notify(ctrl, T.C_DONE);
}
port.close();
