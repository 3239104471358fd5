/**
 * A sweep's training thread: takes one unit at a time from its parent and trains it with its own
 * backend (one native thread unless told otherwise), posting epochs and the result back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type BackendChoice, selectBackend } from '../backend/select.js';
import type { DataSet } from '../data/dataset.js';
import { PreparedData, trainUnit } from './train-unit.js';
import type { EpochEvent } from '../train/events.js';
import type { ThreadRequest, ThreadMessage } from './pool.js';

const port = parentPort!;
const post = (m: ThreadMessage) => port.postMessage(m);
const { backend: choice, threads } = workerData as { backend?: BackendChoice; threads: number };

let backend;
try {
  backend = selectBackend(choice);
  backend.setThreads(threads);
} catch (e) {
  post({ type: 'fatal', message: (e as Error).message });
  process.exit(1);
}
let stop = new AbortController();
let data: DataSet | undefined; // the last unit's
const prepared = new PreparedData();

/** Epochs go to the parent in batches: a small table's epochs come faster than the parent's thread should wake for them. */
const EPOCHS_EVERY_MS = 100;

port.on('message', (m: ThreadRequest) => {
  if (m.type === 'stop') {
    stop.abort();
    return;
  }
  if (m.type === 'threads') {
    if (backend.capabilities.lendThreads) backend.setThreads(m.n);
    return;
  }
  stop = new AbortController();
  const signal = stop.signal;
  let events: EpochEvent[] = [];
  let posted = -Infinity;
  const flush = () => {
    if (events.length > 0) post({ type: 'epochs', events });
    events = [];
    posted = performance.now();
  };
  data = m.data ?? data;
  const task = { ...m.task, data: data! };
  const onEpoch = (event: EpochEvent) => {
    events.push(event);
    if (performance.now() - posted >= EPOCHS_EVERY_MS) flush();
  };
  void trainUnit(backend, task, signal, onEpoch, prepared).then((result) => {
    flush();
    post({ type: 'done', result });
  });
});
