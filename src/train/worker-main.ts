/** The worker side of trainInWorker: runs train() and posts its events back. */
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../backend/select.js';
import { loadDataSet } from '../data/mnist.js';
import { Mlp } from '../nn/mlp.js';
import { train } from './train.js';
import type { WorkerMessage, WorkerRequest } from './worker.js';

const port = parentPort!;
const post = (m: WorkerMessage) => port.postMessage(m);
const req = workerData as WorkerRequest;

try {
  const backend = selectBackend(req.backend);
  if (req.threads !== undefined) backend.setThreads(req.threads);
  const data = typeof req.data === 'object' ? req.data : loadDataSet(req.data);
  const stop = new AbortController();
  if (Atomics.load(req.stop, 0) !== 0) stop.abort();
  const result = train(backend, data, req.config, {
    net: req.net && new Mlp(req.net.sizes, req.net.params, undefined, req.net.activations),
    checkpoint: req.checkpoint,
    resume: req.resume,
    input: req.input,
    preset: req.preset,
    netOrigin: req.netOrigin,
    warmStart: req.warmStart,
    source: req.source,
    signal: stop.signal,
    onEvent: (event) => post({ type: 'event', event }),
    onBatch: (progress) => {
      post({ type: 'batch', progress });
      if (Atomics.load(req.stop, 0) !== 0) stop.abort();
    },
  });
  const { net, epochs, stop: stopEvent, test, aborted, config } = result;
  post({
    type: 'done',
    sizes: [...net.sizes],
    params: net.params,
    activations: [...net.activations],
    epochs,
    stop: stopEvent,
    test,
    aborted,
    config,
  });
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ type: 'error', name: err.name, message: err.message });
}
