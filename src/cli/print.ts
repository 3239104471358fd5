/** Human and JSON Lines output of training events, and the progress bar. */
import type { BatchProgress, TrainEvent } from '../train/train.js';

export interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const grouped = (n: number) => Math.round(n).toLocaleString('en-US');

/** One line per event, the notebook's wording first, measurements after. */
export function formatEvent(e: TrainEvent): string {
  switch (e.event) {
    case 'start':
      return (
        `native-mlp: ${e.layers.join('-')} net, ${e.epochs} epochs, batch ${e.batch}, lr ${e.lr}, seed ${e.seed}\n` +
        `backend: ${e.backend} (${e.isa}, ${e.threads} thread${e.threads === 1 ? '' : 's'})\n` +
        `data: ${e.data} (${e.trainImages} training, ${e.testImages} test images)`
      );
    case 'epoch':
      return (
        `Epoch ${pad2(e.epoch)} - Training accuracy: ${e.trainAccuracy.toFixed(4)}` +
        `   loss ${e.loss.toFixed(4)}` +
        (e.validationLoss === undefined ? '' : `  validation loss ${e.validationLoss.toFixed(4)} accuracy ${e.validationAccuracy!.toFixed(4)}`) +
        `  lr ${Number(e.lr.toPrecision(4))}  ${e.seconds.toFixed(2)} s  ${grouped(e.imagesPerSecond)} images/s`
      );
    case 'stop':
      return e.reason === 'early-stopping' || e.reason === 'completed'
        ? `${e.reason === 'early-stopping' ? 'Early stopping' : 'Finished'}: restored the best weights, from epoch ${e.bestEpoch}`
        : `Stopped (${e.reason}) at epoch ${e.epoch}, batch ${e.batch}`;
    case 'test':
      return `Test Accuracy: ${(e.testAccuracy * 100).toFixed(2)}%`;
  }
}

/** Draws a one-line progress bar on a terminal, at most ~10 times a second. */
export class ProgressBar {
  private last = 0;
  private shown = false;

  constructor(private readonly out: Out) {}

  update(p: BatchProgress): void {
    const now = performance.now();
    if (now - this.last < 100 && p.batch !== p.batches) return;
    this.last = now;
    const width = 30;
    const filled = Math.round((width * p.batch) / p.batches);
    const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
    this.out.write(`\rEpoch ${pad2(p.epoch)} [${bar}] ${p.batch}/${p.batches} batches`);
    this.shown = true;
  }

  /** Erases the bar so the next line starts clean. */
  clear(): void {
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }
}

/** The confusion matrix as a table: rows are true classes, columns predicted. */
export function formatConfusion(confusion: Uint32Array, classes: number): string {
  const width = Math.max(5, ...Array.from(confusion, (v) => String(v).length + 1));
  const cell = (s: string | number) => String(s).padStart(width);
  const lines = [`confusion (rows: true class, columns: predicted)`, cell('') + Array.from({ length: classes }, (_, j) => cell(j)).join('')];
  for (let i = 0; i < classes; i++) {
    lines.push(cell(i) + Array.from(confusion.subarray(i * classes, (i + 1) * classes), cell).join(''));
  }
  return lines.join('\n');
}
