/**
 * Derivation files (YAML, format version 1) → typed Derivation. Every problem
 * is an InputError naming file:line:col and what was expected; nothing here
 * evaluates user text. The stages live beside this file: YAML plumbing
 * (yaml-source.ts), the model (load-model.ts), the claims (load-claims.ts)
 * and the checks on expressions (check-expr.ts).
 */
import { NOTATION_CHOICES, notationLatexProblem } from './notation-latex.js';
import { isMap, LineCounter, Parser, parseDocument, type Node as YNode, type Pair, type Scalar } from 'yaml';
import { LIMITS } from '../ir/limits.js';
import { type Macro, reservedNames } from '../ir/parse-math.js';
import type { Derivation, LoadOptions } from './derivation.js';
import { readBoundedText } from '../io/read-bounded.js';
import { InputError } from './errors.js';
import { ClaimsLoader } from './load-claims.js';
import { DocumentLoader } from './load-document.js';
import { ModelLoader } from './load-model.js';
import { YamlSource } from './yaml-source.js';
import { readSymbolMap } from './latex-source.js';
import type { LatexNotation } from '../latex/derivation-context.js';

export { splitRelation } from './load-claims.js';

export function loadDerivationFile(file: string, options: LoadOptions = {}): Derivation {
  return parseDerivation(readDerivationText(file), file, options);
}

/** A derivation file's text; a file that is no regular file of bounded size, or cannot be read, is bad input. */
export function readDerivationText(file: string): string {
  return readBoundedText(file, 'a derivation file (.yaml)');
}

export function parseDerivation(raw: string, file: string, options: LoadOptions = {}): Derivation {
  // A lone CR (old Mac line endings) ends a line as YAML's spec says, which the parser does not do: as LF, one
  // character for one, so every position stays where it was ("Nested mappings are not allowed" on line 1 before).
  const text = raw.replace(/\r(?!\n)/g, '\n');
  const lines = new LineCounter();
  const y = new YamlSource(text, file, lines);
  if (text.length > LIMITS.fileBytes)
    throw new InputError(
      { file, line: 1, col: 1 },
      `the text has ${text.length} characters, more than the limit of ${LIMITS.fileBytes}`,
      'a derivation file of at most 4 MB',
    );
  const doc = parseYaml(text, file, lines);
  const yamlError = doc.errors[0];
  if (yamlError) {
    const quote = yamlError.code === 'MISSING_CHAR' ? unclosedQuote(text) : null;
    if (quote) {
      const { line, col } = lines.linePos(quote.offset);
      throw new InputError(
        { file, line, col },
        `YAML syntax error: this ${quote.mark} opens a quoted text that is never closed`,
        `a closing ${quote.mark} on the same or a later line`,
      );
    }
    const { line, col } = lines.linePos(yamlError.pos[0]);
    // The yaml library reports exhausting its stack on deep nesting as a syntax error at the place it gave up.
    const problem = /call stack/i.test(yamlError.message)
      ? 'the YAML is too deeply nested'
      : `YAML syntax error: ${yamlError.message.split('\n')[0]}`;
    throw new InputError({ file, line, col }, problem, 'valid YAML');
  }
  const top = y.map(
    doc.contents,
    'the derivation file',
    ['gradproof', 'title', 'source', 'notation', 'model', 'definitions', 'claims', 'document'],
    ['gradproof', 'model', 'claims'],
  );
  const version = top.get('gradproof')!;
  if (y.number(version.value, "'gradproof' (the format version)") !== 1)
    y.fail(version.value, 'unsupported format version', 'gradproof: 1');

  const notation = notationOf(y, top.get('notation')?.value);
  const macroKeys = new Map<string, YNode>();
  const macros = top.has('definitions')
    ? definitions(y, top.get('definitions')!.value, macroKeys)
    : new Map<string, Macro>();
  const models = new ModelLoader(y, notation, [...macros.keys()]);
  const model = models.model(top.get('model')!.value);
  // a definition named as a symbol or function would be read in its place (W(k) = W^k made every W a power); a size is
  // read only in index positions, a definition only as a call, so the two never meet
  for (const [name, key] of macroKeys)
    if (model.symbols.has(name) || model.functions.has(name))
      y.fail(key, `definition '${name}' has the name of a symbol or function of the model`, 'another name');
  const claimErrors: InputError[] | undefined = options.perClaimErrors ? [] : undefined;
  const claims = new ClaimsLoader(y, models, macros, notation).claims(top.get('claims')!.value, model, claimErrors);
  return {
    ...(claimErrors ? { claimErrors } : {}),
    file,
    title: top.has('title') ? y.string(top.get('title')!.value, 'title') : file,
    source: top.has('source') ? y.string(top.get('source')!.value, 'source') : null,
    notation: notation.hints,
    model,
    claims,
    document: top.has('document') ? new DocumentLoader(y).document(top.get('document')!.value, model, claims) : null,
  };
}

/**
 * `notation:` hints (strings: profile, time, transpose, horizon, loss, name.X) and the LaTeX symbol map
 * `symbols: { '\\tilde{C}': Ct }` that `latex:` formulas are read with.
 */
function notationOf(y: YamlSource, node: YNode | null | undefined): LatexNotation {
  const hints: Record<string, string> = Object.create(null) as Record<string, string>;
  const symbols: [string, string][] = [];
  if (!node) return { hints, symbols };
  if (!isMap(node)) y.fail(node, 'notation must be a mapping', 'e.g. profile: lab');
  for (const pair of (node as { items: Pair<Scalar, YNode>[] }).items) {
    const key = y.keyName(pair, 'a notation setting');
    if (key === 'symbols') {
      for (const entry of readSymbolMap(y, pair.value)) symbols.push([entry.latex, entry.name]);
      continue;
    }
    // The key, and in `name.X` the symbol X, become keys of the notation's records.
    for (const part of key.startsWith('name.') ? [key, key.slice(5)] : [key])
      y.declared(pair.key, part, 'notation key');
    hints[key] = y.string(pair.value, 'a notation hint');
    const choices = NOTATION_CHOICES.get(key);
    if (choices && !choices.includes(hints[key]))
      y.fail(pair.value, `notation ${key}: '${hints[key]}' is not one of its values`, choices.join(', '));
    const problem = isLatexHint(key) ? notationLatexProblem(hints[key]) : null;
    if (problem)
      y.fail(pair.value, `notation ${key}: ${problem}`, "one symbol's LaTeX, e.g. '\\mathbf{W}_{hh}' or '\\tau'");
  }
  return { hints, symbols };
}

/** The hints written into formulas as LaTeX: a symbol's name, the horizon's and the loss's. */
const isLatexHint = (key: string) => key.startsWith('name.') || key === 'horizon' || key === 'loss';

/**
 * The first quoted scalar with no closing quote: the yaml library reports it where it gave up looking, at the end of
 * the file ("Missing closing \"quote" on the last line for a `title: "abc` on line 2, a review found), so the opening
 * quote is found in its token stream. Walked without recursion: the file may nest deeply.
 */
function unclosedQuote(text: string): { offset: number; mark: string } | null {
  const closed = { 'double-quoted-scalar': /^"(?:[^"\\]|\\[\s\S])*"$/, 'single-quoted-scalar': /^'(?:[^']|'')*'$/ };
  const stack: unknown[] = [...new Parser().parse(text)].reverse();
  while (stack.length) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    const token = node as { type?: unknown; offset?: unknown; source?: unknown };
    if (
      (token.type === 'double-quoted-scalar' || token.type === 'single-quoted-scalar') &&
      typeof token.source === 'string' &&
      typeof token.offset === 'number' &&
      !closed[token.type].test(token.source)
    )
      return { offset: token.offset, mark: token.source[0]! };
    const children = Array.isArray(node) ? (node as unknown[]) : Object.values(node);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return null;
}

function parseYaml(text: string, file: string, lines: LineCounter) {
  try {
    return parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  } catch (err) {
    if (err instanceof RangeError) throw new InputError({ file, line: 1, col: 1 }, 'the YAML is too deeply nested');
    throw err;
  }
}

/** `definitions: { "A(g, s)": "dact(h[s, g]) * delta(g, i) * x[s, j]" }`: named index-level expressions. */
function definitions(y: YamlSource, node: YNode | null, keys: Map<string, YNode>): Map<string, Macro> {
  if (!isMap(node)) y.fail(node, 'definitions must be a mapping', '"A(g, s)": expression');
  const out = new Map<string, Macro>();
  y.atMost(node.items as Pair<Scalar, YNode>[], LIMITS.definitions, 'definitions', (p) => p.key);
  for (const pair of node.items as Pair<Scalar, YNode>[]) {
    const head = y.keyName(pair, 'a definition');
    const m =
      /^\s*([A-Za-z][A-Za-z0-9_]*)\s*\(\s*([A-Za-z][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z][A-Za-z0-9_]*)*)\s*\)\s*$/.exec(head);
    if (!m) y.fail(pair.key, `bad definition head '${head}'`, 'NAME(p1, p2, …)');
    if (reservedNames().has(m[1]!))
      y.fail(pair.key, `'${m[1]}' is a built-in function`, 'a name no built-in function uses');
    y.declared(pair.key, m[1]!, 'definition name');
    const params = m[2]!.split(',').map((p) => p.trim());
    for (const p of params) y.declared(pair.key, p, 'definition parameter');
    const twice = params.find((p, k) => params.indexOf(p) !== k);
    if (twice) y.fail(pair.key, `definition ${m[1]} names its parameter '${twice}' twice`, 'distinct parameters');
    keys.set(m[1]!, pair.key);
    out.set(m[1]!, { params, body: y.string(pair.value, `definition ${m[1]}`) });
  }
  return out;
}
