/**
 * The one grammar for numbers written as text, for every reader of user text: the CLI's flags
 * (cli/args.ts) and table cells (data/cells.ts, which adds the decimal-comma form of the same). JavaScript's Number() is not a grammar: it reads "0x10" as 16, "0b101",
 * "0o17", "Infinity", " 1 " and "" (as 0). Here a number is plain decimal only:
 *
 *   [+|-] digits [. digits] [e|E [+|-] digits]     or     [+|-] . digits [e ...]
 *
 * no hex, binary, octal, Infinity, NaN, separators, surrounding spaces or empty text; and a value
 * the kernels cannot hold (beyond float32's range) is refused, never silently turned to Infinity.
 */

/** Plain decimal digits: no sign, hex, octal, binary, exponent, separators or spaces. */
export const DECIMAL_INT = /^[0-9]+$/;
/** A plain decimal number without a sign: 0.1, .5, 1e-3, 2. (flags: signs are refused there). */
export const DECIMAL_NUMBER = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
/** DECIMAL_NUMBER with an optional sign (CSV cells: -1.5, +2). */
export const SIGNED_DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** Smallest normal float32: below it a value is subnormal in the kernels (or rounds to 0). */
export const MIN_NORMAL_F32 = 2 ** -126;
/** Largest finite float32: the kernels compute in float32. */
export const MAX_F32 = 3.4028234663852886e38;

/** True when n is finite and stays finite as a float32 (so a kernel sees the same kind of value). */
export function fitsFloat32(n: number): boolean {
  return Number.isFinite(Math.fround(n));
}

/** Why `text` is not a number of the grammar, or null when it is (`signed`: a leading + or - is allowed). */
export function decimalProblem(text: string, signed = true): string | null {
  if (text === '') return 'is empty';
  if (!(signed ? SIGNED_DECIMAL : DECIMAL_NUMBER).test(text)) return 'is not a plain decimal number';
  if (!fitsFloat32(Number(text))) return `is beyond float32's range (magnitude above ${MAX_F32})`;
  return null;
}

/**
 * The number `text` holds in the grammar, or undefined when it is not one (see decimalProblem for
 * why). Values that overflow float32 are refused; values that underflow it are returned as read.
 */
export function parseDecimal(text: string, signed = true): number | undefined {
  return decimalProblem(text, signed) === null ? Number(text) : undefined;
}
