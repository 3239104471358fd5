/**
 * Batch assembly: gathers the rows of one batch in epoch order and scales the uint8 pixels to
 * float32 x / 255 (NumPy's rounding) into a reused buffer, so no image set is ever held as floats.
 */
import type { LabeledImages } from '../data/mnist.js';
import { PIXEL_SCALE } from '../data/mnist.js';

/** Fills X (rows x features) and labels with the images order[start .. start + rows). */
export function gatherBatch(
  X: Float32Array, labels: Uint8Array, set: LabeledImages,
  order: Uint32Array | null, start: number, rows: number,
): void {
  const f = set.features;
  const images = set.images;
  const scale = PIXEL_SCALE;
  for (let r = 0; r < rows; r++) {
    const idx = order ? order[start + r] : start + r;
    const src = idx * f;
    const dst = r * f;
    for (let p = 0; p < f; p++) X[dst + p] = scale[images[src + p]];
    labels[r] = set.labels[idx];
  }
}
