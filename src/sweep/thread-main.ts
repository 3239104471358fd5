/**
 * A sweep's training thread: takes one unit at a time from its parent and trains it with its own
 * backend (one native thread unless told otherwise), posting epochs and the result back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type BackendChoice, selectBackend } from '../backend/select.js';
import { trainUnit } from './train-unit.js';
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

port.on('message', (m: ThreadRequest) => {
  if (m.type === 'stop') {
    stop.abort();
    return;
  }
  stop = new AbortController();
  const signal = stop.signal;
  void trainUnit(backend, m.task, signal, (event) => post({ type: 'epoch', run: m.task.run, fold: m.task.fold, event }))
    .then((result) => post({ type: 'done', result }));
});
