/** --class-weight and --weight-column as the CLI reads them; the library checks the rest (train/weights.ts). */
import { DECIMAL_NUMBER, fitsFloat32 } from '../decimal.js';
import type { ClassWeight } from '../train/weights.js';
import { UsageError } from './args.js';

/** `balanced` or NAME=W,... (class names as the data names them; the last = splits a name from its weight). */
export function parseClassWeight(v: string | undefined): ClassWeight {
  if (v === undefined) return {};
  if (v === 'balanced') return 'balanced';
  const out: Record<string, number> = {};
  for (const part of v.split(',')) {
    const at = part.lastIndexOf('=');
    const name = part.slice(0, at).trim();
    const text = part.slice(at + 1).trim();
    const w = Number(text);
    if (at < 1 || name === '' || !DECIMAL_NUMBER.test(text) || !(w >= 0) || !fitsFloat32(w)) {
      throw new UsageError(`--class-weight must be balanced or NAME=W,... with weights >= 0 in decimal (e.g. "yes=5,no=1"), got "${part}"`);
    }
    if (Object.hasOwn(out, name)) throw new UsageError(`--class-weight gives class "${name}" twice; give each class once`);
    out[name] = w;
  }
  return out;
}

/** The weight column's name: one non-empty column name. */
export function parseWeightColumn(v: string | undefined): string | undefined {
  if (v !== undefined && v.trim() === '') throw new UsageError('--weight-column must name a column, got ""');
  return v;
}
