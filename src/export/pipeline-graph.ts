/**
 * The table pipeline (docs/formats.md, metadata key `pipeline`) as ONNX nodes: one graph input per
 * raw column, named as the column, shape [N, 1]; each column's encoded features in the pipeline's
 * order, concatenated to [N, features].
 *
 *   numeric      float [N, 1], missing = NaN. ai.onnx.ml Imputer replaces NaN by `fill`; when
 *                `indicator`, Cast(IsNaN(x)) adds the 1/0 "was missing" feature.
 *   boolean      string [N, 1] as in the CSV: ai.onnx.ml LabelEncoder maps every spelling the
 *                pipeline reads (true/yes/y/t/1, false/no/n/f/0, in every letter case) to 1 / 0 and
 *                anything else to NaN (missing); then as numeric.
 *   categorical  string [N, 1], missing = "" or any of the pipeline's `missing` spellings. A
 *                LabelEncoder maps each category to its slot, the missing spellings to the missing
 *                slot (or -1), anything else to the other slot (or -1); ai.onnx.ml OneHotEncoder
 *                (zeros = 1) turns the slot into the one-hot row, all zero for -1.
 *   date         see date-graph.ts.
 *
 * Leading and trailing spaces: the graph matches strings exactly as given. The ai.onnx.ml
 * operators' outputs are typed in value_info: ONNX 1.12's checker does not infer them.
 */
import { attr, GraphBuilder, ML_DOMAIN } from './graph.js';

/** A raw column as the pipeline metadata describes it (docs/formats.md). */
export interface PipelineColumn {
  name: string;
  type: string;
  fill?: number | number[] | null;
  indicator?: boolean;
  categories?: string[];
  other?: boolean;
  missing?: boolean;
  parts?: string[];
}

export interface PipelineSpec {
  /** Cell spellings read as missing. */
  missing: readonly string[];
  columns: readonly PipelineColumn[];
}

/** A column the graph cannot express: the caller names it in an ExportError. */
export class ColumnError extends Error {
  column?: string;
}

/** The spellings the pipeline reads as true / false (matched case-insensitively). */
export const TRUE_SPELLINGS = ['true', 'yes', 'y', 't', '1'];
export const FALSE_SPELLINGS = ['false', 'no', 'n', 'f', '0'];

/** Every upper/lower-case variant of `s` (2^letters of them). */
function caseVariants(s: string): string[] {
  let out = [''];
  for (const ch of s) {
    const forms = ch.toLowerCase() === ch.toUpperCase() ? [ch] : [ch.toLowerCase(), ch.toUpperCase()];
    out = out.flatMap((prefix) => forms.map((f) => prefix + f));
  }
  return out;
}

/**
 * Value then (when `indicator`) the missing indicator, from a float [N, 1] value with NaN for
 * missing. A column without a fill (a model from before pipelines, where a missing cell is an
 * error) passes NaN on, so the outputs of such a row are NaN.
 */
function imputed(g: GraphBuilder, x: string, c: PipelineColumn, base: string): string[] {
  if (c.fill === null) return [x];
  if (typeof c.fill !== 'number' || !Number.isFinite(c.fill))
    throw new ColumnError(`its fill value ${JSON.stringify(c.fill)} is not a finite number`);
  const filled = g.typed(
    g.node(
      'Imputer',
      [x],
      `${base}_filled`,
      [attr.floats('imputed_value_floats', [c.fill]), attr.float('replaced_value_float', NaN)],
      ML_DOMAIN,
    ),
    'float',
    ['N', 1],
  );
  if (!c.indicator) return [filled];
  const isNan = g.node('IsNaN', [x], `${base}_isnan`);
  return [filled, g.node('Cast', [isNan], `${base}_missing`, [attr.int('to', 1)])];
}

function booleanColumn(g: GraphBuilder, x: string, c: PipelineColumn, base: string): string[] {
  const keys: string[] = [];
  const values: number[] = [];
  for (const [spellings, v] of [
    [TRUE_SPELLINGS, 1],
    [FALSE_SPELLINGS, 0],
  ] as const) {
    for (const s of spellings)
      for (const variant of caseVariants(s)) {
        keys.push(variant);
        values.push(v);
      }
  }
  const v = g.typed(
    g.node(
      'LabelEncoder',
      [x],
      `${base}_value`,
      [attr.strings('keys_strings', keys), attr.floats('values_floats', values), attr.float('default_float', NaN)],
      ML_DOMAIN,
    ),
    'float',
    ['N', 1],
  );
  return imputed(g, v, c, base);
}

function categoricalColumn(g: GraphBuilder, x: string, c: PipelineColumn, missing: readonly string[], base: string): string[] {
  const cats = c.categories;
  if (!Array.isArray(cats) || cats.length === 0 || !cats.every((s) => typeof s === 'string'))
    throw new ColumnError('it has no list of categories');
  const otherSlot = c.other ? cats.length : -1;
  const missingSlot = c.missing ? cats.length + (c.other ? 1 : 0) : -1;
  const width = cats.length + (c.other ? 1 : 0) + (c.missing ? 1 : 0);
  const slot = new Map<string, number>();
  for (const s of ['', ...missing]) slot.set(s, missingSlot);
  cats.forEach((s, i) => {
    if (slot.has(s))
      throw new ColumnError(`its category ${JSON.stringify(s)} is ${s === '' ? 'empty' : 'a missing-value spelling'} or listed twice`);
    slot.set(s, i);
  });
  const index = g.typed(
    g.node(
      'LabelEncoder',
      [x],
      `${base}_slot`,
      [
        attr.strings('keys_strings', [...slot.keys()]),
        attr.ints('values_int64s', [...slot.values()]),
        attr.int('default_int64', otherSlot),
      ],
      ML_DOMAIN,
    ),
    'int64',
    ['N', 1],
  );
  const oneHot = g.typed(
    g.node(
      'OneHotEncoder',
      [index],
      `${base}_onehot3d`,
      [
        attr.ints(
          'cats_int64s',
          Array.from({ length: width }, (_, i) => i),
        ),
        attr.int('zeros', 1),
      ],
      ML_DOMAIN,
    ),
    'float',
    ['N', 1, width],
  );
  return [g.node('Reshape', [oneHot, g.int64s('shape_onehot', [-1, width])], `${base}_onehot`)];
}

/** How a date column becomes features: given its input's name, returns [N, 1] float features. */
export type DateWriter = (g: GraphBuilder, x: string, c: PipelineColumn, base: string) => string[];

/** Each column's graph input: element type and what it holds. */
function inputOf(c: PipelineColumn): [type: 'float' | 'string' | 'double', doc: string] {
  switch (c.type) {
    case 'numeric':
      return ['float', 'numeric; NaN = missing'];
    case 'boolean':
      return ['string', 'boolean as written in the CSV (true/false, yes/no, y/n, t/f, 1/0, any case); anything else = missing'];
    case 'categorical':
      return ['string', 'categorical; "" or a missing-value spelling = missing'];
    case 'date':
      return ['double', 'date as seconds since 1970-01-01T00:00:00Z (Unix time); NaN = missing'];
    default:
      throw new ColumnError(`its type "${c.type}" has no ONNX form`);
  }
}

function withColumn<T>(c: PipelineColumn, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ColumnError) e.column = c.name;
    throw e;
  }
}

/**
 * Adds one input per column and returns the encoded features [N, features] (before
 * standardisation) and how many there are. Throws ColumnError (with `column`) for what cannot be
 * written. Every input is declared before any node, so no internal value takes a column's name.
 */
export function addPipeline(g: GraphBuilder, p: PipelineSpec, dateColumn: DateWriter): { features: string; count: number } {
  if (p.columns.length === 0) throw new ColumnError('the pipeline has no input columns');
  const inputs = p.columns.map((c) =>
    withColumn(c, () => {
      const [type, doc] = inputOf(c);
      if (g.has(c.name))
        throw new ColumnError(
          'its name is taken by a graph output (label, probabilities, value) or another column; rename the column to export',
        );
      return g.input(c.name, type, ['N', 1], doc);
    }),
  );
  const parts: string[] = [];
  p.columns.forEach((c, i) =>
    withColumn(c, () => {
      const base = `col_${c.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
      const x = inputs[i];
      if (c.type === 'numeric') parts.push(...imputed(g, x, c, base));
      else if (c.type === 'boolean') parts.push(...booleanColumn(g, x, c, base));
      else if (c.type === 'categorical') parts.push(...categoricalColumn(g, x, c, p.missing, base));
      else parts.push(...dateColumn(g, x, c, base));
    }),
  );
  const count = p.columns.reduce((n, c) => n + width(c), 0);
  return { features: parts.length === 1 ? parts[0] : g.node('Concat', parts, 'features', [attr.int('axis', 1)]), count };
}

/** The number of encoded features of a column (docs/formats.md's table). */
export function width(c: PipelineColumn): number {
  switch (c.type) {
    case 'categorical':
      return (c.categories?.length ?? 0) + (c.other ? 1 : 0) + (c.missing ? 1 : 0);
    case 'date':
      return Array.isArray(c.fill) ? c.fill.length + (c.indicator ? 1 : 0) : 0;
    default:
      return 1 + (c.indicator ? 1 : 0);
  }
}
