/**
 * `gradproof render` and `gradproof plot`: yargs command modules over the
 * public API, registered by main.ts with one line each. Bad input or an
 * unwritable --out is a usage error (exit 2), as everywhere in the CLI.
 */
import { basename, dirname, extname, join } from 'node:path';
import type { CommandModule } from 'yargs';
import { checkOutput, printErr, printOut, UsageError, writeOutput } from './output.js';
import { progressBar } from './progress.js';
import { parseSizePairs } from './sizes.js';
import { workLimitOption } from './work-limit-option.js';
import { integer } from './integer-option.js';

const library = () => import('../index.js');

/** The sizes a plot or page fixes (at most 512: each is drawn and checked). */
const sizesOf = (raw: readonly string[] | undefined): Map<string, number> => parseSizePairs(raw, 512);

/** --seed as check reads it (render and plot accepted 1e23 and wrote it as a seed no run can replay). */
const seedOf = integer('seed', 0);

interface RenderArgs {
  paths: string[];
  format: string;
  out?: string;
  seed?: string;
  instances: string;
  json: boolean;
  repair: boolean;
  workLimit?: number;
}

export function renderCommand(done: (code: number) => void): CommandModule<object, RenderArgs> {
  return {
    command: 'render <paths..>',
    describe: 'check derivation files and render them: an offline HTML page, Markdown for Hugo/Jekyll, or LaTeX',
    builder: (y) =>
      y
        .positional('paths', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'derivation files or folders',
        })
        .option('format', { type: 'string', default: 'html', describe: 'html | md | tex' })
        .option('out', { type: 'string', describe: 'write here (written whole, atomically) instead of stdout' })
        .option('seed', { type: 'string', describe: 'master seed' })
        .option('instances', { type: 'string', default: '5', describe: 'instances per regime' })
        .option('json', { type: 'boolean', default: false, hidden: true })
        .option('work-limit', workLimitOption("one claim's check (its repairs' screens, a plot)"))
        .option('repair', {
          type: 'boolean',
          default: true,
          describe: 'search repairs for refuted claims and show them (--no-repair to skip)',
        })
        .example('$0 render derivations/lab-10-5-solution.yaml --out lab.html', 'the worked solution as one page')
        .example('$0 render derivations/lab-10-5-solution.yaml --format tex --out lab.tex', 'the same for pdflatex'),
    handler: async (argv) => {
      const { render, RENDER_FORMATS, writeFileAtomic } = await library();
      const format = RENDER_FORMATS.find((f) => f === argv.format);
      if (!format) throw new UsageError(`--format takes ${RENDER_FORMATS.join(', ')}, got '${argv.format}'`);
      // as check reads it: at most 10,000 (render took 1e9, a run without end)
      const instances = integer('instances', 1)(argv.instances)!;
      const seed = seedOf(argv.seed);
      if (argv.out) checkOutput('--out', argv.out);
      // Markdown plots are SVG files beside the page: post.md → post-plot-1.svg.
      const out = argv.out;
      const plotFile = out
        ? (svg: string, index: number) => {
            const name = `${basename(out, extname(out))}-plot-${index}.svg`;
            writeOutput('--out', join(dirname(out), name), svg, writeFileAtomic);
            return name;
          }
        : undefined;
      const bar = progressBar('checking', { quiet: argv.json });
      let text: string;
      try {
        text = await render(argv.paths, {
          format,
          instances,
          ...(seed !== undefined ? { masterSeed: seed } : {}),
          ...(plotFile ? { plotFile } : {}),
          repair: argv.repair,
          ...(argv.workLimit !== undefined ? { workLimit: argv.workLimit } : {}),
          onClaim: (id, n, total) => bar.update(id, n, total),
        });
      } finally {
        bar.stop();
      }
      if (out) writeOutput('--out', out, text, writeFileAtomic);
      else printOut(text);
      done(0);
    },
  };
}

interface PlotArgs {
  file: string;
  quantity: string;
  over: string;
  out?: string;
  size?: string[];
  vary?: string;
  seed?: string;
  workLimit?: number;
}

export function plotCommand(done: (code: number) => void): CommandModule<object, PlotArgs> {
  return {
    command: 'plot <file> <quantity>',
    describe: 'an SVG line plot of a claim (value and bound, or the distance of its sides) or an expression over k',
    builder: (y) =>
      y
        .positional('file', { type: 'string', demandOption: true, describe: 'a derivation file' })
        .positional('quantity', {
          type: 'string',
          demandOption: true,
          describe: "a claim id (a chain step as chain.N), or an expression, e.g. 'norm2(grad(L, h[T-k]))'",
        })
        .option('over', {
          type: 'string',
          demandOption: true,
          describe: 'the variable on the x axis; for an expression with its range: k=1..T (default 1..T)',
        })
        .option('out', { type: 'string', describe: 'write the SVG here (atomically) instead of stdout' })
        .option('size', { type: 'string', array: true, describe: 'fix a size, e.g. --size T=40 --size d=8' })
        .option('vary', { type: 'string', describe: 'one series per value of a parameter: --vary b_e=-1,1,3' })
        .option('seed', { type: 'string', describe: 'master seed' })
        .option('work-limit', workLimitOption('the plot'))
        .example(
          '$0 plot derivations/lab-10-5-solution.yaml loss-gradient-bound.2 --over k --size T=40 --out grad.svg',
          '‖∇_{h[T−k]} L‖ per regime with the bound of eq. (2)',
        ),
    handler: async (argv) => {
      const { loadDerivationFile, plotSvg, writeFileAtomic, DEFAULT_OPTIONS } = await library();
      const m = /^([A-Za-z][A-Za-z0-9_]*)(?:=(.+)\.\.(.+))?$/.exec(argv.over.trim());
      if (!m) throw new UsageError(`--over takes a variable name, or NAME=LO..HI, got '${argv.over}'`);
      let vary: { name: string; values: number[] } | null = null;
      if (argv.vary !== undefined) {
        const v = /^([A-Za-z][A-Za-z0-9_]*)=(.+)$/.exec(argv.vary);
        const values = v ? v[2]!.split(',').map((x) => Number(x.trim())) : [];
        if (!v || values.length === 0 || values.some((x) => !Number.isFinite(x)))
          throw new UsageError(`--vary takes NAME=V1,V2,… with numbers, got '${argv.vary}'`);
        vary = { name: v[1]!, values };
      }
      const seed = seedOf(argv.seed);
      if (argv.out) checkOutput('--out', argv.out);
      const d = loadDerivationFile(argv.file);
      const { svg, warnings } = await plotSvg(d, {
        quantity: argv.quantity,
        over: m[1]!,
        range: m[2] !== undefined ? { lo: m[2], hi: m[3]! } : null,
        sizes: sizesOf(argv.size),
        vary,
        masterSeed: seed ?? DEFAULT_OPTIONS.masterSeed,
        ...(argv.workLimit !== undefined ? { workLimit: argv.workLimit } : {}),
      });
      for (const w of warnings) printErr(`gradproof plot: ${w}\n`);
      if (argv.out) writeOutput('--out', argv.out, svg, writeFileAtomic);
      else printOut(`${svg}\n`);
      done(0);
    },
  };
}
