/** Rules over the training flags together: settings that contradict each other or have no effect. */
import { DEFAULT_OPTIMIZER } from '../optim/optimizer.js';
import { DEFAULT_SCHEDULE } from '../optim/schedule.js';
import type { TrainConfig } from '../train/train.js';
import { UsageError } from './args.js';
import type { Activation } from '../backend/activation.js';
import { activationText, checkActivations } from '../nn/activation.js';

/** Settings that only matter for some optimizers or schedules: the flag, its key, and where it counts. */
const ONLY_FOR: [flag: string, key: keyof TrainConfig, on: 'optimizer' | 'schedule', values: readonly string[]][] = [
  ['momentum', 'momentum', 'optimizer', ['momentum', 'nesterov']],
  ['beta1', 'beta1', 'optimizer', ['adam', 'adamw']],
  ['beta2', 'beta2', 'optimizer', ['adam', 'adamw']],
  ['eps', 'eps', 'optimizer', ['adam', 'adamw']],
  ['step-every', 'stepEvery', 'schedule', ['step']],
  ['step-gamma', 'stepGamma', 'schedule', ['step']],
  ['lr-min', 'lrMin', 'schedule', ['cosine', 'plateau']],
  ['plateau-factor', 'plateauFactor', 'schedule', ['plateau']],
  ['plateau-patience', 'plateauPatience', 'schedule', ['plateau']],
];

/**
 * Refuses settings that contradict each other or would have no effect, with the reason: a flag for
 * another optimizer or schedule (--momentum with adam), a warm-up as long as the run, --lr-min above
 * --lr, --monitor without --early-stopping. `config` is the run's (a resume's merged with the flags),
 * `given` the settings given on this command line.
 */
export function checkFlagCombination(config: TrainConfig, given: readonly (keyof TrainConfig)[]): void {
  for (const [flag, key, on, values] of ONLY_FOR) {
    const current = String(config[on] ?? (on === 'optimizer' ? DEFAULT_OPTIMIZER.optimizer : DEFAULT_SCHEDULE.schedule));
    if (given.includes(key) && !values.includes(current)) {
      throw new UsageError(
        `--${flag} has no effect with --${on} ${current} (it is used by --${on} ${values.join(' or ')}); drop it or pick one of those`,
      );
    }
  }
  if (given.includes('monitor') && !(config.earlyStopping! > 0)) {
    throw new UsageError('--monitor has no effect without --early-stopping N; drop it or add --early-stopping');
  }
  const warmup = config.warmup ?? DEFAULT_SCHEDULE.warmup;
  if (warmup > 0 && config.epochs !== undefined && warmup >= config.epochs) {
    throw new UsageError(
      `--warmup ${warmup} is not shorter than the run (--epochs ${config.epochs}): the learning rate would never reach --lr; use fewer warm-up epochs`,
    );
  }
  const lrMin = config.lrMin ?? DEFAULT_SCHEDULE.lrMin;
  if (config.lr !== undefined && lrMin > config.lr)
    throw new UsageError(
      `--lr-min ${lrMin} is above --lr ${config.lr}: the schedule would raise the learning rate; pass --lr-min below --lr`,
    );
}

/**
 * --init-from FILE: the model decides the network, so --hidden or --activation that contradict it,
 * --init (nothing is drawn) and --resume (a checkpoint carries its own weights) are refused.
 */
export function checkInitFrom(
  file: string,
  net: { sizes: readonly number[]; activations: readonly Activation[] },
  config: TrainConfig,
  given: readonly (keyof TrainConfig)[],
  resume: boolean,
): void {
  if (resume)
    throw new UsageError(
      '--init-from and --resume contradict each other: a checkpoint carries its weights and the model it started from; pass one',
    );
  const hidden = net.sizes.slice(1, -1);
  if (given.includes('hidden') && JSON.stringify(config.hidden) !== JSON.stringify(hidden)) {
    throw new UsageError(
      `--hidden ${config.hidden.join(',')} contradicts ${file}, whose hidden layers are ${hidden.join(',')}; drop --hidden (a warm start keeps the model's network)`,
    );
  }
  if (given.includes('activation')) {
    let same = false;
    try {
      same = activationText(checkActivations(config.activation ?? 'relu', hidden.length)) === activationText(net.activations);
    } catch {
      // a list of the wrong length contradicts the model too
    }
    if (!same)
      throw new UsageError(
        `--activation ${String(config.activation)} contradicts ${file}, whose activation is ${activationText(net.activations)}; drop --activation`,
      );
  }
  if (given.includes('init'))
    throw new UsageError(`--init has no effect with --init-from ${file}: the weights are the model's; drop --init`);
}
