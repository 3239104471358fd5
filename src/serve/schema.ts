/**
 * JSON schemas of the request bodies, built from the served model (Fastify validates with Ajv
 * before a route runs), and one line per validation error naming the field:
 *   rows[3]: unknown column "bil_length" (columns: bill_length_mm, island, ...)
 *   rows[0].island: expected string, number, boolean or null
 */
import type { DecodedModel } from '../model/index.js';
import { columnsOf, isImageModel } from './predict.js';

/** Most rows (or input vectors) in one request. */
export const MAX_ROWS = 10_000;

/** JSON types a raw cell of each column type may have (null = missing; the pipeline reads strings as a CSV cell). */
const CELL_TYPES: Record<string, string[]> = {
  numeric: ['number', 'string', 'null'],
  boolean: ['boolean', 'number', 'string', 'null'],
  categorical: ['string', 'number', 'boolean', 'null'],
  date: ['string', 'null'],
};

export function predictSchema(m: DecodedModel): Record<string, unknown> {
  const F = m.net.inputs;
  const columns = columnsOf(m);
  const number = isImageModel(m) ? { type: 'integer', minimum: 0, maximum: 255 } : { type: 'number' };
  const properties: Record<string, unknown> = {
    inputs: { type: 'array', minItems: 1, maxItems: MAX_ROWS, items: { type: 'array', minItems: F, maxItems: F, items: number } },
  };
  if (columns) {
    properties.rows = {
      type: 'array',
      minItems: 1,
      maxItems: MAX_ROWS,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(columns.map((c) => [c.name, { type: CELL_TYPES[c.type] ?? ['number', 'string', 'null'] }])),
      },
    };
  }
  return { type: 'object', additionalProperties: false, minProperties: 1, maxProperties: 1, properties };
}

export const trainSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { epochs: { type: 'integer', minimum: 1, maximum: 100_000 }, force: { type: 'boolean' } },
};

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: { properties?: Record<string, unknown> };
}

/** "/rows/3/island" -> "rows[3].island". */
function fieldName(path: string): string {
  const parts = path
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.reduce((s, p) => (/^\d+$/.test(p) ? `${s}[${p}]` : s ? `${s}.${p}` : p), '');
}

function list(names: readonly string[]): string {
  const shown = names.slice(0, 20).join(', ');
  return names.length > 20 ? `${shown}, ... (${names.length} in all)` : shown;
}

/** One line for the first validation error of a request body. */
export function validationMessage(e: { validation: AjvError[] }): string {
  const v = e.validation[0];
  const field = fieldName(v.instancePath);
  const where = field || 'body';
  const known = Object.keys(v.parentSchema?.properties ?? {});
  switch (v.keyword) {
    case 'additionalProperties': {
      const name = JSON.stringify(String(v.params.additionalProperty).slice(0, 100));
      return field
        ? `${where}: unknown column ${name} (columns: ${list(known)})`
        : `unknown field ${name} (expected ${known.join(' or ')})`;
    }
    case 'type': {
      if (!field) return 'body must be a JSON object';
      const types = String(v.params.type).split(',');
      return `${where}: expected ${types.length > 1 ? `${types.slice(0, -1).join(', ')} or ${types[types.length - 1]}` : types[0]}`;
    }
    case 'minProperties':
    case 'maxProperties':
      return `body must have exactly one of ${known.map((k) => `"${k}"`).join(' or ')}`;
    default:
      return `${where} ${v.message ?? 'is not valid'}`;
  }
}
