/**
 * `native-mlp bench`: for each backend configuration, verify the kernels, then time sgemm on the
 * training shapes, one training step and one epoch on MNIST; measure a real `train` process for
 * peak memory and start-up; and, when python3 with NumPy is present, run the notebook's loop in
 * the same run for comparison. Every figure comes from this run on this machine.
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../backend/contract.js';
import { loadNative } from '../backend/native/load.js';
import { jsBackend } from '../backend/js/index.js';
import { loadWasm } from '../backend/wasm/load.js';
import type { DataSet } from '../data/mnist.js';
import { defaultDataDir } from '../data/mnist.js';
import { sharedF32 } from '../backend/contract.js';
import { backward, forward, Mlp, Workspace } from '../nn/mlp.js';
import { identityOrder } from '../train/batches.js';
import { gatherBatch } from '../train/batches.js';
import { NOTEBOOK_CONFIG } from '../train/train.js';
import { trainInWorker } from '../train/worker.js';
import { writeDenseMnist } from './cli-epochs.js';
import { pythonColumns } from './python-peers.js';
import { epochFlops, timeEpochs } from './epochs.js';
import { tableBench, type TableRow } from './table.js';
import { MIN_SECONDS, SGEMM_TRIALS, type SgemmTrial } from './trials.js';

export interface Column {
  label: string;
  backend: string;
  threads: number;
  isa: string;
  /** GFLOP/s per trial name. */
  sgemm: Record<string, number>;
  stepMs?: number;
  /** MNIST (sparse inputs): epoch 1 and the median of the later epochs, seconds. */
  mnistFirst?: number;
  mnistMedian?: number;
  /** Dense MNIST (zeros replaced by 1): the same. */
  denseFirst?: number;
  denseMedian?: number;
  /** Epochs timed per data set (the median is over epochs 2 .. this). */
  epochsTimed?: number;
  /** Measured FMA limit of this column's threads, GFLOP/s (native only). */
  peakGflops?: number;
  /** The dense epoch's dense-product rate, GFLOP/s. */
  denseGflops?: number;
  /** Its fraction of peakGflops, in %. */
  densePercentOfPeak?: number;
  /** MNIST's median epoch (sparse path where the backend picks it). */
  epochSeconds?: number;
  imagesPerSecond?: number;
  /** Accuracy after the timed epoch, checked against the notebook's first epoch. */
  trainAccuracy?: number;
  peakRssMB?: number;
  firstBatchSeconds?: number;
}

/** Event-loop delay of the calling thread while an epoch trains in a worker. */
export interface EventLoopDelay {
  backend: string;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  epochSeconds: number;
}

export interface BenchReport {
  machine: { cpu: string; cores: number; node: string; platform: string };
  columns: Column[];
  eventLoop: EventLoopDelay;
  /** The tabular rows (table.ts): native-mlp and its peers per optimizer (absent in older reports). */
  table?: TableRow[];
  notes: string[];
}

/** Seeded test data in [-1, 1), on shared memory like the network's own arrays (so the JS backend may split its work). */
function filled(n: number, seed: number, alloc: (n: number) => Float32Array = sharedF32): Float32Array {
  const out = alloc(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/**
 * Checks 64 sampled entries of C against a float64 dot product; throws on a mismatch. Its own few
 * lines, not the tests' reference (test/helpers/reference.ts): shipped code cannot import test/.
 */
function verifySgemm(be: Backend, t: SgemmTrial): void {
  const { transA, transB, m, n, k } = t;
  const a = filled(m * k, 1);
  const b = filled(k * n, 2);
  const c = new Float32Array(m * n).fill(NaN);
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  be.sgemm(transA, transB, m, n, k, 1, a, lda, b, ldb, 0, c, n);
  for (let s = 0; s < 64; s++) {
    const i = (s * 7919) % m;
    const j = (s * 104729) % n;
    let want = 0;
    let bound = 0;
    for (let p = 0; p < k; p++) {
      const x = transA ? a[p * lda + i] : a[i * lda + p];
      const y = transB ? b[j * ldb + p] : b[p * ldb + j];
      want += x * y;
      bound += Math.abs(x * y);
    }
    if (!(Math.abs(c[i * n + j] - want) <= 1e-5 * bound + 1e-6)) {
      throw new Error(`bench: ${be.name} sgemm ${t.name} is wrong at C[${i},${j}]: ${c[i * n + j]} vs ${want}; not timing it`);
    }
  }
}

/** Runs fn repeatedly for at least MIN_SECONDS after a warm-up; returns seconds per call. */
function timeIt(fn: () => void): number {
  for (let i = 0; i < 3; i++) fn();
  let reps = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    fn();
    reps++;
    elapsed = (performance.now() - t0) / 1000;
  } while (elapsed < MIN_SECONDS);
  return elapsed / reps;
}

function sgemmGflops(be: Backend, t: SgemmTrial): number {
  verifySgemm(be, t);
  const a = filled(t.m * t.k, 3, be.alloc);
  const b = filled(t.k * t.n, 4, be.alloc);
  const c = be.alloc(t.m * t.n);
  const lda = t.transA ? t.m : t.k;
  const ldb = t.transB ? t.k : t.n;
  const s = timeIt(() => be.sgemm(t.transA, t.transB, t.m, t.n, t.k, 1, a, lda, b, ldb, 0, c, t.n));
  return (2 * t.m * t.n * t.k) / s / 1e9;
}

/** Milliseconds of one forward + backward + SGD step at the notebook's batch on MNIST rows. */
function stepMs(be: Backend, data: DataSet): number {
  const net = new Mlp([784, 128, 10], undefined, be.alloc);
  net.params.set(filled(net.params.length, 5).map((v) => v * 0.05));
  const ws = new Workspace(net, 128, be.alloc);
  const labels = new Uint32Array(128);
  gatherBatch(be, ws.X, labels, data.train, identityOrder(128), 0, 128);
  return (
    1000 *
    timeIt(() => {
      forward(be, net, ws, 128);
      backward(be, net, ws, labels, 128, { into: 'weights', lr: 0.01 });
    })
  );
}

/**
 * What the bench runs on one backend at one thread count, decided where the backend is loaded (never
 * from its name): epochs per data set (all eight of the notebook's for native, two for the slower
 * WASM and TypeScript backends), and the addon's FMA peak probe when there is one.
 */
interface BenchConfig {
  be: Backend;
  threads: number;
  label: string;
  epochs: number;
  fmaPeak?: (threads: number, seconds: number) => number;
}

/** MNIST and dense MNIST epochs (IDX folders, through the CLI), the peak, and the dense epoch's share of it. */
function epochColumns(c: BenchConfig, data: DataSet, dirs: { mnist: string; dense: string }): Partial<Column> {
  const { be, threads, epochs } = c;
  const mnist = timeEpochs(be, threads, dirs.mnist, epochs, true);
  const full = timeEpochs(be, threads, dirs.dense, epochs, false);
  const col: Partial<Column> = {
    epochsTimed: epochs,
    mnistFirst: mnist.first,
    mnistMedian: mnist.median,
    denseFirst: full.first,
    denseMedian: full.median,
    epochSeconds: mnist.median,
    imagesPerSecond: data.train.count / mnist.median,
    trainAccuracy: mnist.accuracy[1],
    denseGflops: epochFlops(data.train.count) / full.median / 1e9,
  };
  if (c.fmaPeak) {
    col.peakGflops = c.fmaPeak(threads, 0.5);
    col.densePercentOfPeak = (100 * col.denseGflops!) / col.peakGflops;
  }
  return col;
}

/** Peak RSS and time to the first batch of a real `native-mlp train --epochs 1` process. */
function trainProcess(backend: string, threads: number): Promise<Pick<Column, 'peakRssMB' | 'firstBatchSeconds'>> {
  const cli = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  // Reports the child's own peak RSS on exit, without the CLI knowing about benchmarks.
  const probe = 'data:text/javascript,process.on("exit",()=>process.stderr.write("\\nmaxRSS="+process.resourceUsage().maxRSS+"\\n"))';
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = 0;
    let stderr = '';
    const child = spawn(process.execPath, [
      '--import',
      probe,
      cli,
      'train',
      '--epochs',
      '1',
      '--json',
      '--backend',
      backend,
      '--threads',
      String(threads),
    ]);
    // The start event is written just before the first batch.
    child.stdout.once('data', () => (first = (performance.now() - t0) / 1000));
    child.stdout.resume();
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const rss = /maxRSS=(\d+)/.exec(stderr);
      if (code !== 0 || !rss) reject(new Error(`bench: train child failed (exit ${code}): ${stderr.trim()}`));
      else resolve({ peakRssMB: Number(rss[1]) / 1024, firstBatchSeconds: first });
    });
  });
}

/** Trains one epoch in a worker while sampling this thread's event-loop delay. */
async function eventLoopDelay(backend: 'native' | 'js'): Promise<EventLoopDelay> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const r = await trainInWorker({ ...NOTEBOOK_CONFIG, epochs: 1 }, { backend });
  h.disable();
  const ms = (ns: number) => ns / 1e6;
  return { backend, p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max), epochSeconds: r.epochs[0].seconds };
}

export interface BenchOptions {
  numpy: boolean;
  /** Called as each measurement finishes, for progress on long runs. */
  progress?: (line: string) => void;
}

export async function runBench(data: DataSet, opts: BenchOptions): Promise<BenchReport> {
  const say = opts.progress ?? (() => {});
  const notes: string[] = [];
  const configs: BenchConfig[] = [];
  const native = loadNative();
  if (native.backend && native.binding) {
    const cores = native.backend.setThreads(0);
    const fmaPeak = native.binding.fmaPeak.bind(native.binding);
    configs.push({ be: native.backend, threads: 1, label: 'native 1T', epochs: 8, fmaPeak });
    if (cores > 1) configs.push({ be: native.backend, threads: cores, label: `native ${cores}T`, epochs: 8, fmaPeak });
  } else {
    notes.push(`native backend unavailable: ${native.error?.message}`);
  }
  const wasm = loadWasm();
  if (wasm.backend) {
    configs.push({ be: wasm.backend, threads: 1, label: 'wasm 1T', epochs: 2 });
    if (cpus().length > 1) configs.push({ be: wasm.backend, threads: cpus().length, label: `wasm ${cpus().length}T`, epochs: 2 });
  } else {
    notes.push(`WASM backend unavailable: ${wasm.error?.message}`);
  }
  configs.push({ be: jsBackend, threads: 1, label: 'js 1T', epochs: 2 });
  const cores = cpus().length;
  if (cores > 1) configs.push({ be: jsBackend, threads: cores, label: `js ${cores}T`, epochs: 2 });

  const dense = writeDenseMnist(defaultDataDir());
  const dirs = { mnist: defaultDataDir(), dense: dense.dir };
  const columns: Column[] = [];
  for (const config of configs) {
    const { be, threads, label } = config;
    be.setThreads(threads);
    const col: Column = { label, backend: be.name, threads: be.getThreads(), isa: be.isa(), sgemm: {} };
    for (const t of SGEMM_TRIALS) {
      col.sgemm[t.name] = sgemmGflops(be, t);
      say(`${label}: sgemm ${t.name.replace(/\s+/g, ' ')}: ${col.sgemm[t.name].toFixed(1)} GFLOP/s`);
    }
    col.stepMs = stepMs(be, data);
    say(`${label}: training step ${col.stepMs.toFixed(2)} ms`);
    Object.assign(col, epochColumns(config, data, dirs));
    say(
      `${label}: MNIST epoch 1 ${col.mnistFirst?.toFixed(3)} s, median ${col.mnistMedian?.toFixed(3)} s; ` +
        `dense ${col.denseFirst?.toFixed(3)} / ${col.denseMedian?.toFixed(3)} s`,
    );
    Object.assign(col, await trainProcess(be.name, threads));
    say(`${label}: train process peak RSS ${col.peakRssMB?.toFixed(0)} MB`);
    columns.push(col);
  }
  dense.remove();
  if (native.backend) native.backend.setThreads(0);
  wasm.backend?.setThreads(1);
  jsBackend.setThreads(1);
  const eventLoop = await eventLoopDelay(native.backend ? 'native' : 'js');
  say(`event loop while a worker trains: p99 ${eventLoop.p99Ms.toFixed(1)} ms`);
  const best = configs.filter((c) => c.be.name === configs[0].be.name).at(-1)!;
  const table = tableBench(best.be.name, best.threads, 4, opts.numpy, say);
  notes.push(...table.notes);

  if (opts.numpy) {
    const peers = pythonColumns(say);
    columns.push(...peers.columns);
    notes.push(...peers.notes);
  }
  return {
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    columns,
    eventLoop,
    table: table.rows,
    notes,
  };
}
