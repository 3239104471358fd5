/** The CLI's model and table commands: predict, eval, inspect. Each parses its flags, runs the library, and prints. */
import { DataError } from '../data/dataset.js';
import { inspectCsv } from '../data/from-csv.js';
import { readImages } from '../data/images.js';
import { loadDataSet } from '../data/mnist.js';
import { readCsvForEval, readCsvForModel } from '../data/model-rows.js';
import { pathKind } from '../data/source.js';
import { classScores, evaluate, evaluateRegression } from '../infer/metrics.js';
import { predict, predictRows } from '../infer/predict.js';
import { parseEvalArgs, parseInspectArgs, parsePredictArgs, UsageError } from './args.js';
import { ModelFileError } from '../model/errors.js';
import { backendAndModel, out, warn } from './commands.js';
import { helpText } from './help.js';
import { formatInspect } from './inspect-format.js';
import { fmt, formatConfusion, formatPrediction } from './print.js';

/** A model reads named columns (a table) when it has a pipeline or feature names. */
const readsTable = (m: { pipeline?: unknown; featureNames?: unknown }) => m.pipeline !== undefined || m.featureNames !== undefined;

export async function evalCommand(argv: string[]): Promise<void> {
  const args = parseEvalArgs(argv);
  if (args.help) return void process.stdout.write(helpText('eval'));
  const { backend, model, shape } = await backendAndModel(args);
  const { net } = model;
  let rows;
  if (args.data !== undefined && pathKind(args.data, readsTable(model)) === 'csv') {
    if (args.target === undefined && !model.pipeline)
      throw new DataError(
        '--target COLUMN is required to evaluate this model on a CSV file (it does not name its target); see native-mlp --help',
      );
    const read = await readCsvForEval(args.data, shape, args.target, args.read);
    if (read.dropped) warn(`${read.dropped} rows have no target value and are left out`);
    for (const w of read.warnings) warn(w);
    rows = read.rows;
  } else {
    const data = loadDataSet(args.data, net.classes);
    if (data.test.features !== net.inputs) {
      throw new DataError(`${data.source}: images have ${data.test.features} pixels but the model takes ${net.inputs}`);
    }
    rows = data.test;
  }
  if (model.task === 'regress') {
    const r = evaluateRegression(backend, net, rows, model.preprocessing);
    if (args.json) {
      out(
        JSON.stringify({
          event: 'eval',
          model: args.model,
          backend: backend.name,
          rows: r.count,
          testRmse: r.rmse,
          testMae: r.mae,
          testR2: r.r2,
          testLoss: r.loss,
        }),
      );
      return;
    }
    out(`Test RMSE: ${fmt(r.rmse)}   MAE ${fmt(r.mae)}   R^2 ${r.r2.toFixed(4)}   (${r.count} rows, ${backend.name} backend)`);
    return;
  }
  const r = evaluate(backend, net, rows);
  const scores = classScores(r.confusion, net.classes);
  if (args.json) {
    out(
      JSON.stringify({
        event: 'eval',
        model: args.model,
        backend: backend.name,
        images: r.count,
        rows: r.count,
        testAccuracy: r.accuracy,
        testLoss: r.loss,
        ...scores,
        confusion: Array.from(r.confusion),
        ...(model.classNames ? { classNames: model.classNames } : {}),
      }),
    );
    return;
  }
  out(
    `Test Accuracy: ${(r.accuracy * 100).toFixed(2)}%   loss ${r.loss.toFixed(4)}   macro-F1 ${scores.testMacroF1.toFixed(4)}   balanced accuracy ${scores.testBalancedAccuracy.toFixed(4)}   (${r.count} ${readsTable(model) ? 'rows' : 'images'}, ${backend.name} backend)`,
  );
  out(formatConfusion(r.confusion, net.classes, model.classNames));
}

export async function predictCommand(argv: string[]): Promise<void> {
  const args = parsePredictArgs(argv);
  if (args.help) return void process.stdout.write(helpText('predict'));
  const { backend, model, shape } = await backendAndModel(args);
  const { net } = model;
  if (pathKind(args.input, readsTable(model)) === 'csv') {
    const table = await readCsvForModel(args.input, shape, args.read);
    const p = predictRows(backend, model, table);
    for (const w of p.warnings) warn(w);
    if (p.task === 'regress') {
      // JSON would print a non-finite value as null: say what happened instead.
      const bad = p.values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0)
        throw new ModelFileError(
          `${args.model}: predicts ${p.values[bad]} for row ${Math.floor(bad / p.outputs)}: the model's weights or scaling overflow float32; retrain it`,
        );
    }
    const count = p.task === 'regress' ? p.values.length / p.outputs : p.labels.length;
    for (let i = 0; i < count; i++) out(formatPrediction(p, i, args.json, args.top));
    return;
  }
  if (model.task === 'regress') {
    // Class labels from a regression model's outputs would be made up: its outputs are values.
    throw new UsageError(
      `${args.model} is a regression model (it predicts values, not classes) but ${args.input} was read as images; pass a CSV file with the model's columns`,
    );
  }
  const images = readImages(args.input, net.inputs);
  const { labels, probabilities } = predict(backend, net, images);
  const C = net.classes;
  for (let i = 0; i < labels.length; i++) {
    const p = Array.from(probabilities.subarray(i * C, (i + 1) * C));
    out(args.json ? JSON.stringify({ index: i, label: labels[i], probabilities: p }) : `${i}\t${labels[i]}\t${p[labels[i]].toFixed(4)}`);
  }
}

export async function inspectCommand(argv: string[]): Promise<void> {
  const args = parseInspectArgs(argv);
  if (args.help) return void process.stdout.write(helpText('inspect'));
  const r = await inspectCsv(args.file, { ...args.table, target: args.target, features: args.features, task: args.task });
  for (const w of r.warnings) warn(w.message);
  if (args.json) {
    for (const c of r.columns) out(JSON.stringify(c));
    return;
  }
  out(formatInspect(args.file, r.rows, r.table.delimiter, r.columns));
}
