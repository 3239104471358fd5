/**
 * The report screenshots in docs/: trains an iris-like table, the breast-cancer table (binary)
 * and the diabetes table (regression) with the CLI, writes their reports and a comparison of the
 * three cancer runs, and photographs each page in headless Chromium (Debian's /usr/bin/chromium).
 * Run after `npm run build:ts`: node scripts/report-screenshots.mjs [OUT_DIR] (default docs/).
 * The pictures leave out the throughput charts and the epoch table (below the fold on the page).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = process.argv[2] ?? join(root, 'docs');
const work = mkdtempSync(join(tmpdir(), 'native-mlp-shots-'));
const cli = (args) => execFileSync(process.execPath, [join(root, 'dist/cli/main.js'), ...args], { encoding: 'utf8', cwd: root });

// An iris-like table: Fisher's per-class means and spreads, seeded normal draws.
const species = [
  ['Iris-setosa', [5.0, 3.4, 1.46, 0.24], [0.35, 0.38, 0.17, 0.11]],
  ['Iris-versicolor', [5.94, 2.77, 4.26, 1.33], [0.52, 0.31, 0.47, 0.2]],
  ['Iris-virginica', [6.59, 2.97, 5.55, 2.03], [0.64, 0.32, 0.55, 0.27]],
];
let s = 7;
const uniform = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
const lines = ['sepal length,sepal width,petal length,petal width,species'];
for (let i = 0; i < 150; i++) {
  const [name, mean, sd] = species[i % 3];
  // Spreads widened by half, so the picture has a few mistakes to show.
  lines.push([...mean.map((m, j) => Math.max(0.1, m + 1.5 * sd[j] * normal()).toFixed(1)), name].join(','));
}
writeFileSync(join(work, 'iris.csv'), lines.join('\n') + '\n');

const fixture = (f) => `test/fixtures/${f}`; // relative to the package: the pages show the path
const runs = {
  iris: [
    '--data',
    join(work, 'iris.csv'),
    '--target',
    'species',
    '--hidden',
    '16',
    '--epochs',
    '90',
    '--batch',
    '16',
    '--lr',
    '0.05',
    '--optimizer',
    'adam',
    '--validation',
    '0.2',
    '--early-stopping',
    '10',
  ],
  cancer: [
    '--data',
    fixture('breast-cancer.csv'),
    '--target',
    'diagnosis',
    '--hidden',
    '16',
    '--epochs',
    '30',
    '--batch',
    '32',
    '--lr',
    '0.05',
    '--validation',
    '0.2',
  ],
  diabetes: [
    '--data',
    fixture('diabetes.csv'),
    '--target',
    'progression',
    '--task',
    'regress',
    '--hidden',
    '16',
    '--epochs',
    '60',
    '--batch',
    '32',
    '--lr',
    '0.01',
    '--optimizer',
    'adam',
    '--validation',
    '0.2',
    '--early-stopping',
    '15',
  ],
};
const pages = {};
for (const [name, args] of Object.entries(runs)) {
  pages[name] = join(work, `${name}.html`);
  cli(['train', ...args, '--json', '--report', pages[name]]);
}
const logs = [0.003, 0.03, 0.3].map((lr) => {
  const log = join(work, `cancer-lr${lr}.jsonl`);
  writeFileSync(log, cli(['train', ...runs.cancer.map((a) => (a === '0.05' ? String(lr) : a)), '--json']));
  return log;
});
pages.compare = join(work, 'compare.html');
cli(['report', ...logs, '-o', pages.compare]);

const userDataDir = mkdtempSync(join(tmpdir(), 'native-mlp-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1160, height: 900 },
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  for (const [name, file] of Object.entries(pages)) {
    const tab = await context.newPage();
    await tab.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    // Through the CSSOM (the page's CSP allows no added style element).
    await tab.evaluate(() => {
      for (const id of ['throughput', 'epochs']) {
        const el = globalThis.document.getElementById(id);
        if (el) el.style.display = 'none';
      }
    });
    await tab.screenshot({ path: join(out, `report-${name}.png`), fullPage: true });
    await tab.close();
    process.stdout.write(`${join(out, `report-${name}.png`)}\n`);
  }
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}
