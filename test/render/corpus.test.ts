/**
 * Every shipped derivation rendered in all three formats from one check each
 * (one instance per regime: rendering is under test here, the verdicts are
 * `verify`'s): the HTML opened in headless Chromium (math rendered, no
 * `.katex-error`, no request leaving the page, a screenshot saved), every
 * document compiled by pdflatex with no character spelled as [U+…] (until
 * 2026-12-07 only two were compiled, and the index-level document wrote
 * `k [U+21A6] k+1`), every Markdown math
 * block rendered by KaTeX in strict mode. Chromium and pdflatex tests skip
 * locally when the program is missing and fail under CI (.ci/run installs both).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDerivation } from '../../src/check/check.js';
import { loadDerivationFile } from '../../src/derivation/load.js';
import type { PlotRequest } from '../../src/derivation/document.js';
import { buildDocument, type DocumentView } from '../../src/render/document.js';
import { htmlPage } from '../../src/render/html.js';
import { inlineKatexCss } from '../../src/render/katex-assets.js';
import { markdownDocument } from '../../src/render/markdown.js';
import { plotSvg } from '../../src/render/render.js';
import { texDocument } from '../../src/render/tex.js';
import { assertRenderedOffline, checkPage, chromiumAvailable, type Chromium, launchChromium } from './browser.js';
import { compileLatex, hasPdflatex } from './latex-compile.js';
import { checkMarkdownMath, extractMath } from './markdown-math.js';

const OUT = 'test-output/render';
const FILES = readdirSync('derivations')
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => join('derivations', f));
const SOLUTION = 'derivations/lab-10-5-solution.yaml';

// Under CI a missing program is a failure, never a skip: .ci/run installs both.
const needs = (present: boolean) => (present || process.env.CI ? it : it.skip);
// Generous: the checks and pages must not race a clock on a loaded machine.
const LONG = 30 * 60_000;

const docs = new Map<string, DocumentView>();

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  for (const file of FILES) {
    const d = loadDerivationFile(file);
    const results = checkDerivation(d, { instances: 1 });
    const plots = new Map<PlotRequest, string>();
    for (const p of (d.document?.sections ?? []).flatMap((s) => s.plots))
      plots.set(
        p,
        (
          await plotSvg(d, {
            quantity: p.claim,
            over: p.over,
            range: null,
            sizes: p.sizes,
            vary: p.vary,
            masterSeed: 20261120,
          })
        ).svg,
      );
    docs.set(file, buildDocument({ derivation: d, results, plots }));
  }
}, LONG);

describe('HTML in headless Chromium', () => {
  let chromium: Chromium | null = null;
  afterAll(async () => chromium?.close());

  needs(chromiumAvailable())(
    'every shipped derivation and the lab solution: math rendered, no .katex-error, nothing fetched',
    async () => {
      chromium = await launchChromium();
      const css = (await inlineKatexCss()).css;
      expect(FILES).toContain(SOLUTION);
      for (const file of FILES) {
        const name = basename(file, '.yaml');
        const html = join(OUT, `${name}.html`);
        writeFileSync(html, htmlPage([docs.get(file)!], css));
        const report = await checkPage(chromium.browser, html, join(OUT, `${name}.png`) as `${string}.png`);
        assertRenderedOffline(report);
        expect(report.katexErrors).toBe(0);
        expect(report.scripts).toBe(0);
        // Every formula of the document became KaTeX output (each claim has at least one).
        expect(report.katex).toBeGreaterThan(docs.get(file)!.sections.flatMap((s) => s.blocks).length);
        if (file === SOLUTION) expect(report.svgs).toBe(2);
      }
    },
    LONG,
  );
});

describe('LaTeX through pdflatex', () => {
  needs(hasPdflatex).each(FILES)(
    '%s compiles as it is',
    async (file) => {
      const tex = texDocument([docs.get(file)!]);
      writeFileSync(join(OUT, `${basename(file, '.yaml')}.tex`), tex);
      expect(tex.match(/.{0,40}\[U\+[0-9A-F]+\].{0,40}/g)).toBeNull();
      const result = await compileLatex(tex, { timeoutMs: 10 * 60_000 });
      if (!result.ok) throw new Error(`${result.error}\n${result.logExcerpt}`);
      expect(result.pdf.subarray(0, 5).toString()).toBe('%PDF-');
      writeFileSync(join(OUT, `${basename(file, '.yaml')}.pdf`), result.pdf);
    },
    LONG,
  );

  it('numbers the source formulas as the source does', () => {
    const tex = texDocument([docs.get(SOLUTION)!]);
    for (const n of ['1', '2', '3', '4']) expect(tex).toContain(`\\tag{${n}}`);
  });
});

describe('Markdown', () => {
  it('every math block of every shipped derivation renders in KaTeX (strict)', () => {
    for (const file of FILES) {
      const md = markdownDocument([docs.get(file)!], (_svg, i) => `plot-${i}.svg`);
      const spans = extractMath(md);
      expect(spans.length).toBeGreaterThan(0);
      expect(checkMarkdownMath(md)).toEqual([]);
      // no aligned source formula (a &= b \\ &= c) quoted as its LaTeX: set in aligned (six in the index-level document)
      expect(md).not.toMatch(/^> .*&amp;=/m);
      // Display math in $$ … $$, inline math in \( … \) only.
      expect(spans.some((s) => s.display && s.delimiter === '$$')).toBe(true);
      expect(spans.filter((s) => !s.display).every((s) => s.delimiter === '\\(')).toBe(true);
    }
  });
});
