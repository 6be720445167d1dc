/**
 * Derivation files (YAML, format version 1) → typed Derivation. Every problem
 * is an InputError naming file:line:col and what was expected; nothing here
 * evaluates user text. The stages live beside this file: YAML plumbing
 * (yaml-source.ts), the model (load-model.ts), the claims (load-claims.ts)
 * and the checks on expressions (check-expr.ts).
 */
import { readFileSync } from 'node:fs';
import { isMap, LineCounter, parseDocument, type Node as YNode, type Pair, type Scalar } from 'yaml';
import { type Macro, reservedNames } from '../ir/parse-math.js';
import type { Derivation } from './derivation.js';
import { InputError } from './errors.js';
import { ClaimsLoader } from './load-claims.js';
import { DocumentLoader } from './load-document.js';
import { ModelLoader } from './load-model.js';
import { YamlSource } from './yaml-source.js';

export { splitRelation } from './load-claims.js';

export function loadDerivationFile(file: string): Derivation {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError({ file, line: 1, col: 1 }, `cannot read file: ${(err as Error).message}`);
  }
  return parseDerivation(text, file);
}

export function parseDerivation(text: string, file: string): Derivation {
  const lines = new LineCounter();
  const y = new YamlSource(text, file, lines);
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const { line, col } = lines.linePos(yamlError.pos[0]);
    throw new InputError({ file, line, col }, `YAML syntax error: ${yamlError.message.split('\n')[0]}`, 'valid YAML');
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

  const models = new ModelLoader(y);
  const model = models.model(top.get('model')!.value);
  const notation: Record<string, string> = Object.create(null) as Record<string, string>;
  const notationNode = top.get('notation')?.value;
  if (notationNode) {
    if (!isMap(notationNode)) y.fail(notationNode, 'notation must be a mapping', 'e.g. profile: lab');
    for (const pair of (notationNode as { items: Pair<Scalar, YNode>[] }).items)
      notation[String(pair.key.value)] = y.string(pair.value, 'a notation hint');
  }
  const macros = top.has('definitions') ? definitions(y, top.get('definitions')!.value) : new Map<string, Macro>();
  const claims = new ClaimsLoader(y, models, macros).claims(top.get('claims')!.value, model);
  return {
    file,
    title: top.has('title') ? y.string(top.get('title')!.value, 'title') : file,
    source: top.has('source') ? y.string(top.get('source')!.value, 'source') : null,
    notation,
    model,
    claims,
    document: top.has('document') ? new DocumentLoader(y).document(top.get('document')!.value, model, claims) : null,
  };
}

/** `definitions: { "A(g, s)": "dact(h[s, g]) * delta(g, i) * x[s, j]" }`: named index-level expressions. */
function definitions(y: YamlSource, node: YNode | null): Map<string, Macro> {
  if (!isMap(node)) y.fail(node, 'definitions must be a mapping', '"A(g, s)": expression');
  const out = new Map<string, Macro>();
  for (const pair of node.items as Pair<Scalar, YNode>[]) {
    const head = String(pair.key.value);
    const m =
      /^\s*([A-Za-z][A-Za-z0-9_]*)\s*\(\s*([A-Za-z][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z][A-Za-z0-9_]*)*)\s*\)\s*$/.exec(head);
    if (!m) y.fail(pair.key, `bad definition head '${head}'`, 'NAME(p1, p2, …)');
    if (reservedNames().has(m[1]!)) y.fail(pair.key, `'${m[1]}' is a built-in function`);
    out.set(m[1]!, { params: m[2]!.split(',').map((p) => p.trim()), body: y.string(pair.value, `definition ${m[1]}`) });
  }
  return out;
}
