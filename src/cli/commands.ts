/** The CLI's commands: each parses its flags, runs the library, and prints. */
import { readFileSync } from 'node:fs';
import { loadNative } from '../backend/native/load.js';
import { selectBackend } from '../backend/select.js';
import { loadWasm } from '../backend/wasm/load.js';
import { DataError } from '../data/idx.js';
import { readImages } from '../data/images.js';
import { DEFAULT_CLASSES, loadDataSet, loadDataSetAsync, peekFeatures } from '../data/mnist.js';
import { initMlp } from '../nn/init.js';
import { defaultRng } from '../rng/index.js';
import { predict } from '../train/predict.js';
import { EVAL_ROWS, evaluate } from '../train/metrics.js';
import { checkMemory, trainingBytes } from '../budget.js';
import { train } from '../train/train.js';
import {
  parseBenchArgs, parseEvalArgs, parseInfoArgs, parsePredictArgs, parseTrainArgs, type RunArgs, UsageError,
} from './args.js';
import { HELP } from './help.js';
import { formatConfusion, formatEvent, ProgressBar } from './print.js';

const out = (line: string): void => {
  process.stdout.write(line + '\n');
};

function backendFor(args: RunArgs) {
  const backend = selectBackend(args.backend);
  if (args.threads !== undefined) {
    try {
      backend.setThreads(args.threads);
    } catch (e) {
      // The TypeScript backend allows fewer threads than the native one (MAX_JS_THREADS).
      throw new UsageError(`--threads ${args.threads}: ${(e as Error).message}`);
    }
  }
  return backend;
}

export async function trainCommand(argv: string[]): Promise<void> {
  const args = parseTrainArgs(argv);
  if (args.help) return void process.stdout.write(HELP);
  // A save that cannot succeed fails now, not after the whole run.
  if (args.save !== undefined) (await import('../model/index.js')).checkSaveTarget(args.save);
  const backend = backendFor(args);
  // Start-up: the files are read on the thread pool while this thread draws the initial weights.
  const features = peekFeatures(args.data);
  if (features !== null) {
    const sizes = [features, ...args.config.hidden, DEFAULT_CLASSES];
    checkMemory(trainingBytes(sizes, Math.max(args.config.batch, EVAL_ROWS), 0), `Training layers ${sizes.join('-')} with batches of ${args.config.batch}`);
  }
  const pending = loadDataSetAsync(args.data);
  pending.catch(() => {}); // awaited below; this only stops an early rejection being "unhandled"
  const rng = defaultRng(args.config.seed);
  const net = features === null ? undefined : initMlp([features, ...args.config.hidden, DEFAULT_CLASSES], rng);
  const data = await pending;
  const bar = !args.json && process.stdout.isTTY ? new ProgressBar(process.stdout) : null;
  const result = train(backend, data, args.config, {
    net,
    rng,
    onEvent(e) {
      bar?.clear();
      out(args.json ? JSON.stringify(e) : formatEvent(e));
    },
    onBatch: bar ? (p) => bar.update(p) : undefined,
  });
  if (args.save !== undefined) {
    const { saveModel } = await import('../model/index.js');
    saveModel(args.save, result.net, {
      testAccuracy: String(result.test?.testAccuracy), epochs: String(args.config.epochs), seed: String(args.config.seed),
    });
    if (!args.json) out(`Saved model to ${args.save}`);
  }
}

// Model files and the bench are imported when a command needs them, keeping `train` start-up short.

/** The backend and the saved network a model command works with. */
async function backendAndModel(args: RunArgs & { model: string }) {
  const backend = backendFor(args);
  const { loadModel } = await import('../model/index.js');
  return { backend, net: loadModel(args.model).net };
}

export async function evalCommand(argv: string[]): Promise<void> {
  const args = parseEvalArgs(argv);
  if (args.help) return void process.stdout.write(HELP);
  const { backend, net } = await backendAndModel(args);
  const data = loadDataSet(args.data, net.classes);
  if (data.test.features !== net.inputs) {
    throw new DataError(`${data.source}: images have ${data.test.features} pixels but the model takes ${net.inputs}`);
  }
  const r = evaluate(backend, net, data.test);
  if (args.json) {
    out(JSON.stringify({ event: 'eval', model: args.model, backend: backend.name, images: r.count,
      testAccuracy: r.accuracy, testLoss: r.loss, confusion: Array.from(r.confusion) }));
    return;
  }
  out(`Test Accuracy: ${(r.accuracy * 100).toFixed(2)}%   loss ${r.loss.toFixed(4)}   (${r.count} images, ${backend.name} backend)`);
  out(formatConfusion(r.confusion, net.classes));
}

export async function predictCommand(argv: string[]): Promise<void> {
  const args = parsePredictArgs(argv);
  if (args.help) return void process.stdout.write(HELP);
  const { backend, net } = await backendAndModel(args);
  const images = readImages(args.input, net.inputs);
  const { labels, probabilities } = predict(backend, net, images);
  const C = net.classes;
  for (let i = 0; i < labels.length; i++) {
    const p = Array.from(probabilities.subarray(i * C, (i + 1) * C));
    out(args.json ? JSON.stringify({ index: i, label: labels[i], probabilities: p }) : `${i}\t${labels[i]}\t${p[labels[i]].toFixed(4)}`);
  }
}

export function infoCommand(argv: string[]): void {
  const args = parseInfoArgs(argv);
  if (args.help) return void process.stdout.write(HELP);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const native = loadNative();
  let reason = '';
  const backend = selectBackend(args.backend, (line) => (reason = line));
  if (args.threads !== undefined) backend.setThreads(args.threads);
  const info = {
    version: pkg.version,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    backend: backend.name,
    isa: backend.isa(),
    threads: backend.getThreads(),
    nativePath: native.path,
    nativeError: native.error?.message ?? null,
    fallbackReason: reason || null,
    wasmPath: loadWasm().path,
    wasmError: loadWasm().error?.message ?? null,
  };
  if (args.json) return out(JSON.stringify(info));
  out(`native-mlp ${info.version} (Node ${info.node}, ${info.platform})`);
  out(`backend: ${info.backend} (${info.isa}, ${info.threads} thread${info.threads === 1 ? '' : 's'})`);
  out(native.backend ? `native addon: loaded from ${native.path}` : `native addon: not loaded: ${info.nativeError}`);
  out(loadWasm().backend ? `wasm module: loaded from ${info.wasmPath}` : `wasm module: not loaded: ${info.wasmError}`);
  out('js: always available');
}

export async function benchCommand(argv: string[]): Promise<void> {
  const args = parseBenchArgs(argv);
  if (args.help) return void process.stdout.write(HELP);
  const { runBench } = await import('../bench/run.js');
  const { formatReport } = await import('../bench/format.js');
  const report = await runBench(loadDataSet(), {
    numpy: args.numpy,
    progress: (line) => process.stderr.write(`bench: ${line}\n`),
  });
  out(args.json ? JSON.stringify(report) : formatReport(report));
}
