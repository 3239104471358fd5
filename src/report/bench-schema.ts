/**
 * The check of a bench report (bench --json) before it is drawn: the fields the page and
 * bench/format.ts read, with their types. Extra column fields are allowed when they are plain
 * numbers or strings (later benches add timings); anything else is refused with one line naming
 * the column and the field.
 */
import { ReportError } from './events.js';

const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown) => typeof v === 'string' && v.length <= 4096;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkBenchReport(value: unknown, where: string): void {
  const bad = (field: string, expected: string): never => {
    throw new ReportError(`${where}: field "${field.slice(0, 80)}": expected ${expected} in a bench report (bench --json)`);
  };
  if (!isObject(value)) bad('(report)', 'an object');
  const r = value as Record<string, unknown>;
  const m = r.machine;
  if (!isObject(m) || !isStr(m.cpu) || !isNum(m.cores) || !isStr(m.node) || !isStr(m.platform))
    bad('machine', '{ cpu, cores, node, platform }');
  if (!Array.isArray(r.columns) || r.columns.length > 256) bad('columns', 'a list of at most 256 columns');
  (r.columns as unknown[]).forEach((c, i) => {
    if (!isObject(c)) return bad(`columns[${i}]`, 'an object');
    for (const k of ['label', 'backend', 'isa']) if (!isStr(c[k])) bad(`columns[${i}].${k}`, 'a string');
    if (!isNum(c.threads)) bad(`columns[${i}].threads`, 'a number');
    if (c.sgemm !== undefined && !(isObject(c.sgemm) && Object.values(c.sgemm).every((v) => typeof v === 'number')))
      bad(`columns[${i}].sgemm`, 'GFLOP/s by trial name');
    for (const [k, v] of Object.entries(c)) {
      if (k !== 'sgemm' && !(typeof v === 'number' || isStr(v) || v === null)) bad(`columns[${i}].${k}`, 'a number or a string');
    }
  });
  if (r.notes !== undefined && !(Array.isArray(r.notes) && r.notes.every(isStr))) bad('notes', 'a list of strings');
  const e = r.eventLoop;
  if (e !== undefined && !(isObject(e) && Object.values(e).every((v) => typeof v === 'number' || isStr(v))))
    bad('eventLoop', 'an object of numbers');
}
