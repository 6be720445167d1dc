/**
 * KaTeX's stylesheet for pages that must work offline: either one CSS string
 * with every font inlined as a woff2 data: URI (a single self-contained HTML
 * file), or the stylesheet plus its woff2 fonts written beside the page.
 * Only woff2 is kept: every browser that runs KaTeX's CSS reads it, and the
 * woff/ttf fallbacks would double the size for nothing.
 */
import { createRequire } from 'node:module';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** node_modules/katex/dist of the KaTeX this package resolves. */
export function katexDistDir(): string {
  return dirname(createRequire(import.meta.url).resolve('katex'));
}

// A font file name as KaTeX ships them; anything else is refused, so a
// changed or tampered stylesheet can't make us read outside fonts/.
const FONT_FILE = /^KaTeX_[A-Za-z0-9]+-[A-Za-z0-9]+\.woff2$/;

/**
 * Rewrites every @font-face `src` to a single woff2 source given by `url(file)`.
 * Throws if the stylesheet no longer has the shape we expect.
 */
function rewriteFontSources(css: string, url: (file: string) => string): { css: string; files: string[] } {
  const files: string[] = [];
  const out = css.replace(/@font-face\{([^}]*)\}/g, (_rule, body: string) => {
    const woff2 = /url\(fonts\/([^)]+)\) format\("woff2"\)/.exec(body)?.[1];
    if (!woff2 || !FONT_FILE.test(woff2))
      throw new Error(`katex.min.css: @font-face without a woff2 font I recognise: ${body.slice(0, 120)}`);
    files.push(woff2);
    const rewritten = body.replace(/src:[^;}]*/, `src:url(${url(woff2)}) format("woff2")`);
    return `@font-face{${rewritten}}`;
  });
  if (files.length === 0) throw new Error('katex.min.css: no @font-face rules found');
  // Nothing outside the font faces may point at another file either.
  const stray = /url\((?!data:)(?!fonts\/KaTeX_)[^)]*\)/.exec(out);
  if (stray) throw new Error(`katex.min.css: unexpected external reference ${stray[0]}`);
  return { css: out, files };
}

export interface InlinedCss {
  css: string;
  /** UTF-8 bytes of css */
  bytes: number;
  fonts: number;
  /** total size of the woff2 files before base64 */
  fontBytes: number;
}

/** katex.min.css with every font as a data:font/woff2;base64 URI. */
export async function inlineKatexCss(distDir: string = katexDistDir()): Promise<InlinedCss> {
  const source = await readFile(join(distDir, 'katex.min.css'), 'utf8');
  const { files } = rewriteFontSources(source, (f) => `fonts/${f}`);
  const data = new Map<string, Buffer>();
  for (const f of new Set(files)) data.set(f, await readFile(join(distDir, 'fonts', f)));
  const { css } = rewriteFontSources(source, (f) => `data:font/woff2;base64,${data.get(f)!.toString('base64')}`);
  if (/url\((?!data:)/.test(css)) throw new Error('inlined KaTeX CSS still references a file');
  const fontBytes = [...data.values()].reduce((n, b) => n + b.length, 0);
  return { css, bytes: Buffer.byteLength(css), fonts: data.size, fontBytes };
}

export interface WrittenAssets {
  /** path of the stylesheet, to link from the page as a relative URL */
  cssFile: string;
  files: string[];
  /** total bytes written (stylesheet + fonts) */
  bytes: number;
}

/**
 * Writes `katex.min.css` and `fonts/*.woff2` into outDir (for a page that
 * links `katex.min.css` beside it). The browser only fetches the fonts a page
 * uses, so this loads less than the inlined CSS, at the price of more files.
 */
export async function writeKatexAssets(outDir: string, distDir: string = katexDistDir()): Promise<WrittenAssets> {
  const source = await readFile(join(distDir, 'katex.min.css'), 'utf8');
  const { css, files } = rewriteFontSources(source, (f) => `fonts/${f}`);
  await mkdir(join(outDir, 'fonts'), { recursive: true });
  const cssFile = join(outDir, 'katex.min.css');
  await writeFile(cssFile, css);
  let bytes = Buffer.byteLength(css);
  const written = [cssFile];
  for (const f of new Set(files)) {
    const to = join(outDir, 'fonts', f);
    await copyFile(join(distDir, 'fonts', f), to);
    bytes += (await stat(to)).size;
    written.push(to);
  }
  return { cssFile, files: written, bytes };
}
