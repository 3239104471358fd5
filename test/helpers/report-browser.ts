/**
 * Opening report pages in real headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core) and recording what the page did: console messages, requests, navigations,
 * dialogs, and whether any injected script ran (it would set window.__pwned).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { it } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';

/** Without the browser a test is skipped visibly on a developer's machine; under CI it fails instead. */
export const browserIt = existsSync(CHROMIUM) || process.env.CI ? it : it.skip;

export interface Visit {
  problems: string[];
  requests: string[];
  navigations: string[];
  dialogs: string[];
  finalUrl: string;
  pwned: unknown;
  /** Elements that only injected markup could have made. */
  injected: string[];
  bodyText: string;
}

type Tab = import('playwright-core').Page;

/** Opens each file in turn in one browser, waits `settleMs` for timers (a meta refresh of 0 s), and reports. */
export async function visit(
  files: string[],
  opts: { settleMs?: number; inspect?: (tab: Tab, file: string) => Promise<void> } = {},
): Promise<Visit[]> {
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
  const out: Visit[] = [];
  try {
    for (const file of files) {
      const tab = await context.newPage();
      const v: Visit = {
        problems: [],
        requests: [],
        navigations: [],
        dialogs: [],
        finalUrl: '',
        pwned: undefined,
        injected: [],
        bodyText: '',
      };
      tab.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') v.problems.push(`${m.type()}: ${m.text()}`);
      });
      tab.on('pageerror', (e) => v.problems.push(`pageerror: ${e.message}`));
      tab.on('request', (r) => v.requests.push(r.url()));
      tab.on('framenavigated', (f) => v.navigations.push(f.url()));
      tab.on('dialog', (d) => {
        v.dialogs.push(d.message());
        void d.dismiss();
      });
      const url = pathToFileURL(file).href;
      await tab.goto(url, { waitUntil: 'load' });
      await tab.waitForTimeout(opts.settleMs ?? 1500);
      v.finalUrl = tab.url();
      v.pwned = await tab.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned);
      v.injected = await tab.evaluate(() => {
        const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ outerHTML: string }> } }).document;
        const selectors = [
          'meta[http-equiv="refresh" i]',
          'form',
          'button',
          'textarea',
          'iframe',
          'object',
          'embed',
          'base',
          'link',
          'script:not([type="application/json"])',
          'img:not([src^="data:image/png;base64,"])',
          '[onerror]',
          '[onload]',
          '[onclick]',
          'a[href]',
          '[href^="javascript" i]',
          'foreignObject',
          'style:not(head > style)',
        ];
        return selectors.flatMap((s) => Array.from(doc.querySelectorAll(s), (e) => `${s}: ${e.outerHTML.slice(0, 80)}`));
      });
      v.bodyText = await tab.evaluate(
        () => (globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText,
      );
      await opts.inspect?.(tab, file);
      out.push(v);
      await tab.close();
    }
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
  return out;
}

/** Pairs of axis labels of one axis whose boxes overlap, in every chart of the page. */
export async function overlappingLabels(tab: Tab): Promise<string[]> {
  return tab.evaluate(() => {
    type Box = { left: number; right: number; top: number; bottom: number };
    type El = {
      getBoundingClientRect(): Box;
      textContent: string | null;
      querySelectorAll(s: string): ArrayLike<El>;
      getAttribute(a: string): string | null;
    };
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<El> } }).document;
    const found: string[] = [];
    for (const axis of Array.from(doc.querySelectorAll('g.role-axis-label'))) {
      const labels = Array.from(axis.querySelectorAll('text')).filter((t) => t.getAttribute('opacity') !== '0');
      const boxes = labels.map((t) => ({ t: t.textContent ?? '', b: t.getBoundingClientRect() }));
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, b] = [boxes[i].b, boxes[j].b];
          const ox = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const oy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (ox > 1 && oy > 1) found.push(`"${boxes[i].t}" and "${boxes[j].t}"`);
        }
      }
    }
    return found;
  });
}
