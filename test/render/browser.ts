/**
 * Test helper: opens a local HTML file in Debian's headless Chromium through
 * puppeteer-core, records every request the page makes (anything but the file
 * itself or a data: URI is aborted and reported), waits for fonts, counts
 * KaTeX output and saves a screenshot.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumAvailable = (): boolean => existsSync(CHROMIUM);

// Without the background-networking flags Chromium tries Google's hosts at
// start, which this machine's closed network refuses.
const FLAGS = [
  '--no-sandbox', // we run as root in CI
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** How long a launch, a page load or a protocol call may take before the test gives up. */
const LIMIT_MS = 10 * 60_000;

export interface Chromium {
  browser: Browser;
  launchMs: number;
  close(): Promise<void>;
}

/** Launches headless Chromium with a fresh profile directory, removed on close. */
export async function launchChromium(): Promise<Chromium> {
  const profile = await mkdtemp(join(tmpdir(), 'gradproof-chromium-'));
  const t0 = performance.now();
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    pipe: true, // no DevTools port to open or collide
    userDataDir: profile,
    args: FLAGS,
    // Generous limits, not timing assertions: a loaded 2-core CI machine must not fail a page that renders.
    timeout: LIMIT_MS,
    protocolTimeout: LIMIT_MS,
  });
  const launchMs = performance.now() - t0;
  return {
    browser,
    launchMs,
    async close() {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

// Page-side code runs in Chromium; these are the few DOM bits it touches,
// typed here rather than adding lib.dom to the Node program.
interface FontFaceLike {
  family: string;
  style: string;
  weight: string;
  status: string;
}
interface PageDocument {
  fonts: Iterable<FontFaceLike> & { ready: Promise<unknown> };
  title: string;
  querySelectorAll(selector: string): { length: number };
}
declare const document: PageDocument;

export interface PageReport {
  url: string;
  /** every request the page made, in order (data: URIs shortened) */
  requests: string[];
  /** requests that were neither the page nor data: (aborted) */
  blocked: string[];
  /** console errors, page errors and failed requests other than the ones we aborted */
  errors: string[];
  title: string;
  katex: number;
  katexErrors: number;
  scripts: number;
  svgs: number;
  /** KaTeX font faces the browser actually loaded */
  fontsLoaded: string[];
  screenshot: string;
  pageMs: number;
}

const short = (url: string) => (url.startsWith('data:') ? `${url.slice(0, 40)}…` : url);

export interface CheckOptions {
  /** also allow file:// requests under this folder (for fonts written beside the page) */
  allowFilesUnder?: string;
}

/** Opens htmlFile, waits for it to render and saves a full-page PNG screenshot. */
export async function checkPage(
  browser: Browser,
  htmlFile: string,
  screenshot: `${string}.png`,
  opts: CheckOptions = {},
): Promise<PageReport> {
  const url = pathToFileURL(htmlFile).href;
  const under =
    opts.allowFilesUnder === undefined ? null : pathToFileURL(opts.allowFilesUnder).href.replace(/\/?$/, '/');
  const allowed = (u: string) =>
    u.split('#')[0] === url || u.startsWith('data:') || (under !== null && u.startsWith(under));
  const t0 = performance.now();
  const page = await browser.newPage();
  const requests: string[] = [];
  const blocked: string[] = [];
  const errors: string[] = [];
  try {
    page.setDefaultTimeout(LIMIT_MS);
    page.setDefaultNavigationTimeout(LIMIT_MS);
    await page.setViewport({ width: 1000, height: 800 });
    await page.setRequestInterception(true);
    page.on('request', (req) => {
      const u = req.url();
      requests.push(short(u));
      if (allowed(u)) void req.continue();
      else {
        blocked.push(u);
        void req.abort('blockedbyclient');
      }
    });
    page.on('requestfailed', (req) => {
      if (!blocked.includes(req.url()))
        errors.push(`request failed: ${short(req.url())} ${req.failure()?.errorText ?? ''}`);
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (err) => errors.push(`page error: ${String(err)}`));

    await page.goto(url, { waitUntil: 'load' });
    const state = await page.evaluate(async () => {
      await document.fonts.ready;
      return {
        title: document.title,
        katex: document.querySelectorAll('.katex').length,
        scripts: document.querySelectorAll('script').length,
        svgs: document.querySelectorAll('figure > svg').length,
        katexErrors: document.querySelectorAll('.katex-error').length,
        fontsLoaded: [...document.fonts]
          .filter((f) => f.family.includes('KaTeX') && f.status === 'loaded')
          .map((f) => `${f.family} ${f.style} ${f.weight}`),
      };
    });
    await page.screenshot({ path: screenshot, fullPage: true });
    return { url, requests, blocked, errors, ...state, screenshot, pageMs: performance.now() - t0 };
  } finally {
    await page.close();
  }
}

/** Throws with the details when the page reached out, logged errors or has no (or broken) KaTeX output. */
export function assertRenderedOffline(r: PageReport): void {
  const problems = [
    ...r.blocked.map((u) => `request outside the page: ${u}`),
    ...r.errors,
    ...(r.katex === 0 ? ['no .katex element'] : []),
    ...(r.katexErrors > 0 ? [`${r.katexErrors} .katex-error element(s)`] : []),
  ];
  if (problems.length) throw new Error(`${r.url}:\n  ${problems.join('\n  ')}`);
}
