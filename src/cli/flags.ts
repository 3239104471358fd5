/**
 * The one table of the CLI's commands and flags. The parser (args.ts) takes its option list from
 * here, `--help` is printed from here (help.ts), and docs/cli.md is generated from here
 * (scripts/gen-cli-doc.mjs; a test fails when the committed page differs). Adding a flag is one
 * row below plus reading its value in args.ts.
 */
import type { TrainConfig } from '../train/config.js';

export interface CommandSpec {
  name: string;
  /** What follows the command name in the usage line. */
  usage: string;
  summary: string;
}

export interface FlagSpec {
  /** The flag without its dashes. */
  name: string;
  /** The commands that take it. */
  commands: readonly string[];
  /** The value's placeholder in help ("N", "X", "FILE"); absent for a switch. */
  value?: string;
  short?: string;
  /** The default, as help shows it; absent when there is none. */
  default?: string;
  /** One line for --help and docs/cli.md. */
  help: string;
  /** The training setting it sets (a resumed run keeps the checkpoint's others). */
  config?: keyof TrainConfig;
  /** Section heading in help and docs/cli.md, when it is not the command's own. */
  group?: string;
  /** May be given more than once (its values are read as a list); other flags are refused twice. */
  repeat?: boolean;
}

// One row per command and per flag, as a table reads.
// prettier-ignore
export const COMMANDS: readonly CommandSpec[] = [
  { name: 'train', usage: '[--data DIR | --data FILE.csv --target COLUMN] [flags]', summary: 'train an MLP (the notebook\'s MNIST job by default) and print each epoch' },
  { name: 'eval', usage: '--model FILE [--data DIR | --data FILE.csv --target COLUMN]', summary: 'accuracy, loss and confusion matrix (or RMSE, MAE, R^2) of a saved model' },
  { name: 'predict', usage: '--model FILE --input FILE', summary: 'predict rows (CSV) or images (IDX, raw bytes) with a saved model' },
  { name: 'inspect', usage: 'FILE.csv [--target COLUMN] [--json]', summary: 'what training on a CSV file would see: each column\'s type, missing cells, values and features' },
  { name: 'info', usage: '', summary: 'version, backend in use and why, instruction set, threads, where the addon loaded from' },
  { name: 'bench', usage: '[--json] [--report FILE]', summary: 'verify, then time native, WASM and TypeScript kernels side by side (and NumPy, PyTorch, scikit-learn, if present)' },
  { name: 'report', usage: 'LOG... -o FILE.html [--metric NAME]', summary: 'an HTML report from a saved train --json log (or bench --json output); several logs or a sweep\'s runs.jsonl: a comparison of the runs' },
  { name: 'export', usage: '--model FILE --onnx FILE.onnx', summary: 'write a saved model as ONNX, its preprocessing included (docs/onnx.md)' },
  { name: 'serve', usage: '--model FILE [--port N] [--host H]', summary: 'answer predictions over HTTP: POST /predict, GET /model, /healthz, /metrics (docs/serve.md)' },
  { name: 'sweep', usage: '--data FILE.csv --target COLUMN --param NAME=VALUES... --out DIR', summary: 'train many settings on one table (grid or random search) on every core or on Redis workers; compare them, keep the best' },
  { name: 'worker', usage: '--redis redis://HOST:6379', summary: 'train sweep jobs from a Redis queue (BullMQ): sweeps across machines' },
];

/** Commands that run kernels: they all take the backend flags. */
const KERNEL_COMMANDS = ['train', 'eval', 'predict', 'info', 'sweep', 'worker', 'serve'];
const SWEEP = 'Sweep';
const RUNS = 'Flags of every command that runs kernels';
const LOOP = 'Training loop';
const TABLE = 'Tables (CSV columns, missing values, files)';

// prettier-ignore
export const FLAGS: readonly FlagSpec[] = [
  { name: 'backend', commands: KERNEL_COMMANDS, value: 'B', default: 'auto', group: RUNS, help: 'auto | native | wasm | js (auto: native if it loads, else WASM, else TypeScript; or NATIVE_MLP_BACKEND)' },
  { name: 'threads', commands: KERNEL_COMMANDS, value: 'N', default: 'cores', group: RUNS, help: 'kernel threads: the native pool, or worker threads of the TypeScript backend' },
  { name: 'json', commands: [...KERNEL_COMMANDS, 'bench', 'inspect'], group: RUNS, help: 'machine-readable output (JSON Lines; bench: one JSON object)' },
  { name: 'help', short: 'h', commands: [...KERNEL_COMMANDS, 'bench', 'report', 'inspect', 'export'], group: RUNS, help: 'print this help' },

  { name: 'data', commands: ['train'], value: 'DIR|FILE.csv', default: 'mnist-data', help: 'a folder with the four MNIST-format IDX files (plain or .gz), or a CSV file with a header row (needs --target)' },
  { name: 'target', commands: ['train', 'sweep', 'inspect'], value: 'COLUMN', repeat: true, help: 'the CSV column to predict (several, A,B or the flag repeated, for --task regress)' },
  { name: 'features', commands: ['train', 'sweep', 'inspect'], value: 'A,B', repeat: true, default: 'every other column but ids and constants', help: 'the CSV feature columns' },
  { name: 'task', commands: ['train', 'sweep', 'inspect'], value: 'T', default: 'classify', help: 'classify | regress' },
  { name: 'validation', commands: ['train', 'sweep'], value: 'F', help: 'hold out a fraction of the training rows (seeded, stratified), measured after every epoch; tables then stop on its loss; 0: none' },
  { name: 'test', commands: ['train', 'sweep'], value: 'FILE.csv', default: '20 % of --data', help: 'a separate test file with the same columns' },
  { name: 'standardize', commands: ['train', 'sweep'], help: 'scale CSV features to mean 0, std 1 with the training split\'s statistics (the default for float data)' },
  { name: 'no-standardize', commands: ['train', 'sweep'], help: 'keep CSV features as they are' },
  { name: 'ignore', commands: ['train', 'sweep', 'inspect'], value: 'A,B', repeat: true, group: TABLE, help: 'leave these columns out (column flags take a comma list, or repeat the flag for names with commas)' },
  { name: 'categorical', commands: ['train', 'sweep', 'inspect'], value: 'A,B', repeat: true, group: TABLE, help: 'one-hot these columns' },
  { name: 'numeric', commands: ['train', 'sweep', 'inspect'], value: 'A,B', repeat: true, group: TABLE, help: 'read these columns as numbers' },
  { name: 'date', commands: ['train', 'sweep', 'inspect'], value: 'A', repeat: true, group: TABLE, help: 'read these as ISO 8601 dates (year, then sin/cos of month, weekday, day of year)' },
  { name: 'na', commands: ['train', 'sweep', 'inspect'], value: 'S', repeat: true, group: TABLE, help: 'another spelling of a missing cell (besides empty, NA, N/A, NaN, nan, null, None, ?)' },
  { name: 'impute', commands: ['train', 'sweep', 'inspect'], value: 'M', default: 'median', group: TABLE, help: 'median | mean | zero, from the training rows; a missing-indicator feature is added' },
  { name: 'weight-column', commands: ['train', 'sweep', 'inspect'], value: 'COLUMN', group: TABLE, help: 'per-row sample weights from this numeric column (finite, >= 0; not a feature): the loss becomes sum w l / sum w per batch, validation and test losses weighted alike (docs/tables.md)' },
  { name: 'max-categories', commands: ['train', 'sweep', 'inspect'], value: 'N', default: '50', group: TABLE, help: 'categories kept per column; rarer values share an "other" slot' },
  { name: 'delimiter', commands: ['train', 'sweep', 'inspect', 'eval', 'predict'], value: 'C', default: 'sniffed among , ; tab |', group: TABLE, help: 'the CSV field delimiter' },
  { name: 'decimal', commands: ['train', 'sweep', 'inspect', 'eval', 'predict'], value: 'C', default: '.', group: TABLE, help: '. or , (numbers written 1,5)' },
  { name: 'save', commands: ['train'], value: 'FILE', help: 'write the trained model as .safetensors' },
  { name: 'report', commands: ['train', 'bench'], value: 'FILE', help: 'write a self-contained HTML report (needs: npm install vega vega-lite fast-png)' },
  { name: 'checkpoint', commands: ['train'], value: 'FILE', help: 'write a checkpoint after every epoch and on SIGINT/SIGTERM (exit 130/143)' },
  { name: 'resume', commands: ['train'], value: 'FILE', help: 'continue from a checkpoint: its data, data flags and settings are the checkpoint\'s (only --epochs may change; a changed data file is refused)' },
  { name: 'init-from', commands: ['train'], value: 'FILE', help: 'warm start: continue training this saved model on --data (rows of its schema, read through its own pipeline and scaling)' },

  { name: 'epochs', commands: ['train'], value: 'N', default: '8 (tables: 200)', group: LOOP, config: 'epochs', help: 'passes over the training set' },
  { name: 'batch', commands: ['train'], value: 'N', default: '128 (tables: min(200, rows))', group: LOOP, config: 'batch', help: 'minibatch size; the last partial batch is divided by its own size' },
  { name: 'lr', commands: ['train'], value: 'X', default: '0.1 (tables: 0.001)', group: LOOP, config: 'lr', help: 'learning rate (the schedule\'s base)' },
  { name: 'hidden', commands: ['train'], value: 'A[,B..]', default: '128 (tables: 100)', group: LOOP, config: 'hidden', help: 'hidden layer sizes (256,64 for two hidden layers)' },
  { name: 'seed', commands: ['train'], value: 'N', default: '0', group: LOOP, config: 'seed', help: 'seed of NumPy\'s default_rng: weights, epoch order and splits follow NumPy\'s streams' },
  { name: 'optimizer', commands: ['train'], value: 'O', default: 'sgd (tables: adam)', group: LOOP, config: 'optimizer', help: 'sgd | momentum | nesterov | adam | adamw' },
  { name: 'momentum', commands: ['train'], value: 'X', default: '0.9', group: LOOP, config: 'momentum', help: 'momentum factor of momentum and nesterov' },
  { name: 'beta1', commands: ['train'], value: 'X', default: '0.9', group: LOOP, config: 'beta1', help: 'Adam\'s first-moment decay' },
  { name: 'beta2', commands: ['train'], value: 'X', default: '0.999', group: LOOP, config: 'beta2', help: 'Adam\'s second-moment decay' },
  { name: 'eps', commands: ['train'], value: 'X', default: '1e-8', group: LOOP, config: 'eps', help: 'Adam\'s epsilon' },
  { name: 'weight-decay', commands: ['train'], value: 'X', default: '0', group: LOOP, config: 'weightDecay', help: 'L2 added to the gradient (sgd, momentum, nesterov, adam) or decoupled (adamw)' },
  { name: 'alpha', commands: ['train'], value: 'A', default: '0', group: LOOP, config: 'alpha', help: 'scikit-learn\'s alpha: L2 on the weights only (not biases), alpha * W / batch rows added to the gradient' },
  { name: 'dropout', commands: ['train'], value: 'P', default: '0', group: LOOP, config: 'dropout', help: 'inverted dropout on the hidden activations while training (P in [0, 1): dropped with probability P, the rest scaled by 1/(1-P)); off at predict and evaluation' },
  { name: 'schedule', commands: ['train'], value: 'S', default: 'constant', group: LOOP, config: 'schedule', help: 'learning rate per epoch: constant | step | cosine | plateau' },
  { name: 'warmup', commands: ['train'], value: 'N', default: '0', group: LOOP, config: 'warmup', help: 'linear warm-up epochs' },
  { name: 'step-every', commands: ['train'], value: 'N', default: '2', group: LOOP, config: 'stepEvery', help: 'step schedule: multiply the lr by --step-gamma every N epochs' },
  { name: 'step-gamma', commands: ['train'], value: 'G', default: '0.5', group: LOOP, config: 'stepGamma', help: 'step schedule\'s factor' },
  { name: 'lr-min', commands: ['train'], value: 'X', default: '0', group: LOOP, config: 'lrMin', help: 'cosine floor / plateau minimum' },
  { name: 'plateau-factor', commands: ['train'], value: 'F', default: '0.5', group: LOOP, config: 'plateauFactor', help: 'plateau schedule: multiply the lr by F ...' },
  { name: 'plateau-patience', commands: ['train'], value: 'N', default: '2', group: LOOP, config: 'plateauPatience', help: '... after N epochs without improvement' },
  { name: 'early-stopping', commands: ['train'], value: 'N', default: 'off (tables: 10)', group: LOOP, config: 'earlyStopping', help: 'stop after N epochs without improvement of --monitor by more than --tol; keeps the best weights of a validation monitor' },
  { name: 'n-iter-no-change', commands: ['train'], value: 'N', default: 'off (tables: 10)', group: LOOP, help: 'scikit-learn\'s name for --early-stopping N (give one of the two)' },
  { name: 'tol', commands: ['train'], value: 'X', default: '0 (tables: 1e-4)', group: LOOP, config: 'tol', help: 'the improvement early stopping counts (scikit-learn\'s tol)' },
  { name: 'monitor', commands: ['train'], value: 'M', default: 'validationLoss (tables without a validation split: trainingLoss)', group: LOOP, config: 'monitor', help: 'validationLoss | validationAccuracy | trainingLoss' },
  { name: 'activation', commands: ['train'], value: 'A[,B..]', default: 'relu', group: LOOP, config: 'activation', help: 'hidden activation: relu | leaky_relu (slope 0.01) | tanh | sigmoid | gelu (tanh approximation) | identity, or one per hidden layer' },
  { name: 'init', commands: ['train'], value: 'I', default: 'notebook (tables: auto)', group: LOOP, config: 'init', help: 'initial weights: notebook (normal 0.02) | he (normal sqrt(2/in)) | glorot (uniform sqrt(6/(in+out))) | auto (he for relu, leaky_relu; glorot otherwise)' },
  { name: 'class-weight', commands: ['train'], value: 'balanced|NAME=W,..', group: LOOP, config: 'classWeight', help: 'classification: weigh classes in the loss (sum w l / sum w per batch): balanced = rows / (classes * rows of the class), or weights by class name (others 1)' },
  { name: 'allow-non-finite', commands: ['train'], group: LOOP, config: 'allowNonFinite', help: 'keep going through a NaN or infinite loss or weights (default: stop, save nothing, exit 2)' },

  { name: 'model', commands: ['eval', 'predict', 'export', 'serve'], value: 'FILE', help: 'a .safetensors model written by train --save' },
  { name: 'data', commands: ['eval'], value: 'DIR|FILE.csv', default: 'mnist-data', help: 'an IDX folder (its test files are used), or CSV rows with --target' },
  { name: 'target', commands: ['eval'], value: 'COLUMN', repeat: true, default: 'the model\'s', help: 'the CSV column holding the truth' },
  { name: 'input', commands: ['predict'], value: 'FILE', help: 'a CSV file with the model\'s columns (missing cells and unseen categories are answered), an IDX image file, or raw bytes of whole images' },
  { name: 'top', commands: ['predict'], value: 'K', default: '1', help: 'text output: the K most probable classes per row (--json carries every class\'s probability by name)' },

  { name: 'onnx', commands: ['export'], value: 'FILE', help: 'the ONNX file to write (IR 8, opsets ai.onnx 17 and ai.onnx.ml 3)' },
  { name: 'port', commands: ['serve'], value: 'N', default: '3000', help: 'TCP port (0 picks a free one)' },
  { name: 'host', commands: ['serve'], value: 'H', default: '127.0.0.1', help: 'address to listen on; another address with --allow-train needs NATIVE_MLP_SERVER_TOKEN (16+ characters)' },
  { name: 'allow-origin', commands: ['serve'], value: 'O,..', help: 'browser origins allowed besides the server\'s own (e.g. http://localhost:8080)' },
  { name: 'allow-train', commands: ['serve'], help: 'enable POST /train: retrain on the model\'s recorded data, swap only when not worse' },

  { name: 'data', commands: ['sweep'], value: 'FILE.csv|URL', help: 'the table, read once and shared with the workers; with --redis a path every worker sees, or an http(s) URL (SHA-256 checked)' },
  { name: 'param', commands: ['sweep'], value: 'NAME=VALUES', repeat: true, group: SWEEP, help: 'a train setting by flag or config name and its values: lr=0.001,0.01 (a grid), hidden=64-32 (two layers), lr=1e-4..1e-1:log (a range, with --trials); settings no --param names take the table defaults, as in train' },
  { name: 'trials', commands: ['sweep'], value: 'N', group: SWEEP, help: 'random search: N seeded draws from the params (default: the full grid)' },
  { name: 'search-seed', commands: ['sweep'], value: 'N', default: '0', group: SWEEP, help: 'seed of the random search\'s draws' },
  { name: 'metric', commands: ['sweep'], value: 'M', default: 'validationLoss', group: SWEEP, help: 'what picks the best run: validationLoss | validationAccuracy | validationRmse' },
  { name: 'folds', commands: ['sweep'], value: 'K', group: SWEEP, help: 'score each setting by K-fold cross-validation (stratified for classes) instead of --validation (default 0.2)' },
  { name: 'workers', commands: ['sweep'], value: 'N', default: 'cores', group: SWEEP, help: 'trainings at once, each on its own thread; each gets one native thread unless --threads says more' },
  { name: 'out', commands: ['sweep'], value: 'DIR', group: SWEEP, help: 'runs.jsonl, models/, best.safetensors, report.html; refused while another sweep writes DIR; SIGINT keeps finished runs and checkpoints running ones' },
  { name: 'resume', commands: ['sweep'], value: 'DIR', group: SWEEP, help: 'continue an interrupted sweep (its settings and data are the ones it started with)' },
  { name: 'max-runs', commands: ['sweep'], value: 'N', default: '1000', group: SWEEP, help: 'refuse a sweep of more runs' },
  { name: 'redis', commands: ['sweep', 'worker'], value: 'URL', help: 'sweep: enqueue the trainings on BullMQ at redis://HOST:PORT for native-mlp worker; worker: the server to take them from (needs: npm install bullmq ioredis)' },
  { name: 'queue', commands: ['sweep', 'worker'], value: 'NAME', default: 'native-mlp-train', help: 'the BullMQ queue' },
  { name: 'attempts', commands: ['sweep'], value: 'N', default: '3', help: 'with --redis: tries per training before it is reported failed' },
  { name: 'concurrency', commands: ['worker'], value: 'N', default: '1', help: 'trainings at once, each on its own thread' },
  { name: 'lock-seconds', commands: ['worker'], value: 'N', default: '30', help: 'a dead worker\'s job is taken by another after about N s and resumed from its checkpoint' },
  { name: 'max-stalled', commands: ['worker'], value: 'N', default: '2', help: 'times a job may lose its worker before it fails' },

  { name: 'no-numpy', commands: ['bench'], help: 'skip the Python peers (NumPy, PyTorch, scikit-learn) even when present' },
  { name: 'output', short: 'o', commands: ['report'], value: 'FILE', help: 'the HTML file to write' },
  { name: 'metric', commands: ['report'], value: 'NAME', default: 'validationAccuracy, validationRmse or validationLoss', help: 'the final metric that ranks compared runs' },
];

/** The flags `command` takes, in table order. */
export function flagsOf(command: string): FlagSpec[] {
  return FLAGS.filter((f) => f.commands.includes(command));
}
