/** `native-mlp sweep` and `native-mlp worker`: parse, run the library's sweep / queue worker, print. */
import { join } from 'node:path';
import type { SweepEvent } from '../sweep/sweep.js';
import type { Settings } from '../sweep/space.js';
import { helpText } from './help.js';
import { clock, fmt, type Out } from './print.js';
import { parseSweepArgs, parseWorkerArgs } from './sweep-args.js';

const out = (line: string): void => {
  process.stdout.write(line + '\n');
};

function settingsText(s: Settings): string {
  return Object.entries(s)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('-') : v}`)
    .join(' ');
}

/** The sweep's overall bar: finished runs, epochs trained of all, elapsed time and ETA. */
export class SweepBar {
  private epochsDone = 0;
  private readonly started = performance.now();
  private last = 0;
  private shown = false;

  constructor(
    private readonly o: Out & { columns?: number },
    private readonly epochs: number,
    private runs: number,
    private finished: number,
  ) {}

  epoch(): void {
    this.epochsDone++;
    this.draw(false);
  }

  run(finished: number): void {
    this.finished = finished;
    this.draw(true);
  }

  private draw(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const elapsed = (now - this.started) / 1000;
    const eta = this.epochsDone > 0 ? (elapsed / this.epochsDone) * (this.epochs - this.epochsDone) : undefined;
    const tail = ` ${this.finished}/${this.runs} runs ${clock(elapsed)}${eta === undefined ? '' : ` eta ${clock(eta)}`}`;
    const room = (this.o.columns && this.o.columns > 0 ? this.o.columns : 80) - 1;
    const width = Math.min(40, room - tail.length - 2);
    const frac = this.epochs > 0 ? Math.min(1, this.epochsDone / this.epochs) : 1;
    const bar = width >= 10 ? `[${'#'.repeat(Math.round(width * frac))}${'.'.repeat(width - Math.round(width * frac))}]` : '';
    this.o.write(`\r\x1b[2K${(bar + tail).slice(0, room)}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.o.write('\r\x1b[2K');
    this.shown = false;
  }
}

/** SIGINT / SIGTERM: the first stops the sweep cleanly, a second exits at once. */
function stopOnSignal(what: string) {
  const stop = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled) process.exit(sig === 'SIGTERM' ? 143 : 130);
    signalled = sig;
    process.stderr.write(`\nnative-mlp: ${sig}: ${what} (again to exit at once)\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: stop.signal,
    code: () => (signalled === 'SIGTERM' ? 143 : signalled ? 130 : 0),
    off() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export async function sweepCommand(argv: string[]): Promise<number | void> {
  const args = parseSweepArgs(argv);
  if (args.help) return void process.stdout.write(helpText('sweep'));
  const { sweep } = await import('../sweep/sweep.js');
  // The files a sweep writes directly in its folder never replace its data (a data path that is
  // an http(s) URL is not a file here).
  if (args.data !== undefined) {
    const { checkOutputs } = await import('../model/index.js');
    const inputs = [{ flag: '--data', path: args.data }, ...(args.test ? [{ flag: '--test', path: args.test }] : [])].filter(
      (i) => !/^https?:/i.test(i.path),
    );
    checkOutputs(
      ['runs.jsonl', 'best.safetensors', 'report.html', 'sweep.json'].map((f) => ({ flag: '--out', path: join(args.out, f) })),
      inputs,
    );
  }
  const stop = stopOnSignal('finishing: running trainings are checkpointed, finished runs kept');
  let bar: SweepBar | null = null;
  let metric: string = args.metric;
  const onEvent = (e: SweepEvent) => {
    if (args.json) return out(JSON.stringify(e));
    switch (e.event) {
      case 'sweep':
        out(
          `native-mlp sweep: ${e.runs} runs${e.finished ? ` (${e.finished} finished before)` : ''} into ${e.out}, ${e.redis ? `on the queue at ${e.redis}` : `${e.workers} worker${e.workers === 1 ? '' : 's'}`}`,
        );
        if (process.stdout.isTTY) bar = new SweepBar(process.stdout, e.epochs, e.runs, e.finished);
        return;
      case 'epoch':
        return bar?.epoch();
      case 'run': {
        bar?.clear();
        const scores = Object.entries(e.final)
          .filter(([k]) => k.startsWith('validation') || k.startsWith('test'))
          .map(([k, v]) => `${k} ${fmt(v)}`);
        out(
          `run ${e.run} (${e.finished}/${e.runs})  ${settingsText(e.settings)}  ${e.error ? `failed: ${e.error}` : scores.join('  ')}  ${e.seconds.toFixed(1)} s`,
        );
        return bar?.run(e.finished);
      }
      case 'best':
        bar?.clear();
        metric = e.metric;
        return out(`best: run ${e.run}, ${e.metric} ${fmt(e.value)}; copied to ${e.model}`);
      case 'report':
        return out(`Wrote report to ${e.file}`);
      case 'warning':
        bar?.clear();
        return void process.stderr.write(`native-mlp: ${e.message}\n`);
    }
  };
  try {
    const result = await sweep({
      out: args.out,
      resume: args.resume,
      data: args.data,
      target: args.target,
      features: args.features,
      table: args.table,
      task: args.task,
      testFile: args.test,
      validation: args.validation,
      standardize: args.standardize,
      params: args.params,
      trials: args.trials,
      searchSeed: args.searchSeed,
      maxRuns: args.maxRuns,
      metric: args.metric,
      folds: args.folds,
      workers: args.workers,
      threads: args.threads,
      backend: args.backend,
      redis: args.redis,
      queue: args.queue,
      attempts: args.attempts,
      signal: stop.signal,
      onEvent,
    });
    (bar as SweepBar | null)?.clear();
    if (result.aborted) {
      if (!args.json) out(`Stopped: ${result.runs.length} runs finished and kept; continue with native-mlp sweep --resume ${args.out}`);
      return stop.code() || 1;
    }
    if (!result.best && !args.json) out(`No run has a ${metric}: every run failed; see runs.jsonl`);
    return result.best ? 0 : 1;
  } finally {
    stop.off();
  }
}

export async function workerCommand(argv: string[]): Promise<number | void> {
  const args = parseWorkerArgs(argv);
  if (args.help) return void process.stdout.write(helpText('worker'));
  const { startQueueWorker } = await import('../sweep/queue-worker.js');
  const stop = stopOnSignal('stopping: running trainings are checkpointed for another worker');
  try {
    const worker = await startQueueWorker({
      redis: args.redis,
      queue: args.queue,
      concurrency: args.concurrency,
      backend: args.backend,
      threads: args.threads,
      lockSeconds: args.lockSeconds,
      maxStalled: args.maxStalled,
      onEvent(e) {
        if (args.json) return out(JSON.stringify(e));
        if (e.event === 'ready')
          out(`native-mlp worker: waiting for jobs on queue ${e.queue} at ${args.redis} (${e.concurrency} at a time)`);
        else if (e.event === 'job')
          out(`job ${e.id}: run ${e.run}${e.fold === undefined ? '' : ` fold ${e.fold}`}${e.resumed ? ' (resuming its checkpoint)' : ''}`);
        else if (e.event === 'done') out(`job ${e.id}: ${e.error ? `failed: ${e.error}` : 'done'}`);
        else out(`job ${e.id}: attempt failed: ${e.message}`);
      },
    });
    // A signal may have come while the worker was connecting.
    if (!stop.signal.aborted) await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
    await worker.close();
    return stop.code();
  } finally {
    stop.off();
  }
}
