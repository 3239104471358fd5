/** A table's target columns as the network learns them: class indices, or values per row. */
import { type Cell, parseDecimal, showCell } from './cells.js';
import { columnCell, columnOf, type RawTable } from './csv.js';
import { DataError } from './dataset.js';

/** A target cell as a class name (numbers in their shortest decimal form). */
export function className(c: Cell): string {
  return typeof c === 'number' ? String(c) : String(c).trim();
}

/** Rows of `table` whose target cells are all present. */
export function rowsWithTarget(table: RawTable, targets: readonly string[]): number[] {
  const cols = targets.map((t) => columnOf(table, t, 'for the target'));
  const keep: number[] = [];
  for (let i = 0; i < table.count; i++) if (cols.every((c) => columnCell(c, i) !== null)) keep.push(i);
  return keep;
}

/** The regression targets of `rows`: count x targets values; DataError naming a cell that is not a number. */
export function targetValues(table: RawTable, targets: readonly string[], rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * targets.length);
  targets.forEach((t, j) => {
    const col = columnOf(table, t, 'for the target');
    rows.forEach((r, k) => {
      const c = columnCell(col, r);
      const v = typeof c === 'number' ? c : parseDecimal(String(c), table.decimal);
      if (!Number.isFinite(v)) {
        throw new DataError(
          `${table.file}: line ${table.lines[r]}, column "${t}": ${showCell(c)} is not a number; a regression target must be (for classes, leave out --task regress)`,
        );
      }
      out[k * targets.length + j] = v;
    });
  });
  return out;
}

export function labelsOf(table: RawTable, target: string, rows: readonly number[], classNames: readonly string[]): Uint32Array {
  const col = columnOf(table, target, 'for the target');
  const index = new Map(classNames.map((n, i) => [n, i]));
  return Uint32Array.from(rows, (r) => {
    const name = className(columnCell(col, r));
    const k = index.get(name);
    if (k === undefined) {
      throw new DataError(
        `${table.file}: line ${table.lines[r]}, column "${target}": class ${JSON.stringify(name)} is not one of the model's classes (${classNames.map((n) => JSON.stringify(n)).join(', ')})`,
      );
    }
    return k;
  });
}
