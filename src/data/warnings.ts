/**
 * Warnings about a table that would otherwise cost a user a day: a continuous "class" column, tiny
 * classes, class names that differ only by case or spaces, a feature that gives the target away,
 * more features than rows, columns left out. Each is one line; the CLI prints it on stderr and
 * `train --json` writes it as a `warning` event.
 */
import { categoryKey } from './cells.js';
import { columnCell, type RawTable } from './csv.js';
import type { Task } from './dataset.js';
import { type SchemaColumn, WEIGHT_COLUMN } from './schema.js';

export interface DataWarning {
  /** A stable name for the kind of warning. */
  code: 'excluded-column' | 'missing-target' | 'numeric-target' | 'rare-class' | 'class-case' | 'leakage' | 'wide' | 'unseen-category';
  message: string;
}

/** Distinct numeric class names beyond which a classification target looks continuous. */
const CONTINUOUS_CLASSES = 20;

export interface TableFacts {
  table: RawTable;
  schema: readonly SchemaColumn[];
  task: Task;
  /** Rows of the table trained on. */
  trainRows: readonly number[];
  /** classify: each training row's class index, and the class names. */
  labels?: Uint32Array;
  classNames?: readonly string[];
  /** regress: the training rows' values of the (first) target. */
  values?: Float64Array;
  /** Encoded features (network inputs). */
  features: number;
}

export function tableWarnings(f: TableFacts): DataWarning[] {
  const w: DataWarning[] = [];
  for (const s of f.schema) {
    if (s.excluded && s.excluded !== 'not in --features' && s.excluded !== '--ignore' && s.excluded !== WEIGHT_COLUMN) {
      w.push({
        code: 'excluded-column',
        message: `column "${s.name}" is left out: ${s.type} (${s.excluded}); pass --categorical or --numeric to use it`,
      });
    }
  }
  if (f.task === 'classify' && f.classNames && f.labels) {
    const names = f.classNames;
    if (names.length > CONTINUOUS_CLASSES && names.every((n) => Number.isFinite(Number(n)))) {
      w.push({
        code: 'numeric-target',
        message: `the target holds ${names.length} distinct numbers; if it is a quantity rather than classes, pass --task regress`,
      });
    }
    const counts = new Uint32Array(names.length);
    for (const k of f.labels) counts[k]++;
    const rare = names.filter((_, k) => counts[k] < 2);
    if (rare.length) {
      w.push({
        code: 'rare-class',
        message: `${rare.length} class${rare.length === 1 ? '' : 'es'} with fewer than 2 training rows (${rare
          .slice(0, 5)
          .map((n) => JSON.stringify(n))
          .join(', ')}${rare.length > 5 ? ', ...' : ''}); the model can hardly learn ${rare.length === 1 ? 'it' : 'them'}`,
      });
    }
    const folded = new Map<string, string>();
    for (const n of names) {
      const k = n.trim().toLowerCase();
      const other = folded.get(k);
      if (other !== undefined)
        w.push({
          code: 'class-case',
          message: `class names ${JSON.stringify(other)} and ${JSON.stringify(n)} differ only by case or surrounding spaces; are they one class?`,
        });
      else folded.set(k, n);
    }
  }
  w.push(...leakage(f));
  if (f.features > f.trainRows.length) {
    w.push({
      code: 'wide',
      message: `${f.features} features for ${f.trainRows.length} training rows: more features than rows; expect overfitting (leave columns out with --ignore, or lower --max-categories)`,
    });
  }
  return w;
}

/** Feature columns from which the training target can be read off exactly. */
function leakage(f: TableFacts): DataWarning[] {
  const out: DataWarning[] = [];
  const n = f.trainRows.length;
  for (const s of f.schema) {
    if (s.excluded || s.type === 'target') continue;
    const col = f.table.columns.find((c) => c.name === s.name)!;
    if (f.task === 'classify' && f.labels) {
      // Every value seen with one class only, and values repeating (not a unique key per row).
      const classOf = new Map<string, number>();
      let pure = true;
      for (let r = 0; r < n && pure; r++) {
        const c = columnCell(col, f.trainRows[r]);
        if (c === null || c === undefined) continue;
        const k = categoryKey(c, f.table.decimal);
        const seen = classOf.get(k);
        if (seen === undefined) classOf.set(k, f.labels[r]);
        else if (seen !== f.labels[r]) pure = false;
      }
      if (pure && classOf.size >= 2 && classOf.size <= n / 2) {
        out.push({
          code: 'leakage',
          message: `column "${s.name}" predicts the target exactly on the training rows (each value goes with one class); if it is derived from the target, leave it out with --ignore "${s.name}"`,
        });
      }
    } else if (f.values && s.type === 'numeric' && !col.texts) {
      let sx = 0,
        sy = 0,
        sxx = 0,
        syy = 0,
        sxy = 0,
        m = 0;
      for (let r = 0; r < n; r++) {
        const x = col.numbers[f.trainRows[r]];
        const y = f.values[r];
        if (Number.isNaN(x)) continue;
        m++;
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
      }
      const cov = sxy - (sx * sy) / m,
        vx = sxx - (sx * sx) / m,
        vy = syy - (sy * sy) / m;
      const r = vx > 0 && vy > 0 ? cov / Math.sqrt(vx * vy) : 0;
      if (m > 2 && Math.abs(r) > 0.9999) {
        out.push({
          code: 'leakage',
          message: `column "${s.name}" is an exact linear function of the target on the training rows (correlation ${r.toFixed(5)}); if it is derived from the target, leave it out with --ignore "${s.name}"`,
        });
      }
    }
  }
  return out;
}
