/**
 * A value as error messages show it. JSON.stringify writes NaN and Infinity as null (and drops
 * undefined), so "Expected lr to be a finite number but received null" hid what was passed; here
 * numbers are written as JavaScript writes them (NaN, Infinity, -0), strings quoted, and long
 * values cut short.
 */
const MAX_SHOWN = 200;

export function showValue(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === undefined) return 'undefined';
  if (typeof v === 'function' || typeof v === 'symbol') return typeof v;
  let text: string;
  if (Array.isArray(v)) {
    text = `[${v.slice(0, 32).map(showValue).join(',')}${v.length > 32 ? `,... (${v.length} items)` : ''}]`;
  } else {
    try {
      text = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)) ?? String(v);
    } catch {
      text = Object.prototype.toString.call(v);
    }
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 3)}...` : text;
}

/**
 * n rounded to an integer with its thousands grouped (1,234,567), as en-US writes it, without
 * Intl: its number formatter loads locale data on first use, a visible pause for one number.
 */
export function groupedInteger(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
