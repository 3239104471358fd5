/**
 * The HTML report of a real MNIST run: it is written, headless Chromium opens it offline (no
 * console errors, no requests), and the JSON Lines log rebuilds it byte for byte.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRunLog, type LoggedEvent } from '../src/report/index.js';
import { cli, externalIn, scratchDir } from './helpers/report.js';
import { browserIt, CHROMIUM } from './helpers/report-browser.js';

const dir = scratchDir('report');

const SECTIONS = ['settings', 'curves', 'test', 'confusion', 'per-class', 'roc', 'mistakes', 'throughput', 'epochs'];

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(file);
  expect(b.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('training report of a real MNIST run (1 epoch)', () => {
  const html = join(dir, 'run.html');
  const log = join(dir, 'run.jsonl');
  let page = '';

  beforeAll(() => {
    const r = cli(['train', '--epochs', '1', '--json', '--report', html]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    writeFileSync(log, r.stdout);
    page = readFileSync(html, 'utf8');
  }, 300_000);

  it('logs a report event after the test event, with the confusion matrix, per-class scores and mistakes', () => {
    const events = parseRunLog(readFileSync(log, 'utf8'), log);
    expect(events.map((e) => e.event)).toEqual(['start', 'epoch', 'test', 'report']);
    const [, , test, report] = events as Array<LoggedEvent & Record<string, never>>;
    expect(report.count).toBe(10000);
    const confusion = report.confusion as unknown as number[];
    expect(confusion).toHaveLength(100);
    expect(confusion.reduce((a, b) => a + b, 0)).toBe(10000);
    const correct = [...Array(10).keys()].reduce((a, c) => a + confusion[c * 10 + c], 0);
    expect(correct / 10000).toBeCloseTo(test.testAccuracy as unknown as number, 10);
    const mistakes = report.mistakes as unknown as Array<{ truth: number; predicted: number; confidence: number; pixels: string }>;
    expect(mistakes).toHaveLength(24);
    for (let i = 0; i < mistakes.length; i++) {
      expect(mistakes[i].truth).not.toBe(mistakes[i].predicted);
      expect(Buffer.from(mistakes[i].pixels, 'base64')).toHaveLength(784);
      if (i) expect(mistakes[i].confidence).toBeLessThanOrEqual(mistakes[i - 1].confidence);
    }
  });

  it('has every section, 24 inline PNG images and no external URL', () => {
    for (const id of SECTIONS) expect(page).toContain(`<section id="${id}">`);
    expect(page.match(/<img src="data:image\/png;base64,/g)).toHaveLength(24);
    expect(page.match(/<svg /g)!.length).toBeGreaterThanOrEqual(5);
    expect(externalIn(page)).toBeUndefined();
    expect(page).toMatch(
      /Content-Security-Policy" content="default-src &#39;none&#39;; img-src data:; style-src &#39;sha256-[A-Za-z0-9+\/=]+&#39;; form-action &#39;none&#39;; base-uri &#39;none&#39;"/,
    );
  });

  it('is rebuilt byte for byte from the --json log by `native-mlp report`', () => {
    const rebuilt = join(dir, 'rebuilt.html');
    const r = cli(['report', log, '-o', rebuilt]);
    expect(r.code).toBe(0);
    expect(readFileSync(rebuilt, 'utf8')).toBe(page);
  });

  browserIt(
    'opens in headless Chromium with no console errors and no network requests; the screenshot has the page',
    async () => {
      expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run must install it)`).toBe(true);
      const { chromium } = await import('playwright-core');
      const userDataDir = mkdtempSync(join(tmpdir(), 'native-mlp-chromium-'));
      const context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        viewport: { width: 1200, height: 900 },
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      try {
        const tab = await context.newPage();
        const problems: string[] = [];
        const requests: string[] = [];
        tab.on('console', (m) => {
          if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
        });
        tab.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
        tab.on('request', (r) => requests.push(r.url()));
        const url = pathToFileURL(html).href;
        await tab.goto(url, { waitUntil: 'load' });
        expect(problems).toEqual([]);
        expect(requests.filter((u) => u !== url && !u.startsWith('data:'))).toEqual([]);
        // The images decoded (a blocked or broken source has naturalWidth 0).
        const widths = await tab.$$eval('#mistakes img', (imgs) =>
          imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth),
        );
        expect(widths).toEqual(Array(24).fill(28));
        const shot = join(dir, 'run.png');
        await tab.screenshot({ path: shot, fullPage: true });
        const size = pngSize(shot);
        expect(size.width).toBe(1200);
        expect(size.height).toBeGreaterThan(1800); // every section below the fold is in the full-page picture
        expect(statSync(shot).size).toBeGreaterThan(50_000);
      } finally {
        await context.close();
        rmSync(userDataDir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
