/** The CLI's commands: each parses its flags, runs the library, and prints. */
import { readFileSync } from 'node:fs';
import { loadNative } from '../backend/native/load.js';
import { selectBackend } from '../backend/select.js';
import { loadWasm } from '../backend/wasm/load.js';
import { defaultDataDir, loadDataSet } from '../data/mnist.js';
import { fit } from '../train/fit.js';
import type { LoggedEvent } from '../report/events.js';
import { loadCheckpoint } from '../train/checkpoint.js';
import { NOTEBOOK_CONFIG, TABLE_CONFIG, type TrainConfig } from '../train/train.js';
import { pathKind } from '../data/source.js';
import { parseBenchArgs, parseInfoArgs, parseReportArgs, type RunArgs, UsageError } from './args.js';
import { parseTrainArgs } from './train-args.js';
import { checkFlagCombination, checkInitFrom } from './flag-rules.js';
import { mergeDataOptions } from '../train/resume-source.js';
import { helpText } from './help.js';
import { formatEvent, ProgressBar } from './print.js';
export { evalCommand, inspectCommand, predictCommand } from './table-commands.js';

export const out = (line: string): void => {
  process.stdout.write(line + '\n');
};

/** A warning: one line on stderr. */
export const warn = (line: string): void => {
  process.stderr.write(`native-mlp: warning: ${line}\n`);
};

export function backendFor(args: RunArgs) {
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

export async function trainCommand(argv: string[]): Promise<number | void> {
  const args = parseTrainArgs(argv);
  if (args.help) return void process.stdout.write(helpText('train'));
  const { checkOutputs, checkSaveTarget, loadModel } = await import('../model/index.js');
  // A resumed run keeps the checkpoint's settings and data; flags given now must agree (epochs may grow).
  const resume = args.resume === undefined ? undefined : loadCheckpoint(args.resume);
  const recorded = resume?.source ?? undefined;
  const dataPath = args.data ?? recorded?.data;
  const testPath = args.test ?? (typeof recorded?.options.testFile === 'string' ? recorded.options.testFile : undefined);
  // No output may replace an input (or another output); checked before any work.
  checkOutputs(named({ '--save': args.save, '--checkpoint': args.checkpoint, '--report': args.report }), [
    ...named({ '--data': dataPath ?? defaultDataDirIfAny(), '--test': testPath, '--init-from': args.initFrom ?? recorded?.initFrom?.path }),
    ...named({ '--resume': args.resume }).map((i) => ({ ...i, replaceableBy: ['--checkpoint'] })),
  ]);
  // A save that cannot succeed fails now, not after the whole run.
  if (args.save !== undefined) checkSaveTarget(args.save);
  const backend = backendFor(args);
  // Without a resume only the flags given are passed: fit() fills the rest from the data's preset.
  const flags = Object.fromEntries(args.given.map((k) => [k, args.config[k]])) as Partial<TrainConfig>;
  const { evalImages: _, ...given } = resume ? ({ ...resume.config, ...flags } as TrainConfig) : flags;
  // Flags are judged against the settings the run will have: the checkpoint's, or the data's preset.
  const preset = pathKind(dataPath ?? defaultDataDir(), args.target !== undefined) === 'folder' ? NOTEBOOK_CONFIG : TABLE_CONFIG;
  checkFlagCombination((resume ? given : { ...preset, ...given }) as TrainConfig, args.given);
  // A warm start keeps the model's network: flags that contradict it are refused before any work.
  if (args.initFrom !== undefined)
    checkInitFrom(args.initFrom, loadModel(args.initFrom).net, args.config, args.given, resume !== undefined);
  // The report's packages are checked before training, not after a long run.
  const reporting = args.report ? await import('../report/index.js') : undefined;
  await reporting?.loadReportLibs();
  if (reporting && args.report) reporting.checkReportTarget(args.report);
  const log: LoggedEvent[] = []; // the events as --json prints them, so `report RUN.jsonl` rebuilds the same page
  let bar: ProgressBar | null = null; // made at the start event, which says the resolved epochs
  // SIGINT / SIGTERM: finish the current batch, write the checkpoint (if asked), exit 130 / 143.
  // A second signal exits at once; checkpoints are written atomically, so no file is half-written.
  const stop = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const exitCode = (sig: NodeJS.Signals) => (sig === 'SIGTERM' ? 143 : 130);
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled) process.exit(exitCode(sig));
    signalled = sig;
    bar?.clear();
    process.stderr.write(
      `native-mlp: ${sig}: finishing the current batch${args.checkpoint ? ` and writing ${args.checkpoint}` : ''} (again to exit at once)\n`,
    );
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The data options, recorded in a saved model so that serve's POST /train can train it again.
  const dataOptions = {
    target: args.target,
    features: args.features,
    task: args.task,
    table: args.table,
    validation: args.validation,
    testFile: args.test,
    standardize: args.standardize,
  };
  let result;
  try {
    // fit() reads IDX files on the thread pool while drawing the initial weights (train/start.ts).
    // evalImages is fit's to choose: the notebook's 10,000 for image folders, none for tables.
    // A checkpoint that records its data source brings its data and data flags (fit checks any given against it).
    result = await fit(args.data ?? (recorded ? undefined : defaultDataDir()), {
      ...given,
      backend,
      ...dataOptions,
      resume: args.resume,
      checkpoint: args.checkpoint,
      signal: stop.signal,
      from: args.initFrom,
      onEvent(e) {
        if (e.event === 'start' && !args.json && process.stdout.isTTY) bar = new ProgressBar(process.stdout, e.epochs);
        if (reporting) log.push(JSON.parse(JSON.stringify(e)));
        bar?.clear();
        // A warning is one line on stderr, and with --json also an event in the log.
        if (e.event === 'warning') warn(e.message);
        if (args.json) out(JSON.stringify(e));
        else if (e.event !== 'warning') out(formatEvent(e));
      },
      onBatch: !args.json && process.stdout.isTTY ? (p) => bar?.update(p) : undefined,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (result.aborted) {
    if (!args.json && args.checkpoint) out(`Checkpoint written to ${args.checkpoint}; continue with --resume ${args.checkpoint}`);
    return signalled ? exitCode(signalled) : 1;
  }
  if (args.save !== undefined) {
    const { saveModel } = await import('../model/index.js');
    const t = result.test;
    const score: Record<string, string> = !t
      ? {}
      : t.testRmse !== undefined
        ? { testRmse: String(t.testRmse) }
        : { testAccuracy: String(t.testAccuracy) };
    const { sourceMetadata } = await import('../serve/source.js');
    // The resolved settings: a resumed run's file equals the file of a run never interrupted.
    const { evalImages: _e, ...settings } = result.config;
    // A resumed run records the checkpoint's data source, so its file equals an unbroken run's.
    const options: Record<string, unknown> = recorded ? mergeDataOptions(recorded.options, dataOptions) : { ...dataOptions };
    // A warm start without --target used the model's: recorded, so that serve's POST /train can train on the file.
    if (options.target === undefined && result.model.pipeline && (args.initFrom !== undefined || recorded?.initFrom))
      options.target = result.model.pipeline.target.columns;
    const source = sourceMetadata(dataPath ?? defaultDataDir(), options, settings);
    const run = { epochs: String(settings.epochs), seed: String(settings.seed) };
    const warm: Record<string, string> = result.warmStart
      ? { warm_start: JSON.stringify({ file: result.warmStart.path, sha256: result.warmStart.sha256 }) }
      : {};
    saveModel(
      args.save,
      result.net,
      { ...score, ...run, ...source, ...warm },
      { ...result.model, allowNonFinite: settings.allowNonFinite },
    );
    if (!args.json) out(`Saved model to ${args.save}`);
  }
  if (reporting && args.report && !result.aborted) {
    const line = JSON.stringify(reporting.analyzeRun(backend, result.model, result.data));
    if (args.json) out(line);
    log.push(JSON.parse(line));
    reporting.writeReport(args.report, await reporting.trainingReportHtml(log));
    if (!args.json) out(`Wrote report to ${args.report}`);
  }
}

/** The flags given a value, as named paths for checkOutputs. */
function named(paths: Record<string, string | undefined>): { flag: string; path: string }[] {
  return Object.entries(paths).flatMap(([flag, path]) => (path === undefined ? [] : [{ flag, path }]));
}

/** The default data folder, or undefined when the package is missing (fit explains that). */
function defaultDataDirIfAny(): string | undefined {
  try {
    return defaultDataDir();
  } catch {
    return undefined;
  }
}

// Model files and the bench are imported when a command needs them, keeping `train` start-up short.

/** The backend and the saved model a model command works with. */
export async function backendAndModel(args: RunArgs & { model: string }) {
  const backend = backendFor(args);
  const { loadModel } = await import('../model/index.js');
  const model = loadModel(args.model);
  const shape = { ...model, inputs: model.net.inputs, outputs: model.net.classes };
  return { backend, model, shape };
}

export function infoCommand(argv: string[]): void {
  const args = parseInfoArgs(argv);
  if (args.help) return void process.stdout.write(helpText('info'));
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
  if (args.help) return void process.stdout.write(helpText('bench'));
  const reporting = args.report ? await import('../report/index.js') : undefined;
  await reporting?.loadReportLibs(); // before the long run, not after it
  if (reporting && args.report) reporting.checkReportTarget(args.report);
  const { runBench } = await import('../bench/run.js');
  const { formatReport } = await import('../bench/format.js');
  const report = await runBench(loadDataSet(), {
    numpy: args.numpy,
    progress: (line) => process.stderr.write(`bench: ${line}\n`),
  });
  out(args.json ? JSON.stringify(report) : formatReport(report));
  if (reporting && args.report) {
    reporting.writeReport(args.report, await reporting.benchReportHtml(report));
    process.stderr.write(`bench: wrote report to ${args.report}\n`);
  }
}

export async function reportCommand(argv: string[]): Promise<void> {
  const args = parseReportArgs(argv);
  if (args.help) return void process.stdout.write(helpText('report'));
  const { checkOutputs } = await import('../model/index.js');
  checkOutputs(
    [{ flag: '--output', path: args.output }],
    args.logs.map((log) => ({ flag: 'the log', path: log })),
  );
  const { checkReportTarget, reportHtmlFromFiles, writeReport } = await import('../report/index.js');
  checkReportTarget(args.output, '--output');
  writeReport(args.output, await reportHtmlFromFiles(args.logs, { metric: args.metric }));
  out(`Wrote report to ${args.output}`);
}
