/**
 * scaffold(markdown, fileName): a derivation-file skeleton from a post's display equations — a guessed model
 * (from the equations that define a recurrence) and one claim per other equation with its `latex:` verbatim, its
 * number as `label:`, the sentence before it as `note:`, and no `expect:`. How each claim was read (or why it was
 * not) is written beside it as a comment; what could not be read is also returned in `unread`.
 */
import { Document, isMap, isSeq, type YAMLMap, type YAMLSeq } from 'yaml';
import { latexToAscii } from '../convert.js';
import type { LatexContext } from '../context.js';
import { LatexInputError, lineColAt } from '../errors.js';
import { findDisplays, lineAt } from './displays.js';
import {
  asciiName,
  contextOf,
  diagLike,
  guessModel,
  splitEquations,
  symbolsFromClaims,
  type Definition,
  type GuessedModel,
  type GuessedSymbol,
  type Piece,
} from './model.js';

export interface Unread {
  readonly line: number;
  readonly text: string;
  readonly reason: string;
}

export interface ScaffoldStats {
  readonly displays: number;
  readonly equations: number;
  readonly modelEquations: number;
  readonly modelEquationsConverted: number;
  readonly claims: number;
  readonly claimsConverted: number;
  readonly model: string;
}

export interface ScaffoldResult {
  readonly yaml: string;
  readonly unread: Unread[];
  readonly stats: ScaffoldStats;
}

/** Headings (ATX `## …` and setext `…\n===`), to group equations by section. */
function sectionsOf(markdown: string): { line: number; title: string }[] {
  const lines = markdown.split('\n');
  const out: { line: number; title: string }[] = [];
  lines.forEach((l, i) => {
    const atx = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(l);
    if (atx) out.push({ line: i + 1, title: atx[1]! });
    else if (/^\s{0,3}(=+|-+)\s*$/.test(l) && i > 0 && lines[i - 1]!.trim() && !/^\s*[-*]/.test(lines[i - 1]!))
      out.push({ line: i, title: lines[i - 1]!.trim() });
  });
  return out;
}

function titleOf(markdown: string, fileName: string): string {
  const fm = /^---\n([\s\S]*?)\n---/.exec(markdown);
  const t = fm ? /^title:\s*"?(.*?)"?\s*$/m.exec(fm[1]!) : null;
  if (t) return t[1]!;
  const h = /^#\s+(.*)$/m.exec(markdown);
  return h ? h[1]!.trim() : fileName;
}

const trimTo = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function scaffold(markdown: string, fileName: string): ScaffoldResult {
  const displays = findDisplays(markdown);
  const sections = sectionsOf(markdown);
  const sectionAt = (line: number): string => [...sections].reverse().find((s) => s.line <= line)?.title ?? '';
  const pieces: (Piece & { label: string | null; note: string; part: number; parts: number })[] = [];
  displays.forEach((d, di) => {
    const eqs = splitEquations(d.latex);
    eqs.forEach((e, k) =>
      pieces.push({
        latex: e.latex,
        line: d.line + e.lineOffset,
        display: di,
        section: sectionAt(d.line),
        label: d.label,
        note: d.note,
        part: k,
        parts: eqs.length,
      }),
    );
  });

  // 1. the model: a first guess with every definition, then again keeping only the definitions that convert
  const attempt =
    (ctx: LatexContext) =>
    (d: Definition): boolean => {
      try {
        latexToAscii(d.piece.latex, ctx);
        return true;
      } catch {
        return false;
      }
    };
  // pass 1: every definition in the document, for the symbols; pass 2: per section, keeping what converts
  const whole = guessModel(pieces, () => true, { wholeDocument: true });
  const ctxOfModel = (m: GuessedModel): LatexContext =>
    contextOf(m.symbols, {
      time: m.time,
      timeVar: m.timeVar,
      functions: m.functions,
      sizes: m.sizes,
      lossKey: null,
      horizon: null,
    });
  const model: GuessedModel | null = whole ? (guessModel(pieces, attempt(ctxOfModel(whole))) ?? null) : null;
  const fromClaims = symbolsFromClaims(pieces);
  // the claims are read with the model's symbols, then those of other sections' definitions, then those seen in claims
  const symbols: GuessedSymbol[] = [...(model?.symbols ?? [])];
  const extra: GuessedSymbol[] = [];
  for (const s of [...(whole?.symbols ?? []), ...fromClaims.symbols])
    if (!symbols.some((x) => x.name === s.name) && !extra.some((x) => x.name === s.name)) extra.push(s);
  // v_{ij} is an entry of the matrix V: a lower-case letter whose upper case is a matrix is not a symbol of its own
  const isMatrix = (n: string): boolean =>
    [...symbols, ...extra].some((x) => x.name === n && x.role === 'parameter' && x.shape.length === 2);
  for (let i = extra.length - 1; i >= 0; i--)
    if (/^[a-z]$/.test(extra[i]!.name) && isMatrix(extra[i]!.name.toUpperCase())) extra.splice(i, 1);
  const time = model ? model.time : fromClaims.time;
  const sizes = model ? model.sizes : ['d', 'T'];
  const lossKey = fromClaims.lossKey;
  const horizon = fromClaims.horizon;
  const functions = [...new Set([...(model?.functions ?? []), ...(whole?.functions ?? [])])];
  const diag = diagLike(pieces);
  const ctx = contextOf([...symbols, ...extra], {
    time,
    timeVar: model?.timeVar ?? 't',
    functions,
    sizes: [...new Set([...sizes, ...(whole?.sizes ?? [])])],
    lossKey,
    horizon,
    diag,
  });

  const unread: Unread[] = [];
  const located = (p: Piece, err: unknown): string => {
    if (!(err instanceof LatexInputError)) return String(err);
    const { line, col } = lineColAt(p.latex, err.offset);
    return `${err.message} (formula line ${line}, col ${col}: '${p.latex.slice(err.offset, Math.max(err.end, err.offset + 1)).replace(/\s+/g, ' ')}')`;
  };

  // 2. the model's equations, in ASCII where they convert
  const equationNodes: unknown[] = [];
  const equationComments: (string | null)[] = [];
  let modelConverted = 0;
  for (const d of model?.definitions ?? []) {
    try {
      const c = latexToAscii(d.piece.latex, ctx);
      equationNodes.push(c.ascii);
      equationComments.push(null);
      modelConverted++;
    } catch (err) {
      equationNodes.push(new Map([['latex', d.piece.latex]]));
      const reason = located(d.piece, err);
      equationComments.push(`not read: ${reason}`);
      unread.push({ line: d.piece.line, text: trimTo(d.piece.latex, 120), reason });
    }
  }

  // 3. one claim per other equation
  const used = new Set(model?.definitions.map((d) => d.piece) ?? []);
  const claims: { node: Map<string, string>; comment: string }[] = [];
  const ids = new Set<string>();
  let displayNo = 0;
  let lastDisplay = -1;
  let converted = 0;
  for (const p of pieces) {
    if (p.display !== lastDisplay) {
      displayNo++;
      lastDisplay = p.display;
    }
    if (used.has(p)) continue;
    const num = p.label ? /\d+/.exec(p.label)?.[0] : null;
    const base = num ? `eq${num}` : `display-${displayNo}`;
    let id = p.parts > 1 ? `${base}${String.fromCharCode(97 + p.part)}` : base;
    while (ids.has(id)) id = `${id}-b`;
    ids.add(id);
    const node = new Map<string, string>([
      ['id', id],
      [
        'label',
        p.label
          ? p.parts > 1
            ? `${p.label}, equation ${p.part + 1} of ${p.parts}`
            : p.label
          : `display (${displayNo})`,
      ],
      ['latex', p.latex],
    ]);
    if (p.note) node.set('note', p.note);
    let comment: string;
    try {
      const c = latexToAscii(p.latex, ctx);
      converted++;
      comment = `read as: ${c.ascii}`;
      if (c.relation === null && !c.chain) comment += '\n(an expression, not a relation: give both sides for a claim)';
      // Every index the formula uses must be quantified (the time t too, which the reading takes as given):
      // each over the whole horizon, a guess to narrow. Bound indices never share a name with these.
      const used = new Set(c.ascii.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
      const free = [...[...ctx.indexVars].filter((v) => used.has(v)), ...c.freeIndexVars];
      if (free.length) {
        const horizonSize = sizes.includes('T') ? 'T' : (sizes[0] ?? 'T');
        node.set('forall', [...new Set(free)].map((v) => `${v} in 1..${horizonSize}`).join(', '));
        comment += `\nforall: a guess (1..${horizonSize} for each index the formula leaves free); narrow it to the text's ranges`;
      }
    } catch (err) {
      const reason = located(p, err);
      comment = `not read: ${reason}`;
      unread.push({ line: p.line, text: trimTo(p.latex, 120), reason });
    }
    claims.push({ node, comment: `line ${p.line}: ${comment}` });
  }

  // 4. the YAML
  const listed = model ? symbols : [...symbols, ...extra];
  const symbolMap = new Map<string, unknown>();
  for (const s of listed)
    symbolMap.set(
      s.name,
      new Map<string, unknown>([
        ['role', s.role],
        ['shape', [...s.shape]],
      ]),
    );
  const notation = new Map<string, string>([['profile', time === 'bracket-superscript' ? 'lab' : 'blog']]);
  if (time !== 'subscript' && time !== 'bracket-superscript') notation.set('time', time);
  if (horizon) notation.set('horizon', horizon.replace(/^\\/, ''));
  if (lossKey && lossKey !== 'L') notation.set('loss', lossKey);
  for (const s of listed) if (s.key.includes('\\')) notation.set(`name.${s.name}`, s.key);
  const sizeRanges = new Map<string, string>(sizes.map((n) => [n, n === 'T' ? '3..8' : n === 'd' ? '2..4' : '1..3']));
  const modelNode = new Map<string, unknown>([
    [
      'name',
      model
        ? `guessed from ${model.definitions.length} equation${model.definitions.length === 1 ? '' : 's'} in “${model.section || 'the document'}”`
        : 'TODO (the document writes no forward equations)',
    ],
    ['sizes', sizeRanges],
    ['symbols', symbolMap],
    ['equations', equationNodes],
  ]);
  if (model?.functions.length)
    modelNode.set(
      'functions',
      new Map(
        model.functions.map((f) => [
          f,
          new Map([
            ['value', 'TODO'],
            ['derivative', 'TODO'],
          ]),
        ]),
      ),
    );
  const root = new Map<string, unknown>([
    ['gradproof', 1],
    ['title', titleOf(markdown, fileName)],
    ['source', fileName],
    ['notation', notation],
    ['model', modelNode],
    ['claims', claims.map((c) => c.node)],
  ]);
  const doc = new Document(root);
  const diagNote = diag.length
    ? [` ${diag.join(', ')} applied like a function read as diag (the document's notation for a diagonal matrix).`]
    : [];
  doc.commentBefore = [
    ` Skeleton made by gradproof scaffold from ${fileName}: ${displays.length} display equations (${pieces.length} equations).`,
    model
      ? ` Model: guessed (roles and shapes are guesses) from the section “${model.section}”.`
      : ' Model: no equation defines a recurrence; symbols guessed from the claims (roles unknown).',
    ' Claims have no expect: yet; each says how its latex: was read (or why it was not).',
    ...diagNote,
    ...(unread.length ? [' Not read:', ...unread.map((u) => `   line ${u.line}: ${u.reason}`)] : []),
  ].join('\n');
  const modelYaml = doc.get('model', true) as YAMLMap;
  const symYaml = modelYaml.get('symbols', true) as unknown as YAMLMap;
  for (const pair of symYaml.items) {
    const key = String((pair.key as { value?: unknown }).value ?? pair.key);
    const s = listed.find((x) => x.name === key);
    if (s && isMap(pair.value)) {
      pair.value.flow = true;
      pair.value.comment = ` ${s.why}`;
    }
  }
  const eqYaml = modelYaml.get('equations', true) as unknown as YAMLSeq;
  eqYaml.items.forEach((item, i) => {
    const c = equationComments[i];
    if (c && item && typeof item === 'object') (item as { commentBefore?: string }).commentBefore = ` ${c}`;
  });
  if (model && extra.length)
    symYaml.comment = ` also read in the claims (not in the model): ${extra.map((x) => `${x.name} (${x.role})`).join(', ')}`;
  modelYaml.comment = lossKey
    ? ` loss: TODO — the claims differentiate ${lossKey} (read as L), which the document does not define (e.g. loss: L = sum(v .* h[T]))`
    : ' loss: TODO — the document does not define the loss (e.g. loss: L = sum(v .* h[T]))';
  if (model?.others.length)
    (modelYaml.get('equations', true) as unknown as YAMLSeq).comment =
      ` left out of the model (another section, or a second definition; kept as claims):\n${model.others.map((o) => `   line ${o.piece.line}: ${trimTo(o.piece.latex.replace(/\s+/g, ' '), 100)}`).join('\n')}`;
  const claimsYaml = doc.get('claims', true);
  if (isSeq(claimsYaml))
    claimsYaml.items.forEach((item, i) => {
      if (item && typeof item === 'object')
        (item as { commentBefore?: string }).commentBefore = claims[i]!.comment.split('\n')
          .map((l) => ` ${l}`)
          .join('\n');
    });
  const yaml = doc.toString({ lineWidth: 0 });
  return {
    yaml,
    unread,
    stats: {
      displays: displays.length,
      equations: pieces.length,
      modelEquations: model?.definitions.length ?? 0,
      modelEquationsConverted: modelConverted,
      claims: claims.length,
      claimsConverted: converted,
      model: model
        ? `${listed.map((s) => `${s.name}:${s.role[0]}[${s.shape.join(',')}]`).join(' ')}`
        : `none; from claims: ${listed.map((s) => s.name).join(' ')}${lossKey ? ` loss ${lossKey}` : ''}`,
    },
  };
}

export { asciiName, lineAt };
