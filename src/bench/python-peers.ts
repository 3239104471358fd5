/**
 * The bench's peer columns: the notebook's loop in NumPy (src/bench/numpy_loop.py) and in
 * PyTorch's eager loop (src/bench/torch_loop.py), each run by python3 on MNIST and dense MNIST.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defaultDataDir } from '../data/mnist.js';
import { epochFlops } from './epochs.js';
import type { Column } from './run.js';
import { SGEMM_TRIALS } from './trials.js';

export interface NumpyResult {
  numpy: string;
  sgemm: Record<string, number>;
  /** Median of epochs 2 .. N. */
  epochSeconds: number;
  firstEpochSeconds: number;
  trainAccuracy: number;
  peakRssMB: number;
}

/** The notebook's loop in NumPy (src/bench/numpy_loop.py), or a reason it could not run. */
export function runNumpy(dense = false, epochs = 8): NumpyResult | string {
  const script = fileURLToPath(new URL('../../src/bench/numpy_loop.py', import.meta.url));
  // OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE are set on some machines to dodge old OpenBLAS bugs and
  // slow a current NumPy down; unset both so NumPy runs its best kernel.
  const env: NodeJS.ProcessEnv = { ...process.env, NATIVE_MLP_SHAPES: JSON.stringify(dense ? [] : SGEMM_TRIALS) };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync('python3', [script, defaultDataDir(), '--epochs', String(epochs), ...(dense ? ['--dense'] : [])], {
    encoding: 'utf8',
    env,
    timeout: 600_000,
  });
  if (r.error) return `python3 not runnable (${r.error.message})`;
  if (r.status !== 0) return `NumPy loop failed: ${r.stderr.trim().split('\n').pop()}`;
  return JSON.parse(r.stdout) as NumpyResult;
}

/** The notebook's job in PyTorch's eager loop (src/bench/torch_loop.py, 2 threads), or why it could not run. */
export function runTorch(dense = false, epochs = 8): NumpyResult | string {
  const script = fileURLToPath(new URL('../../src/bench/torch_loop.py', import.meta.url));
  const r = spawnSync('python3', [script, defaultDataDir(), '--epochs', String(epochs), '--threads', '2', ...(dense ? ['--dense'] : [])], {
    encoding: 'utf8',
    timeout: 1_800_000,
  });
  if (r.error) return `python3 not runnable (${r.error.message})`;
  if (r.status === 3) return 'torch is not importable by python3; no PyTorch column';
  if (r.status !== 0) return `PyTorch loop failed: ${r.stderr.trim().split('\n').pop()}`;
  const t = JSON.parse(r.stdout) as { torch: string; epochSeconds: number; firstEpochSeconds: number; trainAccuracy: number };
  return {
    numpy: t.torch,
    sgemm: {},
    epochSeconds: t.epochSeconds,
    firstEpochSeconds: t.firstEpochSeconds,
    trainAccuracy: t.trainAccuracy,
    peakRssMB: NaN,
  };
}

/** The NumPy and PyTorch columns, and a note for each: its accuracy, or why it could not run. */
export function pythonColumns(say: (line: string) => void): { columns: Column[]; notes: string[] } {
  const columns: Column[] = [];
  const notes: string[] = [];
  say('numpy: running the notebook loop on MNIST, then on dense MNIST');
  const np = runNumpy(false);
  const npDense = typeof np === 'string' ? np : runNumpy(true);
  if (typeof np === 'string') notes.push(np);
  else if (typeof npDense === 'string') notes.push(npDense);
  else {
    columns.push({
      label: `numpy ${np.numpy}`,
      backend: 'numpy',
      threads: cpus().length,
      isa: 'OpenBLAS',
      sgemm: np.sgemm,
      epochsTimed: 8,
      mnistFirst: np.firstEpochSeconds,
      mnistMedian: np.epochSeconds,
      denseFirst: npDense.firstEpochSeconds,
      denseMedian: npDense.epochSeconds,
      denseGflops: epochFlops(60000) / npDense.epochSeconds / 1e9,
      epochSeconds: np.epochSeconds,
      imagesPerSecond: 60000 / np.epochSeconds,
      trainAccuracy: np.trainAccuracy,
      peakRssMB: np.peakRssMB,
    });
    notes.push(`NumPy's accuracy after 8 epochs: ${np.trainAccuracy} on MNIST, ${npDense.trainAccuracy} on dense MNIST`);
  }
  say('torch: running the notebook loop in PyTorch eager on MNIST, then on dense MNIST');
  const pt = runTorch(false);
  const ptDense = typeof pt === 'string' ? pt : runTorch(true);
  if (typeof pt === 'string' || typeof ptDense === 'string') notes.push(typeof pt === 'string' ? pt : (ptDense as string));
  else {
    columns.push({
      label: `torch ${pt.numpy}`,
      backend: 'torch',
      threads: 2,
      isa: 'eager',
      sgemm: {},
      epochsTimed: 8,
      mnistFirst: pt.firstEpochSeconds,
      mnistMedian: pt.epochSeconds,
      denseFirst: ptDense.firstEpochSeconds,
      denseMedian: ptDense.epochSeconds,
      denseGflops: epochFlops(60000) / ptDense.epochSeconds / 1e9,
      epochSeconds: pt.epochSeconds,
      imagesPerSecond: 60000 / pt.epochSeconds,
      trainAccuracy: pt.trainAccuracy,
    });
    notes.push(`PyTorch's accuracy after 8 epochs: ${pt.trainAccuracy} on MNIST, ${ptDense.trainAccuracy} on dense MNIST`);
  }
  return { columns, notes };
}
