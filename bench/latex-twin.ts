/** The LaTeX twin of a shipped claim: the claim alone in its file, its formula given as `latex:` = its source-text. */
import { isMap, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';

/** The file's text with `id` as its only claim, rewritten as a latex: claim (null: no source-text). */
export function latexTwin(text: string, id: string, expect: string): string | null {
  const doc = parseDocument(text);
  const claims = doc.get('claims') as YAMLSeq;
  const twin = (claims.items as YAMLMap[]).find((c) => isMap(c) && String(c.get('id')) === id);
  if (!twin?.has('source-text')) return null;
  twin.set('latex', String(twin.get('source-text')));
  for (const key of ['claim', 'chain', 'corrects', 'source-text']) twin.delete(key);
  if (!twin.has('expect')) twin.set('expect', expect);
  claims.items = [twin];
  return doc.toString({ lineWidth: 0 });
}
