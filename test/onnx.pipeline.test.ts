/**
 * Table models exported with their pipeline and run in onnxruntime-node on raw CSV rows: every
 * column type (numeric, categorical, boolean, date), missing cells and unseen categories, for
 * classification and regression. ONNX Runtime must give predictRows' labels exactly and its
 * probabilities within 1e-5 (values within 1e-5 relative). The feeds are built from the raw cells
 * as docs/onnx.md tells a user to: numbers as float (NaN missing), text as it is ("" missing),
 * dates as Unix seconds (NaN missing).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { categoryKey, type Cell, isMissing, parseDate, parseDecimal } from '../src/data/cells.js';
import { columnCell, readCsv } from '../src/data/csv.js';
import type { Pipeline } from '../src/data/pipeline.js';
import { encodeOnnx } from '../src/export/onnx.js';
import { predictRows } from '../src/infer/predict.js';
import { fit, type FitOptions } from '../src/train/fit.js';
import { loadOrt, type Ort, ortMissing } from './helpers/onnxruntime.js';
import { expectClose, expectRelClose } from './helpers/onnx-compare.js';

const ort = await loadOrt();
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

type Row = Record<string, Cell>;

/** The rows of a CSV file as objects of raw cells. */
async function rowsOf(file: string): Promise<Row[]> {
  const t = await readCsv(file);
  return Array.from({ length: t.count }, (_, i) => Object.fromEntries(t.columns.map((c) => [c.name, columnCell(c, i)])));
}

if (typeof ort === 'string') ortMissing('ONNX export of table pipelines in onnxruntime-node', ort);
else describe('ONNX export of table pipelines in onnxruntime-node', () => pipelineSuite(ort));

function pipelineSuite(ort: Ort) {
  const backend = selectBackend();

  /** ONNX feeds from raw cells, per the documented input of each column type. */
  function feeds(p: Pipeline, rows: Row[]): Record<string, InstanceType<Ort['Tensor']>> {
    const missing = new Set(p.missing);
    const out: Record<string, InstanceType<Ort['Tensor']>> = {};
    for (const c of p.columns) {
      const cells = rows.map((r) => r[c.name]);
      const gone = (v: Cell) => isMissing(v, missing);
      if (c.type === 'numeric') {
        out[c.name] = new ort.Tensor(
          'float32',
          Float32Array.from(cells, (v) => (gone(v) ? NaN : typeof v === 'number' ? v : parseDecimal(String(v).trim()))),
          [rows.length, 1],
        );
      } else if (c.type === 'date') {
        out[c.name] = new ort.Tensor(
          'float64',
          Float64Array.from(cells, (v) => (gone(v) ? NaN : parseDate(String(v)) / 1000)),
          [rows.length, 1],
        );
      } else if (c.type === 'categorical') {
        out[c.name] = new ort.Tensor(
          'string',
          cells.map((v) => (gone(v) ? '' : categoryKey(v as string | number | boolean))),
          [rows.length, 1],
        );
      } else {
        out[c.name] = new ort.Tensor(
          'string',
          cells.map((v) => (gone(v) ? '' : String(v).trim())),
          [rows.length, 1],
        );
      }
    }
    return out;
  }

  async function compare(file: string, options: FitOptions, edit: (rows: Row[]) => Row[] = (r) => r) {
    const { model } = await fit(file, { hidden: [12, 6], epochs: 15, batch: 32, lr: 0.01, optimizer: 'adam', ...options });
    const p = model.pipeline!;
    const session = await ort.InferenceSession.create(encodeOnnx(model));
    expect(session.inputNames).toEqual(p.columns.map((c) => c.name));
    const rows = edit(await rowsOf(file));
    const out = await session.run(feeds(p, rows));
    const ours = predictRows(backend, model, rows);
    if (ours.task === 'classify') {
      expect(out.label.data).toEqual(ours.labels);
      expectClose(out.probabilities.data as Float32Array, ours.probabilities, 1e-5, 'probabilities');
    } else {
      expectRelClose(out.value.data as Float32Array, ours.values, 1e-5, 'value');
    }
    return { p, ours };
  }

  it('penguins: categorical and numeric columns with NA cells, unseen islands and missing cells added', async () => {
    const { p } = await compare(fixture('penguins.csv'), { target: 'Species' }, (rows) =>
      rows.map((r, i) =>
        i % 7 === 0
          ? { ...r, Island: 'Atlantis' }
          : i % 11 === 0
            ? { ...r, Sex: null, 'Beak Length (mm)': 'NA' }
            : i % 13 === 0
              ? { ...r, Island: '' }
              : r,
      ),
    );
    expect(p.columns.map((c) => c.type)).toContain('categorical');
    expect(p.columns.some((c) => c.type === 'numeric' && c.indicator)).toBe(true);
  }, 120_000);

  it("cars: a date column, empty cells, an id column left out; regression in the target's units", async () => {
    const { p } = await compare(fixture('cars.csv'), { target: 'Miles_per_Gallon', task: 'regress' }, (rows) =>
      rows.map((r, i) => (i % 9 === 0 ? { ...r, Year: null, Origin: 'Mars' } : r)),
    );
    expect(p.columns.map((c) => c.type)).toContain('date');
    expect(p.excluded.map((e) => e.name)).toContain('Name');
  }, 120_000);

  it('seattle weather: dates with day-of-year and weekday cycles, five classes', async () => {
    const { p } = await compare(fixture('seattle-weather.csv'), { target: 'weather' });
    expect(p.columns.find((c) => c.name === 'date')).toMatchObject({ type: 'date', parts: ['month', 'dayofweek', 'dayofyear'] });
  }, 120_000);

  it('booleans in every spelling, an "other" slot, date-times with hours, and a column of categories as numbers', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'native-mlp-onnx-pipe-')), 'mixed.csv');
    const spell = ['yes', 'no', 'TRUE', 'false', 'Y', 'n', '1', '0', 't', 'F'];
    const lines = ['member,colour,size,when,level,y'];
    for (let i = 0; i < 240; i++) {
      const colour = ['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black'][i % 7];
      const when =
        i % 17 === 0
          ? ''
          : new Date(Date.UTC(2021, 0, 1, 0, 0) + i * 37 * 3600_000 + (i % 60) * 60_000).toISOString().replace('.000Z', 'Z');
      lines.push(
        `${spell[i % 10]},${colour},${i % 23 === 0 ? 'NA' : (i % 13) + 0.5},${when},${(i % 3) + 1},${(i * 7) % 3 === 0 ? 'A' : i % 2 ? 'B' : 'C'}`,
      );
    }
    writeFileSync(file, lines.join('\n') + '\n');
    const { p } = await compare(file, { target: 'y', table: { categorical: ['level'], maxCategories: 4 } }, (rows) =>
      rows.map((r, i) => (i % 5 === 0 ? { ...r, member: '', colour: 'ultraviolet' } : i % 8 === 0 ? { ...r, level: 2 } : r)),
    );
    const types = Object.fromEntries(p.columns.map((c) => [c.name, c.type]));
    expect(types).toMatchObject({ member: 'boolean', colour: 'categorical', size: 'numeric', when: 'date', level: 'categorical' });
    expect(p.columns.find((c) => c.name === 'colour')).toMatchObject({ other: true });
    expect(p.columns.find((c) => c.name === 'when')).toMatchObject({ parts: ['month', 'dayofweek', 'dayofyear', 'hour'], indicator: true });
  }, 120_000);
}
