/**
 * A tiny element tree over fast-xml-parser's ordered output, enough for tests
 * to query rendered SVG by tag and class (no regexes over markup).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface El {
  tag: string;
  attrs: Record<string, string>;
  children: El[];
  /** concatenated text content of this element and its descendants (entities decoded) */
  text: string;
  parent: El | null;
}

type Ordered = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
});

function build(nodes: Ordered[], parent: El): void {
  for (const n of nodes) {
    for (const [key, value] of Object.entries(n)) {
      if (key === ':@') continue;
      if (key === '#text') {
        parent.text += String(value);
        continue;
      }
      const el: El = {
        tag: key,
        attrs: (n[':@'] as Record<string, string> | undefined) ?? {},
        children: [],
        text: '',
        parent,
      };
      build(value as Ordered[], el);
      parent.children.push(el);
      parent.text += el.text;
    }
  }
}

/** Throws with the parser's message when the text is not well-formed XML. */
export function parseXml(xml: string): El {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const doc: El = { tag: '#document', attrs: {}, children: [], text: '', parent: null };
  build(parser.parse(xml) as Ordered[], doc);
  const root = doc.children.find((c) => !c.tag.startsWith('?'));
  if (!root) throw new Error('no root element');
  return root;
}

export function findAll(root: El, pred: (e: El) => boolean): El[] {
  const out: El[] = [];
  const visit = (e: El) => {
    if (pred(e)) out.push(e);
    e.children.forEach(visit);
  };
  visit(root);
  return out;
}

export const hasClass = (e: El, c: string): boolean => (e.attrs.class ?? '').split(/\s+/).includes(c);
