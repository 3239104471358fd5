/**
 * A pipeline read back from a model file is untrusted input: every field is checked against
 * docs/formats.md before anything encodes with it, and its features must fill the network's inputs.
 */
import type { Task } from './dataset.js';
import { type DatePart, featureCount, type Pipeline, type PipelineColumn } from './pipeline.js';

const DATE_PARTS: readonly DatePart[] = ['month', 'dayofweek', 'dayofyear', 'hour'];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The checked pipeline of metadata text `text`; `fail` throws the caller's typed error. */
export function checkPipeline(text: string, inputs: number, fail: (msg: string) => never): Pipeline {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return fail('metadata pipeline is not valid JSON');
  }
  const bad = (what: string): never => fail(`metadata pipeline: ${what} (see docs/formats.md)`);
  if (!isObject(v)) return bad('expected an object');
  if (v.version !== 1) bad(`version ${JSON.stringify(v.version)} is not 1; this model needs a newer native-mlp`);
  if (!strings(v.missing)) bad('"missing" must be an array of strings');
  if (!Array.isArray(v.columns) || v.columns.length === 0) bad('"columns" must be a non-empty array');
  const columns = (v.columns as unknown[]).map((c, i): PipelineColumn => {
    const at = `columns[${i}]`;
    if (!isObject(c) || typeof c.name !== 'string') return bad(`${at} must be an object with a "name"`);
    switch (c.type) {
      case 'numeric':
      case 'boolean':
        if (!finite(c.fill) || typeof c.indicator !== 'boolean') bad(`${at} ("${c.name}") needs a finite "fill" and a boolean "indicator"`);
        return { name: c.name, type: c.type, fill: c.fill as number, indicator: c.indicator as boolean };
      case 'categorical':
        if (!strings(c.categories) || typeof c.other !== 'boolean' || typeof c.missing !== 'boolean') {
          bad(`${at} ("${c.name}") needs "categories" (strings), "other" and "missing" (booleans)`);
        }
        return {
          name: c.name,
          type: 'categorical',
          categories: c.categories as string[],
          other: c.other as boolean,
          missing: c.missing as boolean,
        };
      case 'date': {
        const parts = c.parts;
        if (!strings(parts) || !parts.every((p) => (DATE_PARTS as readonly string[]).includes(p)) || typeof c.indicator !== 'boolean') {
          bad(`${at} ("${c.name}") needs "parts" from ${DATE_PARTS.join(', ')} and a boolean "indicator"`);
        }
        const fill = c.fill;
        if (!Array.isArray(fill) || fill.length !== 1 + 2 * (parts as string[]).length || !fill.every(finite)) {
          bad(`${at} ("${c.name}") needs one finite "fill" per encoded feature (${1 + 2 * (parts as string[]).length})`);
        }
        return { name: c.name, type: 'date', parts: parts as DatePart[], fill: fill as number[], indicator: c.indicator as boolean };
      }
      default:
        return bad(`${at} ("${c.name}") has type ${JSON.stringify(c.type)}; expected numeric, boolean, categorical or date`);
    }
  });
  const excluded = Array.isArray(v.excluded) ? v.excluded : [];
  if (!excluded.every((e) => isObject(e) && typeof e.name === 'string' && typeof e.type === 'string' && typeof e.reason === 'string')) {
    bad('"excluded" must hold objects with "name", "type" and "reason" strings');
  }
  const t = v.target;
  if (!isObject(t) || !strings(t.columns) || (t.task !== 'classify' && t.task !== 'regress'))
    bad('"target" must be { "columns": [names], "task": "classify" | "regress" }');
  const width = columns.reduce((n, c) => n + featureCount(c), 0);
  if (width !== inputs) bad(`its columns encode ${width} features but the network takes ${inputs}`);
  return {
    version: 1,
    missing: v.missing as string[],
    columns,
    excluded: excluded as Pipeline['excluded'],
    target: { columns: (t as { columns: string[] }).columns, task: (t as { task: Task }).task },
  };
}
