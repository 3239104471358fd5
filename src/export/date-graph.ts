/**
 * A date column as ONNX nodes. ONNX (opset 17) has no operator that reads an ISO 8601 string, so
 * the graph takes the date as a number: double [N, 1], seconds since 1970-01-01T00:00:00Z (Unix
 * time: `Date.parse(s) / 1000` in JavaScript, `pd.Timestamp(s).timestamp()` in Python); NaN =
 * missing. From it the graph computes, in double precision, what the pipeline's dateFeatures
 * computes from a JavaScript Date in UTC:
 *
 *   year       the calendar year (proleptic Gregorian)
 *   month      sin/cos(2 pi * month0 / 12), month0 = 0 for January
 *   dayofweek  sin/cos(2 pi * weekday / 7), weekday = 0 for Sunday
 *   dayofyear  sin/cos(2 pi * (day of year - 1) / 366)
 *   hour       sin/cos(2 pi * (hour + minute / 60) / 24)
 *
 * The calendar arithmetic is Howard Hinnant's civil_from_days / days_from_civil
 * (http://howardhinnant.github.io/date_algorithms.html) written with Floor, so it holds for dates
 * before 1970 too; every intermediate value is an integer below 2^53, exact in double. A missing
 * date takes each feature's fill; the indicator, when the column has one, is 1 for missing.
 */
import { attr, type GraphBuilder } from './graph.js';
import { ColumnError, type PipelineColumn } from './pipeline-graph.js';

/** The cyclic parts the graph can compute. */
export const DATE_PARTS = ['month', 'dayofweek', 'dayofyear', 'hour'] as const;

/** Arithmetic on double values, each call one node. */
class DoubleOps {
  constructor(
    private readonly g: GraphBuilder,
    private readonly base: string,
  ) {}
  c(v: number): string {
    return this.g.constant('date_c', 'double', [], Float64Array.of(v));
  }
  private op(op: string, a: string, b: string | number, out: string): string {
    return this.g.node(op, [a, typeof b === 'number' ? this.c(b) : b], `${this.base}_${out}`);
  }
  add = (a: string, b: string | number, out = 'add') => this.op('Add', a, b, out);
  sub = (a: string, b: string | number, out = 'sub') => this.op('Sub', a, b, out);
  mul = (a: string, b: string | number, out = 'mul') => this.op('Mul', a, b, out);
  div = (a: string, b: string | number, out = 'div') => this.op('Div', a, b, out);
  floor = (a: string, out = 'floor') => this.g.node('Floor', [a], `${this.base}_${out}`);
  /** floor(a / b) */
  fdiv = (a: string, b: number, out = 'fdiv') => this.floor(this.div(a, b), out);
  /** a - b * floor(a / b): the non-negative remainder for b > 0. */
  mod = (a: string, b: number, out = 'mod') => this.sub(a, this.mul(this.fdiv(a, b), b), out);
}

/** The day count since 1970-01-01 of January 1st of `year` (days_from_civil(year, 1, 1)). */
function januaryFirst(o: DoubleOps, year: string): string {
  const yy = o.sub(year, 1, 'yy'); // January counts in the March-based year before
  const era = o.fdiv(yy, 400, 'jan_era');
  const yoe = o.sub(yy, o.mul(era, 400), 'jan_yoe');
  // doe = 365 yoe + floor(yoe / 4) - floor(yoe / 100) + 306 (day of the March-based year of Jan 1st)
  const doe = o.add(o.sub(o.add(o.mul(yoe, 365), o.fdiv(yoe, 4)), o.fdiv(yoe, 100)), 306, 'jan_doe');
  return o.sub(o.add(o.mul(era, 146097), doe), 719468, 'jan_days');
}

/** Adds the date column's features (float [N, 1] each) from its input `x`. */
export function dateColumn(g: GraphBuilder, x: string, c: PipelineColumn, base: string): string[] {
  const parts = c.parts ?? [];
  for (const p of parts)
    if (!(DATE_PARTS as readonly string[]).includes(p))
      throw new ColumnError(`its date part "${p}" has no ONNX form (known: ${DATE_PARTS.join(', ')})`);
  const fill = c.fill;
  if (!Array.isArray(fill) || fill.length !== 1 + 2 * parts.length || !fill.every(Number.isFinite)) {
    throw new ColumnError(
      `its fill ${JSON.stringify(fill)} is not ${1 + 2 * parts.length} finite numbers (year, then a sin/cos pair per part)`,
    );
  }
  const o = new DoubleOps(g, base);
  const isNan = g.node('IsNaN', [x], `${base}_isnan`);
  // A missing date computes on 0 (1970-01-01) and is replaced by the fills below.
  const t = g.node('Where', [isNan, o.c(0), x], `${base}_t`);
  const days = o.fdiv(t, 86400, 'days');
  // civil_from_days
  const z = o.add(days, 719468, 'z');
  const era = o.fdiv(z, 146097, 'era');
  const doe = o.sub(z, o.mul(era, 146097), 'doe');
  // yoe = floor((doe - floor(doe / 1460) + floor(doe / 36524) - floor(doe / 146096)) / 365)
  const yoe = o.fdiv(o.sub(o.add(o.sub(doe, o.fdiv(doe, 1460)), o.fdiv(doe, 36524)), o.fdiv(doe, 146096)), 365, 'yoe');
  // doy = doe - (365 yoe + floor(yoe / 4) - floor(yoe / 100)), day of the March-based year
  const doy = o.sub(doe, o.sub(o.add(o.mul(yoe, 365), o.fdiv(yoe, 4)), o.fdiv(yoe, 100)), 'doy');
  const mp = o.fdiv(o.add(o.mul(doy, 5), 2), 153, 'mp'); // 0 = March ... 11 = February
  const month0 = o.mod(o.add(mp, 2), 12, 'month0'); // 0 = January
  const year = o.add(o.add(yoe, o.mul(era, 400)), o.fdiv(o.add(mp, 2), 12), 'year');
  const fractions: Record<string, () => string> = {
    month: () => o.div(month0, 12, 'month_frac'),
    dayofweek: () => o.div(o.mod(o.add(days, 4), 7, 'weekday'), 7, 'dayofweek_frac'), // 1970-01-01 was a Thursday (4)
    dayofyear: () => o.div(o.sub(days, januaryFirst(o, year), 'yday0'), 366, 'dayofyear_frac'),
    hour: () => {
      const sec = o.sub(t, o.mul(days, 86400), 'second_of_day');
      const h = o.fdiv(sec, 3600, 'hour');
      const minute = o.fdiv(o.sub(sec, o.mul(h, 3600)), 60, 'minute');
      return o.div(o.add(h, o.div(minute, 60)), 24, 'hour_frac');
    },
  };
  const features = [year];
  for (const p of parts) {
    const angle = o.mul(fractions[p](), 2 * Math.PI, `${p}_angle`);
    features.push(g.node('Sin', [angle], `${base}_${p}_sin`), g.node('Cos', [angle], `${base}_${p}_cos`));
  }
  const out = features.map((f, j) => {
    const filled = g.node('Where', [isNan, o.c(fill[j]), f], `${base}_f${j}`);
    return g.node('Cast', [filled], `${base}_f${j}_float`, [attr.int('to', 1)]);
  });
  if (c.indicator) out.push(g.node('Cast', [isNan], `${base}_missing`, [attr.int('to', 1)]));
  return out;
}
