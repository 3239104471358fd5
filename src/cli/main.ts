#!/usr/bin/env node
/** The native-mlp command: parses flags, runs the job, prints, and maps errors to exit codes. */
import { BackendError, selectBackend } from '../backend/select.js';
import { DataError } from '../data/idx.js';
import { loadDataSet } from '../data/mnist.js';
import { train } from '../train/train.js';
import { runBench } from '../bench/run.js';
import { formatReport } from '../bench/format.js';
import { parseBenchArgs, parseTrainArgs, UsageError } from './args.js';
import { formatEvent, ProgressBar } from './print.js';

const HELP = `Usage: native-mlp <command> [flags]

Commands:
  train    train an MLP on MNIST (or --data DIR) and print the notebook's table
  bench    verify, then time native and TypeScript kernels side by side (and NumPy, if present)

Flags for train:
  --epochs N        epochs (default 8)
  --batch N         minibatch size (default 128)
  --lr X            learning rate (default 0.1)
  --hidden A[,B..]  hidden layer sizes (default 128)
  --seed N          seed of NumPy's default_rng (default 0)
  --backend B       auto | native | js (default auto, or NATIVE_MLP_BACKEND)
  --threads N       native kernel threads (default: one per core)
  --data DIR        folder with the four MNIST-format IDX files (plain or .gz)
  --json            print JSON Lines events instead of text

Flags for bench:
  --json            print the report as one JSON object
  --no-numpy        skip the NumPy column even when python3 with NumPy is present
`;

function runTrain(argv: string[]): void {
  const args = parseTrainArgs(argv);
  if (args.help) {
    process.stdout.write(HELP);
    return;
  }
  const backend = selectBackend(args.backend);
  if (args.threads !== undefined) backend.setThreads(args.threads);
  const data = loadDataSet(args.data);
  const bar = !args.json && process.stdout.isTTY ? new ProgressBar(process.stdout) : null;
  train(backend, data, args.config, {
    onEvent(e) {
      bar?.clear();
      process.stdout.write((args.json ? JSON.stringify(e) : formatEvent(e)) + '\n');
    },
    onBatch: bar ? (p) => bar.update(p) : undefined,
  });
}

async function runBenchCommand(argv: string[]): Promise<void> {
  const args = parseBenchArgs(argv);
  const report = await runBench(loadDataSet(), {
    numpy: args.numpy,
    progress: (line) => process.stderr.write(`bench: ${line}\n`),
  });
  process.stdout.write((args.json ? JSON.stringify(report) : formatReport(report)) + '\n');
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'train':
        runTrain(rest);
        return 0;
      case 'bench':
        await runBenchCommand(rest);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"; see native-mlp --help`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof DataError || e instanceof BackendError) {
      process.stderr.write(`native-mlp: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
