/**
 * A multilayer perceptron with hidden layers of any activation (ReLU, the notebook's, by default)
 * and a softmax output, stored as the notebook
 * stores it: W_l is (in, out) row-major, b_l is (out). Forward is Z = X W + b; backward walks the
 * layers in reverse with one backend call per line of the notebook's derivation.
 *
 * Names follow the notebook with 1-based layer numbers: for the default 784-128-10 net,
 * u[1] = u1, h[1] = h1, u[2] = u2 (logits), du[2] = du2, gW[2] = gW2, dh[1] = dh1, ...
 * Index 0 is unused for parameters; h[0] is the input batch X.
 */
import { MAX_LAYER_SIZE } from '../limits.js';
import { type Backend, sharedF32 } from '../backend/contract.js';
import { lossGrad, type Targets } from './loss.js';
import type { SparseInput } from './sparse-input.js';
import { checkMemory, parameterBytes, workspaceBytes } from '../budget.js';
import { showValue } from '../show-value.js';
import { type Activation, activationCode } from '../backend/activation.js';
import { checkActivations, type ActivationSpec } from './activation.js';
import { dropoutKey, type DropoutStep } from './dropout.js';

/**
 * Where the network's arrays come from: Backend.alloc, so that a backend with its own memory
 * (WASM) gets its parameters and workspace there and uses them without copying.
 */
export type Alloc = (n: number) => Float32Array;

/** net itself when `be` uses its parameters in place, else a copy on memory `be` allocates. */
export function onBackend(be: Backend, net: Mlp): Mlp {
  return be.holds(net.params) ? net : onBackendMemory(be, net);
}

/**
 * A copy of net on memory `be` allocates: for a network nobody else watches (one the loop drew
 * itself), since native's alloc starts rows on 64-byte boundaries where a plain shared buffer's
 * data starts 16 bytes past one, and the sparse product reads a row of W1 per non-zero input.
 */
export function onBackendMemory(be: Backend, net: Mlp): Mlp {
  const params = be.alloc(net.params.length);
  params.set(net.params);
  return new Mlp(net.sizes, params, undefined, net.activations);
}

export class Mlp {
  /** Layer sizes, input first: [784, 128, 10] for the notebook's net. */
  readonly sizes: readonly number[];
  /** W[l] is sizes[l-1] x sizes[l], for l = 1 .. layers. */
  readonly W: Float32Array[];
  /** b[l] has sizes[l] elements. */
  readonly b: Float32Array[];
  /** One arena holding every parameter, W1, b1, W2, b2, ... in that order. */
  readonly params: Float32Array;
  /** activations[l - 1] is hidden layer l's activation, l = 1 .. layers - 1. */
  readonly activations: readonly Activation[];

  /**
   * `activation`: one name for every hidden layer, or one per hidden layer (default relu);
   * RangeError naming the unknown one otherwise.
   */
  constructor(sizes: readonly number[], params?: Float32Array, alloc: Alloc = sharedF32, activation: ActivationSpec = 'relu') {
    checkSizes(sizes);
    this.sizes = [...sizes];
    this.activations = checkActivations(activation, sizes.length - 2);
    const total = parameterCount(sizes);
    if (params && params.length !== total) {
      throw new RangeError(`Expected ${total} parameters for layers ${sizes.join('-')} but received ${params.length}`);
    }
    if (!params) checkMemory(parameterBytes(sizes), `A network with layers ${sizes.join('-')}`);
    this.params = params ?? alloc(total);
    this.W = [new Float32Array(0)];
    this.b = [new Float32Array(0)];
    let off = 0;
    for (let l = 1; l < sizes.length; l++) {
      const w = sizes[l - 1] * sizes[l];
      this.W.push(this.params.subarray(off, off + w));
      off += w;
      this.b.push(this.params.subarray(off, off + sizes[l]));
      off += sizes[l];
    }
  }

  /** Number of weight layers (2 for 784-128-10). */
  get layers(): number {
    return this.sizes.length - 1;
  }

  get inputs(): number {
    return this.sizes[0];
  }

  get classes(): number {
    return this.sizes[this.sizes.length - 1];
  }
}

export function checkSizes(sizes: readonly number[]): void {
  if (!Array.isArray(sizes) || sizes.length < 2) {
    throw new RangeError(`Expected at least two layer sizes (inputs and classes) but received ${showValue(sizes)}`);
  }
  for (const s of sizes) {
    if (!Number.isInteger(s) || s < 1 || s > MAX_LAYER_SIZE) {
      throw new RangeError(`Expected every layer size to be an integer in [1, ${MAX_LAYER_SIZE}] but received ${showValue(sizes)}`);
    }
  }
}

export function parameterCount(sizes: readonly number[]): number {
  let n = 0;
  for (let l = 1; l < sizes.length; l++) n += sizes[l - 1] * sizes[l] + sizes[l];
  return n;
}

/** Activations and gradients for batches of up to `rows` images, allocated once. */
export class Workspace {
  readonly rows: number;
  /** Pre-activations u[l] (rows x sizes[l]), l >= 1. */
  readonly u: Float32Array[];
  /** Activations h[l] = act_l(u[l]) for hidden layers; h[0] is the input batch X. */
  readonly h: Float32Array[];
  /** dL/du[l]. */
  readonly du: Float32Array[];
  /** dL/dh[l] for hidden layers. */
  readonly dh: Float32Array[];
  /** Parameter gradients gW[l], gb[l], laid out like Mlp.params in one arena. */
  readonly grads: Mlp;
  /**
   * Training with dropout: kept[l] = h[l] after the mask (what layer l + 1 reads), for batches of up
   * to dropoutRows rows; h[l] keeps act(u[l]), which tanh's and sigmoid's derivatives read.
   */
  readonly kept: Float32Array[];
  readonly dropoutRows: number;

  constructor(net: Mlp, rows: number, alloc: Alloc = sharedF32, dropoutRows = 0) {
    if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`Expected a batch of at least 1 row but received ${rows}`);
    this.rows = rows;
    checkMemory(workspaceBytes(net.sizes, rows), `The workspace for ${rows} rows of layers ${net.sizes.join('-')}`);
    const s = net.sizes;
    const L = net.layers;
    const block = (l: number) => alloc(rows * s[l]);
    const none = new Float32Array(0);
    this.h = [block(0)];
    this.u = [none];
    this.du = [none];
    this.dh = [none];
    for (let l = 1; l <= L; l++) {
      this.u.push(block(l));
      this.du.push(block(l));
      const hidden = l < L;
      this.h.push(hidden ? block(l) : none);
      this.dh.push(hidden ? block(l) : none);
    }
    this.grads = new Mlp(s, undefined, alloc, net.activations);
    this.dropoutRows = Math.min(rows, Math.max(0, Math.floor(dropoutRows)));
    this.kept = this.h.map((h, l) => (l > 0 && l < L && this.dropoutRows > 0 ? alloc(this.dropoutRows * s[l]) : none));
  }

  /** What layer l + 1 reads: h[l], or with dropout on, kept[l] (h[0] is the input either way). */
  input(l: number, drop: DropoutStep | undefined): Float32Array {
    return drop && l > 0 ? this.kept[l] : this.h[l];
  }

  /** The input batch X (rows x inputs), filled by the caller. */
  get X(): Float32Array {
    return this.h[0];
  }
}

/**
 * Forward pass over the first `rows` rows of ws.X, or of `x` (the same batch in compressed
 * sparse rows: layer 1 then skips the zero inputs, with the same result bits); returns the logits
 * u[L] (rows x classes). Caches u[l] and h[l] for backward. `afterFirstProduct` runs right after
 * u_1 = X @ W_1, the pass's biggest parallel product: the training loop begins the next batch's
 * gather there, to run on the spare core while the rest of the step is serial.
 */
export function forward(
  be: Backend,
  net: Mlp,
  ws: Workspace,
  rows: number,
  x?: SparseInput,
  afterFirstProduct?: () => void,
  drop?: DropoutStep,
): Float32Array {
  const s = net.sizes;
  const L = net.layers;
  checkSparseRows(x, rows);
  checkDropoutRows(ws, drop, rows);
  for (let l = 1; l <= L; l++) {
    // u_l = h_{l-1} @ W_l
    if (l === 1 && x) be.sparseMatmul(ws.u[1], x.rowPtr, x.cols, x.values, net.W[1], rows, s[0], s[1]);
    else be.sgemm(false, false, rows, s[l], s[l - 1], 1, ws.input(l - 1, drop), s[l - 1], net.W[l], s[l], 0, ws.u[l], s[l]);
    if (l === 1) afterFirstProduct?.();
    const act = net.activations[l - 1];
    if (l < L && act === 'relu')
      be.biasRelu(ws.h[l], ws.u[l], net.b[l], rows, s[l]); // u_l += b_l; h_l = relu(u_l)
    else if (l < L)
      be.biasAct(ws.h[l], ws.u[l], net.b[l], rows, s[l], activationCode(act)); // h_l = act_l(u_l)
    else be.biasAdd(ws.u[l], net.b[l], rows, s[l]); // u_L += b_L (logits; softmax is in the loss)
    // kept_l = h_l * mask_l / (1 - p)            (training with dropout only; nn/dropout.ts)
    if (drop && l < L) be.dropout(ws.kept[l], ws.h[l], rows * s[l], drop.p, ...dropoutKey(drop, l));
  }
  return ws.u[L];
}

/**
 * Where backward puts dL/dW_l: into the gradient arena ws.grads (for an optimizer to consume), or
 * straight into the weights as a plain SGD step, W_l -= lr * dL/dW_l, folded into the
 * weight-gradient product (alpha = -lr, beta = 1) so no weight gradient is written out. The fold
 * is the notebook's arithmetic: its update runs after the whole derivation, and here each dh_{l-1}
 * is computed from W_l before W_l is touched, so the same old weights flow back.
 */
export type GradientTarget = { into: 'grads' } | { into: 'weights'; lr: number };

/** The default target: write the gradients out. */
export const INTO_GRADS: GradientTarget = Object.freeze({ into: 'grads' });

/**
 * Backward pass after forward() on the same rows (and the same `x`, if any), the notebook's
 * derivation one call per line. With the default target it fills ws.grads with dL/dW and dL/db of
 * the batch's mean loss (cross-entropy, or squared error for regression: loss.ts); with { into: 'weights', lr } it applies the SGD step
 * instead (ws.grads.b then holds the bias gradients, ws.grads.W is untouched). Returns the summed
 * loss of the rows (weighted by `weights`, one per row, when given).
 */
export function backward(
  be: Backend,
  net: Mlp,
  ws: Workspace,
  labels: Targets,
  rows: number,
  target: GradientTarget = INTO_GRADS,
  x?: SparseInput,
  weights?: Float32Array,
  drop?: DropoutStep,
): number {
  const s = net.sizes;
  const L = net.layers;
  const g = ws.grads;
  const apply = target.into === 'weights';
  checkSparseRows(x, rows);
  checkDropoutRows(ws, drop, rows);
  // du_L = (softmax(u_L) - Y) / N                  dL/du_L, the loss gradient w.r.t. the logits
  // (regression: du_L = (u_L - Y) / N; see loss.ts)
  // (row weights w: du_L = w * (...) / sum(w), the weighted mean's gradient; loss.ts)
  const loss = lossGrad(be, ws.du[L], ws.u[L], labels, rows, s[L], weights);
  for (let l = L; l >= 1; l--) {
    if (l > 1) {
      // dh_{l-1} = du_l @ W_l^T                    dL/dh_{l-1}, flowing back into the hidden layer
      //                                            (from W_l as it was before this step)
      be.sgemm(false, true, rows, s[l - 1], s[l], 1, ws.du[l], s[l], net.W[l], s[l], 0, ws.dh[l - 1], s[l - 1]);
      // dh_{l-1} *= mask_{l-1} / (1 - p)           through dropout: forward's mask and scale
      if (drop) be.dropout(ws.dh[l - 1], ws.dh[l - 1], rows * s[l - 1], drop.p, ...dropoutKey(drop, l - 1));
      // du_{l-1} = dh_{l-1} * (u_{l-1} > 0)        dL/du_{l-1}, the ReLU derivative
      //         = dh_{l-1} * act'(u_{l-1})           (other activations)
      const act = net.activations[l - 2];
      if (act === 'relu') be.reluBackward(ws.du[l - 1], ws.dh[l - 1], ws.u[l - 1], rows * s[l - 1]);
      else be.actBackward(ws.du[l - 1], ws.dh[l - 1], ws.u[l - 1], ws.h[l - 1], rows * s[l - 1], activationCode(act));
    }
    // gW_l = h_{l-1}^T @ du_l                      dL/dW_l (or W_l -= lr * that, in the product)
    if (apply) weightGradient(be, net, ws, l, rows, -target.lr, 1, net.W[l], x, drop);
    else weightGradient(be, net, ws, l, rows, 1, 0, g.W[l], x, drop);
    // gb_l = du_l.sum(axis=0)                      dL/db_l
    be.colSums(g.b[l], ws.du[l], rows, s[l]);
    // b_l -= lr * gb_l                             (SGD folded in: the bias step)
    if (apply) be.sgdUpdate(net.b[l], g.b[l], target.lr, s[l]);
  }
  return loss;
}

/**
 * out = alpha * h_{l-1}^T @ du_l + beta * out: the weight gradient of layer l (h_{l-1} as layer l
 * read it: after dropout's mask when `drop` is on). One sgemm(T, N), or for layer 1 with a
 * compressed batch `x` the sparse product (same bits, skipping zeros).
 */
export function weightGradient(
  be: Backend,
  net: Mlp,
  ws: Workspace,
  l: number,
  rows: number,
  alpha: number,
  beta: number,
  out: Float32Array,
  x?: SparseInput,
  drop?: DropoutStep,
): void {
  const s = net.sizes;
  if (l === 1 && x) be.sparseMatmulT(out, x.rowPtr, x.cols, x.values, ws.du[1], rows, s[0], s[1], alpha, beta);
  else be.sgemm(true, false, s[l - 1], s[l], rows, alpha, ws.input(l - 1, drop), s[l - 1], ws.du[l], s[l], beta, out, s[l]);
}

/** Dropout needs a workspace made for it, with room for the batch. */
function checkDropoutRows(ws: Workspace, drop: DropoutStep | undefined, rows: number): void {
  if (drop && rows > ws.dropoutRows) {
    throw new RangeError(`Expected a workspace with dropout buffers for ${rows} rows but it has them for ${ws.dropoutRows}`);
  }
}

/** A compressed batch must hold the rows the pass runs on. */
function checkSparseRows(x: SparseInput | undefined, rows: number): void {
  if (x && x.rows !== rows) {
    throw new RangeError(`Expected the sparse input batch to hold ${rows} rows but it holds ${x.rows}`);
  }
}

/** Plain SGD, output layer first as the notebook does: W_l -= lr * gW_l; b_l -= lr * gb_l. */
export function sgdStep(be: Backend, net: Mlp, grads: Mlp, lr: number): void {
  for (let l = net.layers; l >= 1; l--) {
    be.sgdUpdate(net.W[l], grads.W[l], lr, net.W[l].length);
    be.sgdUpdate(net.b[l], grads.b[l], lr, net.b[l].length);
  }
}
