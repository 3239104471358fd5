/** Flag parsing of `native-mlp train`: the run's config, checked flag by flag (see args.ts for the shared readers). */
import { NOTEBOOK_CONFIG, type TrainConfig } from '../train/train.js';
import { MAX_LAYER_SIZE } from '../limits.js';
import { DEFAULT_OPTIMIZER, OPTIMIZER_NAMES } from '../optim/optimizer.js';
import { DEFAULT_SCHEDULE, SCHEDULE_NAMES } from '../optim/schedule.js';
import { MONITORS } from '../train/early-stopping.js';
import { FLAGS } from './flags.js';
import { DECIMAL_INT, DECIMAL_NUMBER, fitsFloat32, MAX_F32, MIN_NORMAL_F32 } from '../decimal.js';
import { ACTIVATIONS, isActivation } from '../backend/activation.js';
import { INITS } from '../nn/init.js';
import { parseClassWeight } from './weight-args.js';
import { choice, dataArgs, type DataArgs, int, parseFlags, runArgs, type RunArgs, str, UsageError } from './args.js';

export interface TrainArgs extends RunArgs, DataArgs {
  config: TrainConfig;
  /** The config settings given on the command line (the rest are defaults; a resume keeps the checkpoint's). */
  given: (keyof TrainConfig)[];
  data: string | undefined;
  save: string | undefined;
  /** Write the HTML report here. */
  report: string | undefined;
  checkpoint: string | undefined;
  resume: string | undefined;
  /** A saved model to continue training (warm start). */
  initFrom: string | undefined;
}

function positive(flag: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!DECIMAL_NUMBER.test(v) || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`--${flag} must be a number > 0 in decimal (e.g. 0.1 or 1e-3), got "${v}"`);
  }
  if (n < MIN_NORMAL_F32 || n > MAX_F32) {
    throw new UsageError(
      `--${flag} must be from ${MIN_NORMAL_F32} to ${MAX_F32} (the normal float32 range the kernels compute in), got "${v}"`,
    );
  }
  return n;
}

/** A number with a range check; `what` says the range in the error. */
function num(flag: string, v: string | undefined, fallback: number, ok: (n: number) => boolean, what: string): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!DECIMAL_NUMBER.test(v) || !Number.isFinite(n) || !ok(n)) throw new UsageError(`--${flag} must be ${what} in decimal, got "${v}"`);
  if (!fitsFloat32(n)) throw new UsageError(`--${flag} must be at most ${MAX_F32} (float32, what the kernels compute in), got "${v}"`);
  return n;
}

function sizes(flag: string, v: string | undefined, fallback: number[]): number[] {
  if (v === undefined) return [...fallback];
  const parts = v.split(',');
  const out = parts.map((p) => Number(p));
  if (parts.some((p) => !DECIMAL_INT.test(p)) || out.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_LAYER_SIZE)) {
    throw new UsageError(`--${flag} must be layer sizes from 1 to ${MAX_LAYER_SIZE} separated by commas (e.g. 128 or 256,64), got "${v}"`);
  }
  return out;
}

export function parseTrainArgs(argv: string[]): TrainArgs {
  const flags = parseFlags('train', argv);
  const v = (name: string) => str(flags, name);
  const d = NOTEBOOK_CONFIG;
  const o = DEFAULT_OPTIMIZER;
  const sc = DEFAULT_SCHEDULE;
  const unit = (n: number) => n >= 0 && n < 1;
  const config: TrainConfig = {
    epochs: int('epochs', v('epochs'), d.epochs, 1, 100000),
    batch: int('batch', v('batch'), d.batch, 1, 1 << 20),
    lr: positive('lr', v('lr'), d.lr),
    hidden: sizes('hidden', v('hidden'), d.hidden),
    seed: int('seed', v('seed'), d.seed, 0),
    evalImages: d.evalImages,
    optimizer: choice('optimizer', v('optimizer'), o.optimizer, OPTIMIZER_NAMES),
    momentum: num('momentum', v('momentum'), o.momentum, unit, 'a number in [0, 1)'),
    beta1: num('beta1', v('beta1'), o.beta1, unit, 'a number in [0, 1)'),
    beta2: num('beta2', v('beta2'), o.beta2, unit, 'a number in [0, 1)'),
    eps: positive('eps', v('eps'), o.eps),
    weightDecay: num('weight-decay', v('weight-decay'), o.weightDecay, (n) => n >= 0, 'a number >= 0'),
    schedule: choice('schedule', v('schedule'), sc.schedule, SCHEDULE_NAMES),
    warmup: int('warmup', v('warmup'), sc.warmup, 0, 100000),
    stepEvery: int('step-every', v('step-every'), sc.stepEvery, 1, 100000),
    stepGamma: num('step-gamma', v('step-gamma'), sc.stepGamma, (n) => n > 0 && n <= 1, 'a number in (0, 1]'),
    lrMin: num('lr-min', v('lr-min'), sc.lrMin, (n) => n >= 0, 'a number >= 0'),
    plateauFactor: num('plateau-factor', v('plateau-factor'), sc.plateauFactor, (n) => n > 0 && n < 1, 'a number in (0, 1)'),
    plateauPatience: int('plateau-patience', v('plateau-patience'), sc.plateauPatience, 1, 100000),
    earlyStopping: patience(v('early-stopping'), v('n-iter-no-change')),
    tol: num('tol', v('tol'), 0, (n) => n >= 0, 'a number >= 0'),
    alpha: num('alpha', v('alpha'), 0, (n) => n >= 0, 'a number >= 0'),
    dropout: num('dropout', v('dropout'), 0, unit, 'a number in [0, 1)'),
    activation: activation(v('activation')),
    init: choice('init', v('init'), 'notebook', INITS),
    monitor: choice('monitor', v('monitor'), 'validationLoss', MONITORS),
    allowNonFinite: flags.values['allow-non-finite'] === true,
    classWeight: parseClassWeight(v('class-weight')),
  };
  const given = FLAGS.filter((f) => f.config && f.commands.includes('train') && flags.values[f.name] !== undefined).map((f) => f.config!);
  if (flags.values['n-iter-no-change'] !== undefined && !given.includes('earlyStopping')) given.push('earlyStopping');
  return {
    ...runArgs(flags),
    config,
    given,
    data: v('data'),
    save: v('save'),
    checkpoint: v('checkpoint'),
    resume: v('resume'),
    initFrom: v('init-from'),
    report: v('report'),
    ...dataArgs(flags),
  };
}

/** --early-stopping N and --n-iter-no-change N (scikit-learn's name) set the same patience. */
function patience(early: string | undefined, nIter: string | undefined): number {
  if (early !== undefined && nIter !== undefined) {
    throw new UsageError('--early-stopping and --n-iter-no-change set the same patience; pass one');
  }
  return early !== undefined ? int('early-stopping', early, 0, 0, 100000) : int('n-iter-no-change', nIter, 0, 0, 100000);
}

/** --activation NAME or a comma list, one per hidden layer (the count is checked against --hidden later). */
function activation(v: string | undefined): string {
  if (v === undefined) return 'relu';
  const names = v.split(',').map((a) => a.trim());
  const bad = names.find((a) => !isActivation(a));
  if (bad !== undefined) {
    throw new UsageError(`--activation must be one of ${ACTIVATIONS.join(', ')} (or a comma list, one per hidden layer), got "${bad}"`);
  }
  return names.join(',');
}
