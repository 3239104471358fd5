/**
 * Warm start: a saved (or trained) model continues training on new rows of the same schema. Its
 * network is the starting point (copied, the caller's model is not changed); its data side decides
 * how the rows are read: a table's rows go through the model's own pipeline and scaling (never
 * refitted), arrays and IDX images through its scaling, and the class names are the model's.
 * Settings that would change the network (hidden sizes, activation, initialisation) or refit the
 * pipeline are refused with the option named, since they cannot apply.
 */
import { resolve } from 'node:path';
import type { DataSet, Task } from '../data/dataset.js';
import { DataError } from '../data/dataset.js';
import { withValidation } from '../data/split.js';
import { standardizeWith } from '../data/standardize.js';
import type { TrainedModel } from '../infer/predict.js';
import { loadModel } from '../model/safetensors.js';
import { activationText, checkActivations } from '../nn/activation.js';
import { Mlp } from '../nn/mlp.js';
import type { TrainConfig } from './config.js';
import { TrainSetupError } from './events.js';

export interface WarmStart {
  /** The model the run starts from (its network is copied before training). */
  model: TrainedModel;
  /** The model file as given, when it came from one (the start event says "init from FILE"). */
  file?: string;
}

/** The options of fit a warm start reads or refuses (a subset of FitOptions, to keep imports one-way). */
export interface WarmOptions extends Partial<TrainConfig> {
  task?: Task;
  features?: readonly string[];
  table?: object;
  standardize?: boolean;
  classNames?: readonly string[];
  classes?: number;
}

/** Table options that refit the pipeline; reading options (delimiter, decimal) are fine. */
const PIPELINE_OPTIONS: [key: string, flag: string][] = [
  ['ignore', 'ignore'],
  ['categorical', 'categorical'],
  ['numeric', 'numeric'],
  ['date', 'date'],
  ['na', 'na'],
  ['impute', 'impute'],
  ['maxCategories', 'max-categories'],
];

export function loadWarmStart(from: string | TrainedModel): WarmStart {
  if (typeof from === 'string') return { model: loadModel(from), file: from };
  if (typeof from !== 'object' || from === null || !(from.net instanceof Mlp)) {
    throw new TypeError('Expected from to be a model file path or a trained model ({ net, ... }, as fit returns or loadModel reads)');
  }
  return { model: from };
}

/** The hidden sizes of a model's network. */
const hiddenOf = (m: TrainedModel) => [...m.net.sizes].slice(1, -1);

/**
 * The settings of a warm-started run: the model's hidden sizes and activation. Given settings that
 * contradict the model, and data options that would refit its pipeline, are refused by name.
 */
export function warmSettings<T extends WarmOptions>(w: WarmStart, o: T): T {
  const from = w.file ?? 'the model';
  const refuse = (what: string, why: string): never => {
    throw new TrainSetupError(`${what} ${why} with a warm start from ${from}; drop it`);
  };
  const hidden = hiddenOf(w.model);
  if (o.hidden !== undefined && JSON.stringify([...o.hidden]) !== JSON.stringify(hidden)) {
    refuse(`hidden ${o.hidden.join(',')} (--hidden)`, `contradicts the model's hidden layers ${hidden.join(',') || '(none)'}`);
  }
  const activation = activationText(w.model.net.activations);
  if (o.activation !== undefined && activationText(checkActivations(o.activation, hidden.length)) !== activation) {
    refuse(`activation ${String(o.activation)} (--activation)`, `contradicts the model's activation ${activation}`);
  }
  if (o.init !== undefined) refuse(`init ${o.init} (--init)`, "has no effect: the weights are the model's");
  const task = w.model.task ?? 'classify';
  if (o.task !== undefined && o.task !== task) refuse(`task ${o.task} (--task)`, `contradicts the model's task ${task}`);
  if (o.features !== undefined && w.model.pipeline)
    refuse('features (--features)', "has no effect: the model's pipeline names its columns");
  for (const [key, flag] of PIPELINE_OPTIONS) {
    if ((o.table as Record<string, unknown> | undefined)?.[key] !== undefined)
      refuse(`table.${key} (--${flag})`, "has no effect: the rows go through the model's own pipeline");
  }
  if (o.standardize !== undefined && o.standardize !== (w.model.preprocessing?.featureMean !== undefined)) {
    refuse(
      `standardize ${o.standardize} (--${o.standardize ? '' : 'no-'}standardize)`,
      "contradicts the model's scaling (the model's statistics are used)",
    );
  }
  if (o.classNames !== undefined && w.model.classNames && JSON.stringify([...o.classNames]) !== JSON.stringify(w.model.classNames)) {
    refuse('classNames', `contradicts the model's classes ${w.model.classNames.join(',')}`);
  }
  if (o.classes !== undefined && o.classes !== w.model.net.classes)
    refuse(`classes ${o.classes}`, `contradicts the model's ${w.model.net.classes} outputs`);
  return {
    ...o,
    hidden,
    activation,
    task,
    classes: w.model.net.classes,
    ...(w.model.classNames ? { classNames: [...w.model.classNames] } : {}),
  };
}

/**
 * Data loaded for a warm start, made ready: a validation fraction held out (a table's was held out
 * while it was read), the model's scaling applied (never refitted), and its shape checked against
 * the network's: one DataError naming what differs.
 */
export function prepareWarmData(data: DataSet, w: WarmStart, validation: number | undefined, seed: number): DataSet {
  const m = w.model;
  const from = w.file ?? 'the model';
  let d = data;
  if (!d.pipeline) {
    if (validation !== undefined && validation > 0) {
      if (d.validation)
        throw new DataError('the data already has a validation split; pass either validation rows or a validation fraction');
      d = withValidation(d, validation, seed);
    }
    d = standardizeWith(d, m.preprocessing);
  }
  const task = m.task ?? 'classify';
  if (d.task !== task) throw new DataError(`${d.source}: the data is a ${d.task} task but ${from} is a ${task} model`);
  if (d.train.features !== m.net.inputs) {
    throw new DataError(
      `${d.source}: the rows have ${d.train.features} input features but ${from} takes ${m.net.inputs}; a warm start needs rows of the model's schema`,
    );
  }
  if (d.classes !== m.net.classes) {
    throw new DataError(
      `${d.source}: the data has ${d.classes} ${task === 'regress' ? 'outputs' : 'classes'} but ${from} predicts ${m.net.classes}`,
    );
  }
  if (m.classNames && d.classNames && JSON.stringify(d.classNames) !== JSON.stringify(m.classNames)) {
    throw new DataError(`${d.source}: the classes ${d.classNames.join(',')} differ from ${from}'s ${m.classNames.join(',')}`);
  }
  return d;
}

/** A trained model with the warm start's data side (pipeline, names, scaling) and the new network. */
export function warmModel(w: WarmStart, net: Mlp): TrainedModel {
  const { task, featureNames, classNames, preprocessing, pipeline } = w.model;
  return { net, task, featureNames, classNames, preprocessing, pipeline };
}

/** The absolute path of the warm start's file, or undefined for a model passed in memory. */
export const warmFile = (w: WarmStart | undefined) => (w?.file === undefined ? undefined : resolve(w.file));
