/**
 * `gradproof scaffold <post.md> [--out FILE]`: a derivation-file skeleton from a Markdown post's display
 * equations (src/latex/scaffold). The YAML goes to stdout, or to FILE with a summary on stderr. The heavy modules
 * (remark, KaTeX) load only when the command runs.
 */
import type { Argv, CommandModule } from 'yargs';
import { LIMITS } from '../ir/limits.js';
import { printErr, printOut, writeOutput } from './output.js';
import { count } from '../emit/count.js';

interface ScaffoldArgs {
  readonly post: string;
  readonly out?: string;
}

async function runScaffold(argv: ScaffoldArgs): Promise<number> {
  const [
    { scaffold },
    { tooDeeplyNested, MAX_MARKDOWN_NESTING, findDisplays, readerCost, READER_LIMITS },
    { InputError },
    { readBoundedText },
    { writeFileAtomic },
    path,
  ] = await Promise.all([
    import('../latex/scaffold/scaffold.js'),
    import('../latex/scaffold/displays.js'),
    import('../derivation/errors.js'),
    import('../io/read-bounded.js'),
    import('../io/atomic-write.js'),
    import('node:path'),
  ]);
  const at = (file: string) => ({ file, line: 1, col: 1 });
  // a byte-order mark hid the post's first line from the Markdown reader (0 display equations, a review found)
  const markdown = readBoundedText(argv.post, 'a Markdown post').replace(/^\uFEFF/, '');
  const deep = tooDeeplyNested(markdown);
  if (deep)
    throw new InputError(
      { file: argv.post, line: deep.line, col: 1 },
      `a line nests about ${deep.depth} quotes or list items, more than the Markdown reader's ${MAX_MARKDOWN_NESTING}`,
      'a post with fewer nested quotes and lists',
    );
  // the Markdown reader's own work is superlinear in these counts (displays.ts READER_LIMITS): checked before it runs
  const cost = readerCost(markdown);
  if (cost.containers * markdown.length > READER_LIMITS.containerWork)
    throw new InputError(
      { file: argv.post, line: cost.containerLine, col: 1 },
      `the post opens ${cost.containers} quotes and list items in ${markdown.length} characters: the Markdown ` +
        `reader's work grows as their product, limited to ${READER_LIMITS.containerWork}`,
      `at most ${Math.floor(READER_LIMITS.containerWork / markdown.length)} quotes and list items in a post this long: a post in parts`,
    );
  if (cost.paragraphLines > READER_LIMITS.paragraphLines)
    throw new InputError(
      { file: argv.post, line: cost.paragraphLine, col: 1 },
      `a paragraph of ${cost.paragraphLines} lines, more than the Markdown reader's ${READER_LIMITS.paragraphLines}`,
      'a post whose paragraphs are separated by blank lines',
    );
  let result: ReturnType<typeof scaffold>;
  try {
    // one claim per display equation at least: past the claims a file may hold, the skeleton could not be checked (a
    // review's 443 329 displays took 179 s and 4.4 GB to write a 43 MB file that check refuses)
    const displays = findDisplays(markdown);
    if (displays.length > LIMITS.claims)
      throw new InputError(
        { file: argv.post, line: displays[LIMITS.claims]!.line, col: 1 },
        `${displays.length} display equations, one claim each at least`,
        `at most ${LIMITS.claims} (the claims a derivation file may hold): a post in parts`,
      );
    result = scaffold(markdown, path.basename(argv.post));
  } catch (err) {
    // nesting inside a line (3000 nested emphases) overflows the Markdown reader's recursion: as load.ts says of YAML
    if (err instanceof RangeError)
      throw new InputError(at(argv.post), 'the post nests too deeply to read', 'a post with fewer nested constructs');
    throw err;
  }
  if (!argv.out) {
    printOut(result.yaml);
    return 0;
  }
  writeOutput('--out', argv.out, result.yaml, writeFileAtomic);
  const s = result.stats;
  printErr(
    `${argv.out}: ${count(s.displays, 'display equation')} (${count(s.equations, 'formula')}): ${s.modelEquations} in the model, ` +
      `${count(s.claims, 'claim')} (${s.claimsConverted} read, ${result.unread.length} not read; see the file's header)\n`,
  );
  return 0;
}

/** The yargs command; `done` receives the exit code. */
export function scaffoldCommand(done: (code: number) => void): CommandModule<object, ScaffoldArgs> {
  return {
    command: 'scaffold <post>',
    describe: 'a derivation-file skeleton from a Markdown post: a guessed model and one latex: claim per equation',
    builder: (y: Argv) =>
      y
        .positional('post', { type: 'string', demandOption: true, describe: 'a Markdown post (Hugo, Jekyll, …)' })
        .option('out', { type: 'string', describe: 'write the skeleton here instead of stdout' })
        .example('$0 scaffold post.md --out derivations/post.yaml', 'start a derivation file from a post'),
    handler: async (argv) => {
      done(await runScaffold(argv));
    },
  };
}
