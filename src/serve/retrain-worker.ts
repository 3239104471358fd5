/**
 * The worker side of the server's retraining: fit() on the recorded data with the recorded
 * settings (the served model's architecture imposed), off the server's event loop. Posts the
 * new model file's bytes and its held-out score, or the error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fit } from '../train/fit.js';
import { encodeModel } from '../model/index.js';
import type { BackendChoice } from '../backend/select.js';

export interface RetrainRequest {
  data: string;
  /** fit() options: the recorded data options and settings, the architecture and epochs imposed. */
  options: Record<string, unknown>;
  /** Metadata strings for the new file (the recorded source and settings). */
  metadata: Record<string, string>;
  backend?: BackendChoice;
  threads?: number;
  /** [0] becomes 1 to stop within one batch. */
  stop: Int32Array;
}

export type RetrainMessage =
  | { type: 'epoch'; epoch: number; epochs: number }
  | { type: 'done'; bytes: Uint8Array; sizes: number[]; score: { metric: 'testAccuracy' | 'testRmse'; value: number } | null }
  | { type: 'error'; name: string; message: string };

const port = parentPort!;
const req = workerData as RetrainRequest;
const post = (m: RetrainMessage) => port.postMessage(m);

try {
  const stop = new AbortController();
  const result = await fit(req.data, {
    ...req.options,
    backend: req.backend ?? 'auto',
    signal: stop.signal,
    onEvent: (e) => {
      if (e.event === 'epoch') post({ type: 'epoch', epoch: e.epoch, epochs: (req.options.epochs as number | undefined) ?? 0 });
    },
    onBatch: () => {
      if (Atomics.load(req.stop, 0) !== 0) stop.abort();
    },
  });
  if (result.aborted) throw new Error('retraining was stopped (the server is closing)');
  const t = result.test;
  const score =
    t?.testRmse !== undefined
      ? { metric: 'testRmse' as const, value: t.testRmse }
      : t?.testAccuracy !== undefined
        ? { metric: 'testAccuracy' as const, value: t.testAccuracy }
        : null;
  const metadata = { ...req.metadata, ...(score ? { [score.metric]: String(score.value) } : {}) };
  const bytes = encodeModel(result.net, metadata, result.model);
  post({ type: 'done', bytes, sizes: [...result.net.sizes], score });
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  post({ type: 'error', name: err.name, message: err.message });
}
