/**
 * The `document:` section (see ./document.ts): sections that name claims,
 * prose with inline math, plots of claims. Every reference is checked here
 * with a located error — an unknown claim id, a claim shown twice, a plot
 * over a variable the claim does not quantify, an unbalanced `$`.
 */
import { isSeq, type Node as YNode } from 'yaml';
import type { Model } from '../model/model.js';
import type { Claim } from './derivation.js';
import type { DocumentLayout, DocumentSection, PlotRequest, Prose } from './document.js';
import type { YamlSource } from './yaml-source.js';
import { InputError } from './errors.js';
import { proseMath } from './prose.js';
import { MathError, renderMath, unsafeCommand } from '../render/katex.js';

/** Sizes beyond this make a plot take minutes; a typo, not a wish. */
const MAX_PLOT_SIZE = 512;

export class DocumentLoader {
  constructor(private readonly y: YamlSource) {}

  document(node: YNode | null, model: Model, claims: readonly Claim[]): DocumentLayout {
    const top = this.y.map(node, 'document', ['intro', 'sections'], ['sections']);
    const sectionsNode = top.get('sections')!.value;
    if (!isSeq(sectionsNode) || sectionsNode.items.length === 0)
      this.y.fail(sectionsNode, 'sections must be a non-empty list', '- heading: …, claims: [id, …]');
    // A chain is named by its id; its steps by id.N. Both may be shown or plotted.
    const known = new Map<string, Claim>();
    for (const c of claims) {
      known.set(c.id, c);
      if (c.chain && !known.has(c.chain.id)) known.set(c.chain.id, c);
    }
    const shown = new Set<string>();
    const sections = (sectionsNode.items as YNode[]).map((item) => this.section(item, model, known, shown));
    return { intro: this.prose(top.get('intro')?.value), sections };
  }

  private section(node: YNode, model: Model, known: ReadonlyMap<string, Claim>, shown: Set<string>): DocumentSection {
    const s = this.y.map(node, 'a section', ['heading', 'prose', 'claims', 'plots', 'after'], ['heading']);
    const claims: string[] = [];
    const claimsNode = s.get('claims')?.value;
    if (claimsNode !== undefined) {
      if (!isSeq(claimsNode)) this.y.fail(claimsNode, 'claims must be a list of claim ids', '[id, …]');
      for (const item of claimsNode.items as YNode[]) {
        const id = this.y.string(item, 'a claim id');
        if (!known.has(id))
          this.y.fail(item, `no claim or chain '${id}' in this file`, 'the id of a claim or chain above');
        if (shown.has(id))
          this.y.fail(item, `claim '${id}' is already shown in another section`, 'each claim in one section only');
        shown.add(id);
        claims.push(id);
      }
    }
    const plots: PlotRequest[] = [];
    const plotsNode = s.get('plots')?.value;
    if (plotsNode !== undefined) {
      if (!isSeq(plotsNode)) this.y.fail(plotsNode, 'plots must be a list', '- { claim: id, over: k }');
      for (const item of plotsNode.items as YNode[]) plots.push(this.plot(item, model, known));
    }
    return {
      heading: this.y.string(s.get('heading')!.value, 'heading'),
      prose: this.prose(s.get('prose')?.value),
      claims,
      plots,
      after: this.prose(s.get('after')?.value),
      pos: this.y.pos(node),
    };
  }

  private plot(node: YNode, model: Model, known: ReadonlyMap<string, Claim>): PlotRequest {
    const p = this.y.map(node, 'a plot', ['claim', 'over', 'sizes', 'vary', 'caption'], ['claim', 'over']);
    const claimNode = p.get('claim')!.value;
    const id = this.y.string(claimNode, 'a claim id');
    const claim = known.get(id);
    if (!claim || (claim.chain && claim.chain.id === id))
      this.y.fail(claimNode, `no claim '${id}' to plot`, 'the id of a claim or of a chain step (chain.N)');
    const overNode = p.get('over')!.value;
    const over = this.y.string(overNode, 'over');
    const names = claim.forall.map((q) => q.name);
    if (!names.includes(over))
      this.y.fail(overNode, `claim '${id}' has no quantifier '${over}'`, names.join(', ') || 'a claim with forall');
    if (names.length !== 1)
      this.y.fail(
        overNode,
        `claim '${id}' quantifies ${names.join(', ')}: a plot takes a claim over one variable`,
        'a claim with one quantified variable (forall: k in …)',
      );
    const sizes = new Map<string, number>();
    const sizesNode = p.get('sizes')?.value;
    if (sizesNode !== undefined) {
      const entries = this.y.map(sizesNode, 'plot sizes', Object.keys(model.sizes));
      for (const [name, { value }] of entries) {
        const n = this.y.number(value, `size ${name}`);
        if (!Number.isInteger(n) || n < 1 || n > MAX_PLOT_SIZE)
          this.y.fail(
            value,
            `size ${name} must be an integer in 1..${MAX_PLOT_SIZE}`,
            `${name} from 1 to ${MAX_PLOT_SIZE}`,
          );
        sizes.set(name, n);
      }
    }
    let vary: PlotRequest['vary'] = null;
    const varyNode = p.get('vary')?.value;
    if (varyNode !== undefined) {
      const parameters = [...model.symbols.values()].filter((x) => x.role === 'parameter').map((x) => x.name);
      const entries = this.y.map(varyNode, 'vary', parameters);
      if (entries.size !== 1) this.y.fail(varyNode, 'vary names one parameter', 'b_e: [-2, 0, 2]');
      const [name, { value }] = [...entries][0]!;
      if (!isSeq(value) || value.items.length === 0) this.y.fail(value, 'vary takes a list of numbers', '[-2, 0, 2]');
      vary = { name, values: (value.items as YNode[]).map((v) => this.y.number(v, `a value of ${name}`)) };
      if (new Set(vary.values).size !== vary.values.length)
        this.y.fail(value, 'vary lists a value twice', 'each value once');
    }
    return { claim: id, over, sizes, vary, caption: this.prose(p.get('caption')?.value), pos: this.y.pos(node) };
  }

  /**
   * Prose with inline math between single dollars, display math between double ones; `\$` is a dollar sign. Every
   * formula is checked here as the renderers will set it (strict KaTeX, trust off, no command that defines or reads
   * anything), so `check`, `render` and `verify` refuse a file whose prose does not render before any work — it was
   * found only when `render` built the page, after the checks, and located at the start of the prose. The error is at
   * the formula's opening `$`: its offset in the text maps back through the scalar (alignScalar) for every YAML style —
   * plain, single- and double-quoted, block `|` and `>`. In a double-quoted scalar an escape (`\u0024`, `\\`) is
   * mapped to its backslash, the first character of what the file holds for it.
   */
  private prose(node: YNode | null | undefined): Prose | null {
    if (node === undefined || node === null) return null;
    const source = this.y.exprSource(node, 'prose');
    const text = source.text;
    const dollars = text.replace(/\\\\|\\\$/g, '').split('$').length - 1;
    if (dollars % 2 === 1) this.y.fail(node, 'prose has an unclosed $ (inline math)', '$…$ pairs, \\$ for a dollar');
    for (const math of proseMath(text)) {
      const dollar = math.kind === 'display' ? '$$' : '$';
      const quoted = `${dollar}${math.tex}${dollar}`;
      const at = source.locate(math.offset);
      const unsafe = unsafeCommand(math.tex);
      if (unsafe) throw new InputError(at, `prose math ${quoted} uses ${unsafe}`, 'math without definitions');
      try {
        renderMath(math.tex, math.kind === 'display');
      } catch (err) {
        if (err instanceof MathError)
          throw new InputError(at, `prose math ${quoted} does not render: ${err.message}`, 'LaTeX that KaTeX parses');
        throw err;
      }
    }
    return { text, pos: this.y.pos(node) };
  }
}
