/**
 * The report as an attacker's target: markup injected into every field a log or a runs.jsonl can
 * carry neither runs nor navigates nor appears as markup in real headless Chromium; logs are
 * checked against the schema (one line naming the line and the field); a FIFO does not hang the
 * reader; class, epoch, point and run counts beyond the caps are summarised, not drawn.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  compareReportHtml,
  type ComparedRun,
  parseRunLog,
  trainingReportHtml,
  chartWarnings,
  type LoggedEvent,
} from '../src/report/index.js';
import { escapeText, html, jsonScript } from '../src/report/markup.js';
import { browserIt, visit } from './helpers/report-browser.js';

const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'native-mlp-report-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], timeout = 60_000) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout, maxBuffer: 1 << 26 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Markup that would navigate, submit, run script or load something if it reached the page as markup. */
const PAYLOAD =
  '"\'><meta http-equiv="refresh" content="0;url=https://example.invalid/"><form action="https://example.invalid/"><button>go</button></form>' +
  '<script>globalThis.__pwned=1</script><img src=x onerror="globalThis.__pwned=2"><a href="javascript:globalThis.__pwned=3">link</a>' +
  '</script></style></textarea>--><svg onload="globalThis.__pwned=4"></svg>\u2028\u2029&amp;';
const p = (field: string) => `${field} ${PAYLOAD}`;

const environment = { version: p('version'), node: p('node'), platform: p('platform'), cpu: p('cpu'), cores: 2 };
const start = {
  event: 'start',
  backend: p('backend'),
  isa: p('isa'),
  threads: 1,
  layers: [4, 8, 2],
  epochs: 3,
  batch: 16,
  lr: 0.1,
  seed: 0,
  optimizer: p('optimizer'),
  schedule: p('schedule'),
  activation: p('activation'),
  trainRows: 90,
  validationRows: 10,
  testRows: 4,
  data: p('data'),
  target: p('target'),
  featureNames: [p('feature a'), p('feature b'), 'c', 'd'],
  task: 'classify',
  schema: [
    { column: p('column'), type: 'categorical', missing: 0, distinct: 2, features: 2, expandsTo: [p('expands 1'), p('expands 2')] },
    { column: 'label', type: 'target', missing: 0, distinct: 2, features: 0, classes: [{ name: p('schema class'), rows: 3 }] },
  ],
};
const epochs = [1, 2, 3].map((epoch) => ({
  event: 'epoch',
  epoch,
  lr: 0.1,
  loss: 1 / epoch,
  validationLoss: 1.2 / epoch,
  validationAccuracy: 0.5 + epoch / 10,
  seconds: 0.004,
  rowsPerSecond: 22500,
  evalSeconds: 0.001,
}));
const injectedLog: LoggedEvent[] = [
  start,
  ...epochs,
  { event: 'warning', message: p('warning') },
  { event: 'stop', reason: p('reason'), bestEpoch: 2 },
  { event: 'test', testAccuracy: 0.75, testLoss: 0.5 },
  {
    event: 'report',
    environment,
    count: 4,
    classes: 2,
    classNames: [p('class 0'), p('class 1')],
    inputKind: 'rows',
    confusion: [2, 0, 1, 1],
    perClass: [
      { precision: 0.67, recall: 1, f1: 0.8, support: 2 },
      { precision: 1, recall: 0.5, f1: 0.67, support: 2 },
    ],
  },
] as LoggedEvent[];

const injectedRuns: ComparedRun[] = [0, 1, 2].map((i) => ({
  run: i === 0 ? p('run name') : i,
  settings: { lr: 0.01 * (i + 1), optimizer: p(`optimizer ${i}`), hidden: [16, 8 * i] },
  epochs: epochs.map(({ event: _, ...e }) => ({ ...e, validationAccuracy: (e.validationAccuracy as number) - i / 20 })),
  final: { validationAccuracy: 0.8 - i / 20 },
  seconds: 1.5,
  model: p('model path'),
  ...(i === 2 ? { error: p('error') } : {}),
}));

describe('escaping by construction', () => {
  it('escapes every interpolated value, attributes included, and keeps Html values only from the builder', () => {
    const name = '<b title="x">&\'`';
    expect(html`<td title="${name}">${name}</td>`.toString()).toBe(
      '<td title="&#60;b title=&#34;x&#34;&#62;&#38;&#39;&#96;">&#60;b title=&#34;x&#34;&#62;&#38;&#39;&#96;</td>',
    );
    expect(escapeText('a<b')).toBe('a&#60;b');
    // A plain array passed as the template's strings is refused: only a real template literal is markup.
    expect(() => html(Object.assign(['<script>'], { raw: ['<script>'] }) as unknown as TemplateStringsArray)).toThrow(/tagged template/);
  });

  it('writes JSON data blocks that cannot end their script element, and read back to the same value', () => {
    const value = { name: '</script><script>globalThis.__pwned=1</script><!--', sep: '\u2028\u2029', amp: '&' };
    const block = jsonScript('data', value).toString();
    expect(block).not.toMatch(/<\/script>.*<\/script>/s);
    expect(block.slice(block.indexOf('>') + 1, block.lastIndexOf('<'))).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(block.slice(block.indexOf('>') + 1, block.lastIndexOf('</script>')))).toEqual(value);
  });

  browserIt(
    'injected markup in every field of a log and of runs neither runs, nor navigates, nor appears as markup, in Chromium',
    async () => {
      const training = join(dir, 'injected.html');
      writeFileSync(training, await trainingReportHtml(injectedLog));
      const compared = join(dir, 'injected-compare.html');
      writeFileSync(compared, await compareReportHtml(injectedRuns));
      // The harness can fail: the same payload written raw into a page is caught (its refresh made slow, so the page stays to be inspected).
      const control = join(dir, 'control.html');
      writeFileSync(
        control,
        `<!DOCTYPE html><html><body><p>${PAYLOAD.replace('0;url=https://example.invalid/', '3600')}</p></body></html>`,
      );
      const [a, b, c] = await visit([training, compared, control]);
      for (const v of [a, b]) {
        expect(v.pwned).toBeUndefined();
        expect(v.dialogs).toEqual([]);
        expect(v.injected).toEqual([]);
        expect(v.navigations).toEqual([v.finalUrl]);
        expect(v.requests).toEqual([v.finalUrl]);
        expect(v.problems).toEqual([]);
        // The payload is on the page as text.
        expect(v.bodyText).toContain('<meta http-equiv="refresh" content="0;url=https://example.invalid/"><form');
      }
      for (const field of [
        'backend',
        'optimizer',
        'data',
        'target',
        'feature a',
        'reason',
        'class 0',
        'class 1',
        'cpu',
        'activation',
        'column',
        'expands 1',
      ]) {
        expect(a.bodyText, field).toContain(`${field} "'><meta`);
      }
      expect(a.bodyText).toContain('schema class "\'…'); // shortened on the page, as text
      for (const field of ['optimizer 0', 'model path', 'error']) expect(b.bodyText, field).toContain(`${field} "'><meta`);
      expect(c.injected.length).toBeGreaterThan(3);
      expect(c.pwned).toBeDefined();
    },
    120_000,
  );

  it('keeps Vega quiet: no chart warning while drawing these pages', () => {
    expect(chartWarnings).toEqual([]);
  });
});

describe('schema: a log is checked before anything is drawn', () => {
  const log = (lines: object[]) => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
  const cases: Array<[string, object[], RegExp]> = [
    ['unknown field', [{ ...start, colour: 'red' }], /x\.jsonl line 1: field "colour": not a field of a start event/],
    ['ill-typed field', [start, { ...epochs[0], loss: 'low' }], /x\.jsonl line 2: field "loss": expected a number/],
    ['unknown event', [start, { event: 'exfiltrate' }], /x\.jsonl line 2: field "event": unknown event "exfiltrate"/],
    ['prototype key', [start, JSON.parse('{"event":"epoch","epoch":1,"__proto__":{"x":1}}')], /line 2: field "__proto__": not a field/],
    ['event named like a prototype member', [start, { event: 'constructor' }], /line 2: field "event": unknown event "constructor"/],
    ['list as a name', [{ ...start, backend: ['js'] }], /line 1: field "backend": expected a string/],
    [
      'table column of unknown shape',
      [{ ...start, schema: [{ column: 'a', type: 'numeric', onclick: 'x' }] }],
      /line 1: field "schema": expected a list of column summaries/,
    ],
    ['huge class count', [start, { event: 'report', environment: {}, count: 1, classes: 1e9 }], /line 2: field "classes"/],
    [
      'class names of another length',
      [start, { event: 'report', environment: {}, count: 1, classes: 2, classNames: ['a'] }],
      /line 2: field "classNames"/,
    ],
    [
      'out-of-range mistake label',
      [
        start,
        {
          event: 'report',
          environment: {},
          count: 1,
          classes: 2,
          imageSide: 1,
          mistakes: [{ index: 0, truth: 7, predicted: 1, confidence: 1, pixels: 'AA==' }],
        },
      ],
      /field "mistakes"/,
    ],
  ];
  for (const [what, lines, message] of cases) {
    it(`refuses a log with ${what}, in one line naming the line and the field`, () => {
      expect(() => parseRunLog(log(lines), 'x.jsonl')).toThrow(message);
    });
  }

  it('the CLI says it in one line with exit 2, and refuses ill-typed runs.jsonl lines', () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, log([start, { ...epochs[0], seconds: -1 }, { ...epochs[1], rowsPerSecond: '<b>' }]));
    let r = cli(['report', bad, '-o', join(dir, 'never.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/bad\.jsonl line 3: field "rowsPerSecond": expected a number/);
    const runs = join(dir, 'runs.jsonl');
    writeFileSync(
      runs,
      log([
        { run: 0, settings: { lr: 0.1 }, epochs: [], final: { validationLoss: 1 } },
        { run: 1, settings: { lr: { $gt: 1 } }, epochs: [], final: {} },
      ]),
    );
    r = cli(['report', runs, '-o', join(dir, 'never.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/runs\.jsonl line 2: field "settings\.lr": expected a string, finite number/);
  });
});

describe('bounded reads', () => {
  it('refuses a FIFO at once instead of waiting for a writer (child process, time cap)', () => {
    const fifo = join(dir, 'log.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = cli(['report', fifo, '-o', join(dir, 'fifo.html')], 20_000);
    expect(r.signal).toBeNull(); // not killed by the time cap: it did not hang
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/log\.fifo: is a FIFO \(named pipe\), not a regular file/);
  });

  it('refuses a folder as the report to write, before training', () => {
    const r = cli(['train', '--epochs', '1', '--json', '--report', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--report .*: is a folder; name an HTML file to write/);
  });

  it('refuses a log that is not UTF-8 and a folder, naming the file', () => {
    const latin = join(dir, 'latin.jsonl');
    writeFileSync(latin, Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d, 0x0a]));
    expect(cli(['report', latin, '-o', join(dir, 'x.html')]).stderr).toMatch(/latin\.jsonl: is not UTF-8 text/);
    expect(cli(['report', dir, '-o', join(dir, 'x.html')]).stderr).toMatch(/is a folder, not a regular file/);
  });
});

describe('caps: large logs are summarised, not drawn in full', () => {
  it('3,000 epochs and 300 classes give a page of bounded size that says what it left out', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({
      event: 'epoch',
      epoch: i + 1,
      lr: 0.1,
      loss: 1 / (i + 1),
      seconds: 0.01,
      rowsPerSecond: 1000,
      evalSeconds: 0,
    }));
    const C = 300;
    const confusion = Array.from({ length: C * C }, (_, i) => (i % (C + 1) === 0 ? 5 : 0));
    const report = {
      event: 'report',
      environment: {},
      count: 5 * C,
      classes: C,
      confusion,
      perClass: Array.from({ length: C }, () => ({ precision: 1, recall: 1, f1: 1, support: 5 })),
    };
    const page = await trainingReportHtml([start, ...many, { event: 'test', testAccuracy: 1, testLoss: 0 }, report] as LoggedEvent[]);
    expect(page).toContain('3,000 epochs: the curves are drawn through 1,000 of them');
    expect(page).toContain('… 2,800 epochs left out …');
    expect(page).toContain('300 classes: the matrix is drawn for at most 40');
    expect(page).toContain('The first 100 of 300 classes (200 left out)');
    expect(page.length).toBeLessThan(3_000_000);
  });

  it('draws at most 50 curves of 60 runs and lists them all in the table', async () => {
    const runs: ComparedRun[] = Array.from({ length: 60 }, (_, i) => ({
      run: i,
      settings: { lr: 0.001 * (i + 1) },
      epochs: [
        { epoch: 1, loss: 1, validationLoss: 1 + i / 100 },
        { epoch: 2, loss: 0.5, validationLoss: 0.5 + i / 100 },
      ],
      final: { validationLoss: 0.5 + i / 100 },
    }));
    const page = await compareReportHtml(runs);
    const curves = page.slice(page.indexOf('<section id="curves">'), page.indexOf('</section>', page.indexOf('<section id="curves">')));
    expect(curves.match(/aria-roledescription="line mark"/g)).toHaveLength(50);
    expect(page).toContain('The best 50 of 60 runs are drawn (10 left out; all are in the table)');
    expect(page.match(/<tr class="(best)?">/g)).toHaveLength(60);
  });
});
