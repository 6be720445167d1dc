/**
 * The `claims:` section: each claim (or each step of a chain) parsed on both
 * sides, checked against the model and for shape, with its quantifiers,
 * regimes, size ranges, tolerance and expectation.
 */
import { isMap, isSeq, type Node as YNode, type YAMLMap } from 'yaml';
import { inferShape } from '../ir/infer-shape.js';
import { LIMITS } from '../ir/limits.js';
import { own } from '../ir/names.js';
import { type Macro, parseExpression, parseIndex, type Scope } from '../ir/parse-math.js';
import { formatShape, isScalar as isScalarShape, sameShape, type Shape, shapeFromDims } from '../ir/shape.js';
import type { Model, SizeRange } from '../model/model.js';
import { bindingCount, exprBudget, rangesOf } from './budgets.js';
import { domainOf } from '../symbolic/bounds/prove.js';
import { checkSupabs, validateAgainstModel } from './check-expr.js';
import {
  type Claim,
  type Condition,
  DEFAULT_TOLERANCE,
  type Premise,
  type PremiseRelation,
  type Quantifier,
  REGIMES,
  type RegimeName,
  type Relation,
  VERDICTS,
  type Verdict,
} from './derivation.js';
import { type ExprSource, ExprError, InputError, subSource, toInputError } from './errors.js';
import type { ModelLoader } from './load-model.js';
import type { Entries, YamlSource } from './yaml-source.js';
import { macroDefinition, readingOf, readLatexNode, readSymbolMap } from './latex-source.js';
import { BUILTIN_FUNCTIONS, type LatexContext } from '../latex/context.js';
import { latexContext, type LatexNotation } from '../latex/derivation-context.js';

/** Too many claims: a limit on the whole file, never one claim's error. */
class LimitError extends InputError {}

export class ClaimsLoader {
  constructor(
    private readonly y: YamlSource,
    private readonly models: ModelLoader,
    private readonly macros: ReadonlyMap<string, Macro>,
    private readonly notation: LatexNotation = { hints: {}, symbols: [] },
  ) {}

  /**
   * What the names of a claim's LaTeX may refer to: the model, the claim's quantifiers, the file's notation (with
   * the claim's own symbol map over it).
   */
  private latexContext(model: Model, forall: readonly Quantifier[], notation = this.notation): LatexContext {
    return latexContext(
      {
        symbols: model.symbols,
        sizes: Object.keys(model.sizes),
        loss: model.loss?.name ?? null,
        functions: [...model.functions.keys(), ...this.macros.keys()],
        indexVars: forall.map((q) => q.name),
      },
      notation,
    );
  }

  /**
   * A claim's own `notation: { symbols: { '\\theta': W_o } }`: it overrides the file's map for this claim's LaTeX
   * (a post that calls different parameters θ in different sections). Each key must be one LaTeX symbol and each
   * name something the claim can refer to; anything else is an error at that key or name.
   */
  private claimSymbols(
    node: YNode | null | undefined,
    model: Model,
    forall: readonly Quantifier[],
  ): [string, string][] {
    const entries = this.y.map(node, "a claim's notation", ['symbols'], ['symbols']);
    const known = new Set<string>([
      ...model.symbols.keys(),
      ...Object.keys(model.sizes),
      ...model.functions.keys(),
      ...this.macros.keys(),
      ...BUILTIN_FUNCTIONS,
      ...forall.map((q) => q.name),
    ]);
    if (model.loss) known.add(model.loss.name);
    const out: [string, string][] = [];
    // A symbol given two names needs one read with a time (a sequence) and one without.
    const timedOf = new Map<YNode, boolean>();
    for (const entry of readSymbolMap(this.y, entries.get('symbols')!.value)) {
      // A name may carry a fixed time ('Eh[T]'): its leading name is what must exist.
      const leading = /^\s*([A-Za-z][A-Za-z0-9_]*)/.exec(entry.name)?.[1];
      if (leading === undefined || !known.has(leading))
        this.y.fail(
          entry.valueNode,
          `'${entry.name}' is not a name of this claim`,
          'a model symbol, a size, a function, a definition or a quantifier of the claim',
        );
      const timed = model.symbols.has(entry.name) && model.symbols.get(entry.name)!.role !== 'parameter';
      if (timedOf.get(entry.keyNode) === timed)
        this.y.fail(
          entry.valueNode,
          `'${entry.latex}' has two names read the same way (${timed ? 'both with a time' : 'both without'})`,
          'one sequence (read with its time) and one other name',
        );
      timedOf.set(entry.keyNode, timed);
      out.push([entry.latex, entry.name]);
    }
    return out;
  }

  /**
   * Every claim of the list. An ill-formed claim is an InputError of its own: collected in `errors` (the
   * other claims are still read) when that list is given, thrown otherwise.
   */
  claims(node: YNode | null, model: Model, errors?: InputError[]): Claim[] {
    if (!isSeq(node)) this.y.fail(node, 'claims must be a list', 'a YAML list of claims (- id: …)');
    const seen = new Set<string>();
    /** ids of claims that failed to load: another claim's `corrects` may still name them */
    const failedIds = new Set<string>();
    this.y.atMost(node.items as YNode[], LIMITS.claims, 'claims', (item) => item);
    let count = 0;
    const perClaim = <T>(item: YNode, run: () => T, fallback: T): T => {
      if (!errors) return run();
      try {
        return run();
      } catch (err) {
        if (!(err instanceof InputError) || err instanceof LimitError) throw err;
        errors.push(err);
        const id = isMap(item) ? item.get('id') : null;
        if (typeof id === 'string') failedIds.add(id);
        return fallback;
      }
    };
    const perItem = (node.items as YNode[]).map((item) =>
      perClaim(
        item,
        () => {
          const group = this.claim(item, model);
          for (const claim of group)
            if (seen.has(claim.id))
              this.y.fail(item, `duplicate claim id '${claim.id}'`, 'a claim id used once in the file');
          // Each step of a chain is a claim of its own.
          if ((count += group.length) > LIMITS.claims)
            throw new LimitError(
              this.y.pos(item),
              `more than ${LIMITS.claims} claims (chain steps included)`,
              `at most ${LIMITS.claims} claims in one file`,
            );
          for (const claim of group) seen.add(claim.id);
          return group;
        },
        [] as Claim[],
      ),
    );
    (node.items as YNode[]).forEach((item, k) => {
      perItem[k] = perClaim(item, () => {
        for (const claim of perItem[k]!) {
          if (claim.corrects && !seen.has(claim.corrects) && !failedIds.has(claim.corrects))
            this.y.fail(
              (item as YAMLMap).get('corrects', true),
              `claim '${claim.id}' corrects unknown claim '${claim.corrects}'`,
              'the id of a claim in this file',
            );
          // a claim correcting itself was accepted, and reported as its own correction (a review found it)
          if (claim.corrects === claim.id)
            this.y.fail(
              (item as YAMLMap).get('corrects', true),
              `claim '${claim.id}' corrects itself`,
              'the id of the claim it corrects, another one of this file',
            );
        }
        return perItem[k]!;
      }, []);
    });
    return perItem.flat();
  }

  /** A claim, or a chain of steps (each checked as a claim of its own). */
  private claim(node: YNode, fileModel: Model): Claim[] {
    const c = this.y.map(
      node,
      'a claim',
      [
        'id',
        'label',
        'source-text',
        'claim',
        'chain',
        'latex',
        'forall',
        'expect',
        'regimes',
        'sizes',
        'tolerance',
        'corrects',
        'note',
        'given',
        'assume',
        'notation',
      ],
      ['id'],
    );
    const id = this.y.string(c.get('id')!.value, 'claim id');
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(id))
      this.y.fail(c.get('id')!.value, `bad claim id '${id}'`, 'letters, digits, . _ -');
    // Ids key the fixtures' records of claims.
    this.y.declared(c.get('id')!.value, id, 'claim id');
    if (['claim', 'chain', 'latex'].filter((k) => c.has(k)).length !== 1)
      this.y.fail(
        node,
        `claim '${id}' needs exactly one of 'claim', 'chain' and 'latex'`,
        "one of 'claim: …', 'chain: …' or 'latex: …'",
      );
    const opt = (key: string): string | null => (c.has(key) ? this.y.string(c.get(key)!.value, key) : null);
    // An assumption is a model variant for this claim alone: its sides are read against it.
    const assume = c.has('assume') ? this.models.variant(fileModel, c.get('assume')!.value) : null;
    const model = assume?.model ?? fileModel;

    const sizeNames = Object.keys(model.sizes);
    const forall = c.has('forall') ? this.quantifiers(c.get('forall')!.value, sizeNames, model) : [];
    const names = [...sizeNames, ...forall.map((q) => q.name)];
    const symbols = [...model.symbols.values()];
    const scope: Scope = {
      sequences: new Set(symbols.filter((s) => s.role !== 'parameter').map((s) => s.name)),
      parameters: new Set(symbols.filter((s) => s.role === 'parameter').map((s) => s.name)),
      loss: model.loss?.name ?? null,
      indexVars: new Set(names),
      realVars: new Set(),
      functions: new Set(model.functions.keys()),
      macros: this.macros,
    };
    const shapeOf = (name: string): Shape =>
      name === model.loss?.name ? shapeFromDims([]) : model.symbols.get(name)!.shape;
    const ranges = rangesOf(model.sizes, forall);
    const parseSide = (src: ExprSource) =>
      this.y.located(src, () => {
        const p = parseExpression(src.text, scope);
        validateAgainstModel(p.expr, model, p.offsets);
        const shape = inferShape(p.expr, { shapeOf }, p.offsets);
        const tooLarge = exprBudget(model, p.expr, ranges, bindingCount(ranges, forall));
        if (tooLarge) throw new ExprError(p.offsets.get(tooLarge.node!) ?? 0, tooLarge.problem, tooLarge.expected);
        return { ...p, shape };
      });
    const relate = (
      lhs: ReturnType<typeof parseSide>,
      relation: Relation,
      rhs: ReturnType<typeof parseSide>,
      src: ExprSource,
      at: number,
    ) => {
      // A scalar against a matrix would be ambiguous (all-ones? c·I?): only 0 is accepted, meaning the zero matrix.
      const zero = rhs.expr.kind === 'num' && rhs.expr.value === 0;
      if (!sameShape(lhs.shape, rhs.shape) && !(zero && relation === '='))
        throw toInputError(
          src,
          new ExprError(
            at,
            `the sides have different shapes: ${formatShape(lhs.shape)} and ${formatShape(rhs.shape)}`,
            sidesExpected(lhs.shape, rhs.shape),
          ),
        );
      checkSupabs(lhs.expr, relation, rhs.expr, model.functions, domainOf(model, forall), (problem, expected) =>
        toInputError(src, new ExprError(at, problem, expected)),
      );
      if (relation !== '=' && (!isScalarShape(lhs.shape) || !isScalarShape(rhs.shape)))
        throw toInputError(
          src,
          new ExprError(at, 'an inequality compares scalars', 'norms, e.g. norm2(jac(h[T], h[T-k])) <= …'),
        );
    };
    const verdict = (n: YNode | null | undefined): Verdict => {
      const v = this.y.string(n, 'expect') as Verdict;
      if (!VERDICTS.includes(v)) this.y.fail(n, `unknown verdict '${v}'`, `one of ${VERDICTS.join(', ')}`);
      return v;
    };

    let regimes: RegimeName[] | null = null;
    const regimesNode = c.get('regimes')?.value;
    if (regimesNode) {
      if (!isSeq(regimesNode) || regimesNode.items.length === 0)
        this.y.fail(regimesNode, 'regimes must be a non-empty list', REGIMES.join(', '));
      regimes = (regimesNode.items as YNode[]).map((item) => {
        const r = this.y.string(item, 'regime') as RegimeName;
        if (!REGIMES.includes(r)) this.y.fail(item, `unknown regime '${r}'`, `one of ${REGIMES.join(', ')}`);
        return r;
      });
    }
    let tolerance = DEFAULT_TOLERANCE;
    const tolNode = c.get('tolerance')?.value;
    if (tolNode) {
      tolerance = this.y.number(tolNode, 'tolerance');
      if (!(tolerance > 0 && tolerance < 1))
        this.y.fail(tolNode, 'tolerance must be a relative error in (0, 1)', 'e.g. 1e-9');
    }
    let sizes: Record<string, SizeRange> | null = null;
    const sizesNode = c.get('sizes')?.value;
    if (sizesNode) {
      sizes = this.models.sizes(sizesNode, false);
      for (const [name, range] of Object.entries(sizes)) {
        const full = own(model.sizes, name);
        if (!full)
          this.y.fail(sizesNode, `the claim restricts an unknown size '${name}'`, `one of ${sizeNames.join(', ')}`);
        if (range.min < full.min || range.max > full.max)
          this.y.fail(
            sizesNode,
            `the claim's range for ${name} leaves the model's ${full.min}..${full.max}`,
            `a range of ${name} within ${full.min}..${full.max}`,
          );
      }
    }
    // A claim in the source's LaTeX is read into ASCII here; every later error locates inside the LaTeX.
    if (c.has('notation') && !c.has('latex'))
      this.y.fail(c.get('notation')!.key, `claim '${id}' has a notation but no latex: to read with it`, "latex: '…'");
    const notation = c.has('notation')
      ? { ...this.notation, claimSymbols: this.claimSymbols(c.get('notation')!.value, model, forall) }
      : this.notation;
    const latex = c.has('latex')
      ? readLatexNode(this.y, c.get('latex')!.value, 'latex', this.latexContext(model, forall, notation))
      : null;
    const given = c.has('given')
      ? this.premise(
          this.y.exprSource(c.get('given')!.value, 'given'),
          {
            ...scope,
            indexVars: new Set(sizeNames),
            refused: new Map(
              forall.map((q) => [
                q.name,
                `is the claim's quantifier: a premise holds for the whole instance and may not read it`,
              ]),
            ),
          },
          shapeOf,
          model,
        )
      : null;
    const common = {
      assume,
      given,
      reading: latex && readingOf(latex),
      forall,
      regimes,
      tolerance,
      sizes,
      corrects: opt('corrects'),
      note: opt('note'),
      pos: this.y.pos(node),
      sourceText: this.sourceText(c),
    };

    if (latex?.conversion.chain) {
      // a = b ≤ c … in one display: each relation is a step of a chain, checked as a claim of its own.
      const chain = latex.conversion.chain;
      const expectNode = c.get('expect')?.value;
      if (!expectNode)
        this.y.fail(node, `claim '${id}' is missing 'expect'`, 'expect: a verdict, or a list of one per step');
      const expects = isSeq(expectNode) ? (expectNode.items as YNode[]) : chain.steps.map(() => expectNode);
      if (expects.length !== chain.steps.length)
        this.y.fail(
          expectNode,
          `the LaTeX is a chain of ${chain.steps.length} relations but expect lists ${expects.length} verdicts`,
          'one verdict for every step, or a list with one per relation',
        );
      let previous = parseSide(latex.sourceOf(chain.from));
      let previousText = chain.from.ascii;
      return chain.steps.map((step, k) => {
        const toSrc = latex.sourceOf(step.to);
        const to = parseSide(toSrc);
        relate(previous, step.relation, to, toSrc, 0);
        const claim: Claim = {
          ...common,
          id: `${id}.${k + 1}`,
          label: `${opt('label') ?? id}, step ${k + 1}`,
          statement: `${previousText} ${step.relation} ${step.to.ascii}`,
          lhs: previous.expr,
          relation: step.relation,
          ...(step.strict ? { strict: true } : {}),
          rhs: to.expr,
          expect: verdict(expects[k]),
          chain: {
            id,
            step: k + 1,
            by: 'as written',
            relation: step.relation,
            ...(step.strict ? { strict: true } : {}),
          },
        };
        previous = to;
        previousText = step.to.ascii;
        return claim;
      });
    }
    if (c.has('claim') || latex) {
      const formNode = c.get(latex ? 'latex' : 'claim')!.value;
      const src = latex ? latex.source : this.y.exprSource(formNode, 'claim');
      // a strict relation (`<`, `>`) is read as its non-strict one and checked strictly (README: strict relations)
      const strictAt = latex ? null : strictRelationAt(src.text);
      const nonStrict = splitRelation(src.text);
      // (a non-strict relation beside a strict one is two relations, as two non-strict ones are)
      const split =
        nonStrict && strictAt === null
          ? nonStrict
          : !nonStrict && strictAt !== null
            ? strictSplit(src.text, strictAt)
            : null;
      if (!split) {
        // Unbalanced brackets hide the relation: report the bracket, not a missing relation.
        this.y.located(src, () =>
          parseExpression(
            src.text.replace(/<=|>=|==|[=≤≥<>]/g, (m) => ' '.repeat(m.length)),
            scope,
          ),
        );
        this.y.fail(
          formNode,
          'a claim relates two sides',
          'lhs = rhs, lhs <= rhs, lhs >= rhs, lhs < rhs or lhs > rhs (one relation)',
        );
      }
      const strict = split.strict === true || latex?.conversion.strict === true;
      const lhs = parseSide(subSource(src, 0, split.left.length));
      const rhs = parseSide(subSource(src, split.rightStart, split.rightStart + split.right.length));
      relate(lhs, split.relation, rhs, src, split.at);
      return [
        {
          ...common,
          id,
          label: opt('label'),
          // (the relation checked: `<=` for a strict `<`, as LaTeX input reads it)
          statement: split.strict ? `${split.left.trim()} ${split.relation} ${split.right.trim()}` : src.text.trim(),
          lhs: lhs.expr,
          relation: split.relation,
          ...(strict ? { strict: true } : {}),
          rhs: rhs.expr,
          expect: c.has('expect') ? verdict(c.get('expect')!.value) : null,
          chain: null,
        },
      ];
    }

    // chain: { from: expr, steps: [{ to: expr, by: text, expect: verdict, relation?: <= }] }
    const chain = this.y.map(c.get('chain')!.value, 'a chain', ['from', 'steps'], ['from', 'steps']);
    const fromSrc = this.y.exprSource(chain.get('from')!.value, 'chain start');
    let previous = parseSide(fromSrc);
    let previousText = fromSrc.text.trim();
    const stepsNode = chain.get('steps')!.value;
    if (!isSeq(stepsNode) || stepsNode.items.length === 0)
      this.y.fail(stepsNode, 'a chain needs a list of steps', 'steps: a non-empty list of expressions');
    return (stepsNode.items as YNode[]).map((item, k) => {
      const step = this.y.map(item, 'a chain step', ['to', 'by', 'expect', 'relation', 'note'], ['to', 'by']);
      const toSrc = this.y.exprSource(step.get('to')!.value, 'step');
      const to = parseSide(toSrc);
      const relation = (
        step.has('relation') ? this.y.string(step.get('relation')!.value, 'relation') : '='
      ) as Relation;
      if (!['=', '<=', '>='].includes(relation))
        this.y.fail(step.get('relation')!.value, `unknown relation '${relation}'`, '=, <= or >=');
      relate(previous, relation, to, toSrc, 0);
      const by = this.y.string(step.get('by')!.value, 'justification');
      const claim: Claim = {
        ...common,
        id: `${id}.${k + 1}`,
        label: `${opt('label') ?? id}, step ${k + 1} (${by})`,
        statement: `${previousText} ${relation} ${toSrc.text.trim()}`,
        lhs: previous.expr,
        relation,
        rhs: to.expr,
        expect: step.has('expect') ? verdict(step.get('expect')!.value) : null,
        note: step.has('note') ? this.y.string(step.get('note')!.value, 'note') : common.note,
        chain: { id, step: k + 1, by, relation },
        pos: this.y.pos(item),
      };
      previous = to;
      previousText = toSrc.text.trim();
      return claim;
    });
  }

  /**
   * `source-text`: the source's own words, shown beside the claim (in a page's, Markdown's and .tex document's math).
   * A macro definition there is refused as in a formula (latex-source.ts MACRO_DEFINITIONS): copied into Markdown's
   * `$$` blocks, a `\gdef` redefined every later formula where the site's renderer keeps definitions (a review's).
   */
  private sourceText(c: Entries): string | null {
    const entry = c.get('source-text');
    if (!entry) return null;
    this.y.string(entry.value, 'source-text');
    const source = this.y.exprSource(entry.value, 'source-text');
    const macro = macroDefinition(source.text);
    if (macro)
      throw new InputError(
        source.locate(macro.offset),
        `source-text: \\${macro.name} defines a macro, which is not allowed in a derivation file's LaTeX`,
        "the text with the macro's meaning written out",
      );
    return source.text;
  }

  /** `given: A < b and C >= d`: scalar conditions on the instance (sizes may appear, quantifiers may not). */
  private premise(src: ExprSource, scope: Scope, shapeOf: (name: string) => Shape, model: Model): Premise {
    const conditions: Condition[] = [];
    for (const part of splitTopLevel(src.text, /\band\b/y)) {
      const partSrc = subSource(src, part.start, part.end);
      const rel = findPremiseRelation(partSrc.text);
      const lead = Math.max(0, partSrc.text.search(/\S/));
      if (!rel)
        throw toInputError(
          partSrc,
          new ExprError(lead, 'a premise is a comparison of scalars', 'e.g. norm2(W) < 1 and rho(U) >= 0.5'),
        );
      const side = (from: number, to: number) => {
        const sideSrc = subSource(partSrc, from, to);
        return this.y.located(sideSrc, () => {
          const p = parseExpression(sideSrc.text, scope);
          validateAgainstModel(p.expr, model, p.offsets);
          const shape = inferShape(p.expr, { shapeOf }, p.offsets);
          if (!isScalarShape(shape))
            throw new ExprError(
              Math.max(0, sideSrc.text.search(/\S/)),
              `a premise compares scalars, this side is ${formatShape(shape)}`,
              'a norm, rho(A), trace(A), an entry W[i, j], …',
            );
          return p.expr;
        });
      };
      conditions.push({
        lhs: side(0, rel.at),
        relation: rel.relation,
        rhs: side(rel.at + rel.len, partSrc.text.length),
      });
    }
    return { text: src.text.trim(), conditions };
  }

  private quantifiers(node: YNode | null, sizeNames: string[], model: Model): Quantifier[] {
    const src = this.y.exprSource(node, 'forall');
    const out: Quantifier[] = [];
    let offset = 0;
    for (const part of src.text.split(',')) {
      const partSrc = subSource(src, offset, offset + part.length);
      if (out.length === LIMITS.quantifiers)
        throw toInputError(
          partSrc,
          new ExprError(
            Math.max(0, part.search(/\S/)),
            `more than ${LIMITS.quantifiers} quantifiers`,
            `at most ${LIMITS.quantifiers}`,
          ),
        );
      offset += part.length + 1;
      const match = /^\s*([A-Za-z][A-Za-z0-9_]*)\s+in\s+(.+?)\.\.(.+)$/.exec(part);
      if (!match)
        throw toInputError(
          partSrc,
          new ExprError(
            Math.max(0, part.search(/\S/)),
            `bad quantifier '${part.trim()}'`,
            'k in 1..T (several separated by commas)',
          ),
        );
      const name = this.y.declaredIn(partSrc, part.indexOf(match[1]!), match[1]!, 'quantifier');
      if (
        sizeNames.includes(name) ||
        model.symbols.has(name) ||
        out.some((q) => q.name === name) ||
        name === model.loss?.name
      )
        throw toInputError(
          partSrc,
          new ExprError(part.indexOf(name), `quantifier '${name}' clashes with another name`),
        );
      const scope: Scope = {
        sequences: new Set(),
        parameters: new Set(),
        loss: null,
        indexVars: new Set([...sizeNames, ...out.map((q) => q.name)]),
        realVars: new Set(),
      };
      const loStart = part.indexOf(match[2]!, match[0].indexOf(' in ') + 4);
      const lo = this.y.located(subSource(partSrc, loStart, loStart + match[2]!.length), () =>
        parseIndex(match[2]!, scope),
      );
      const hiStart = part.lastIndexOf('..') + 2;
      const hi = this.y.located(subSource(partSrc, hiStart), () => parseIndex(match[3]!, scope));
      out.push({ name, lo, hi });
    }
    return out;
  }
}

/** The parts of `text` between top-level (outside brackets) matches of `separator` (a sticky regex). */
function splitTopLevel(text: string, separator: RegExp): { start: number; end: number }[] {
  const parts: { start: number; end: number }[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (depth === 0) {
      separator.lastIndex = i;
      const m = separator.exec(text);
      if (m && (i === 0 || /\W/.test(text[i - 1]!))) {
        parts.push({ start, end: i });
        start = i + m[0].length;
        i = start - 1;
      }
    }
  }
  parts.push({ start, end: text.length });
  return parts;
}

/** The one top-level <, <=, >, >= (or ≤, ≥) of a premise's condition; null if there is none or several. */
function findPremiseRelation(text: string): { at: number; len: number; relation: PremiseRelation } | null {
  let depth = 0;
  let found: { at: number; len: number; relation: PremiseRelation } | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (depth === 0 && '<>≤≥'.includes(ch)) {
      const orEqual = text[i + 1] === '=';
      const relation: PremiseRelation =
        ch === '≤' ? '<=' : ch === '≥' ? '>=' : ((orEqual ? `${ch}=` : ch) as PremiseRelation);
      if (found) return null;
      found = { at: i, len: orEqual && (ch === '<' || ch === '>') ? 2 : 1, relation };
      i += found.len - 1;
    }
  }
  return found;
}

/** The offset of a top-level strict `<` or `>` (not part of `<=`, `>=`), or null. */
function strictRelationAt(text: string): number | null {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (depth === 0 && (ch === '<' || ch === '>') && text[i + 1] !== '=') return i;
  }
  return null;
}

/**
 * Splits `lhs < rhs` (or `>`) at the strict relation at `at`, as its non-strict relation: null where either side holds
 * another relation (one relation per claim).
 */
function strictSplit(text: string, at: number): RelationSplit | null {
  const left = text.slice(0, at);
  const right = text.slice(at + 1);
  const more = (side: string) => splitRelation(side) !== null || strictRelationAt(side) !== null;
  if (more(left) || more(right)) return null;
  return { left, right, rightStart: at + 1, relation: text[at] === '<' ? '<=' : '>=', at, strict: true };
}

/** A claim's text split at its relation (`strict`: written `<` or `>`, `relation` then the non-strict one). */
interface RelationSplit {
  readonly left: string;
  readonly right: string;
  readonly rightStart: number;
  readonly relation: Relation;
  readonly at: number;
  readonly strict?: true;
}

/** Splits `lhs REL rhs` at the one top-level relation; null if there is none. */
export function splitRelation(text: string): RelationSplit | null {
  let depth = 0;
  let found: { at: number; len: number; relation: Relation } | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (depth === 0) {
      const two = text.slice(i, i + 2);
      let hit: { len: number; relation: Relation } | null = null;
      if (two === '<=' || ch === '≤') hit = { len: ch === '≤' ? 1 : 2, relation: '<=' };
      else if (two === '>=' || ch === '≥') hit = { len: ch === '≥' ? 1 : 2, relation: '>=' };
      else if (two === '==') hit = { len: 2, relation: '=' };
      else if (ch === '=') hit = { len: 1, relation: '=' };
      if (hit) {
        if (found) return null;
        found = { at: i, ...hit };
        i += hit.len - 1;
      }
    }
  }
  if (!found) return null;
  const rightStart = found.at + found.len;
  return {
    left: text.slice(0, found.at),
    right: text.slice(rightStart),
    rightStart,
    relation: found.relation,
    at: found.at,
  };
}

/**
 * What a claim whose sides differ in shape was expected to have: for a scalar right side, 0 or c·I; otherwise the left
 * side's shape on the right too, and for the transpose of it (a row against a column), the transpose (').
 */
function sidesExpected(lhs: Shape, rhs: Shape): string {
  const want = `both sides ${formatShape(lhs)}`;
  if (isScalarShape(rhs)) return `0 for a zero ${formatShape(lhs)}, or c * eye(n)`;
  if (sameShape(lhs, { rows: rhs.cols, cols: rhs.rows })) return `${want}: transpose one side with '`;
  return want;
}
