/**
 * YAML plumbing shared by the loader's stages: positions of nodes, typed
 * reads of scalars and mappings, and expression sources whose every
 * character maps back to file:line:col (YAML folds lines, strips indentation
 * and decodes escapes, so offsets are mapped per character).
 */
import { isAlias, isMap, isScalar, type LineCounter, type Node as YNode, type Pair, type Scalar } from 'yaml';
import { type ExprSource, ExprError, InputError, type SourcePos, toInputError } from './errors.js';
import { reservedNameProblem } from '../ir/names.js';
import { alignScalar } from './scalar-source.js';

export type Entries = Map<string, { key: Scalar; value: YNode | null }>;

export class YamlSource {
  constructor(
    readonly text: string,
    readonly file: string,
    readonly lines: LineCounter,
  ) {}

  pos(node: YNode | null | undefined): SourcePos {
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col };
  }

  fail(node: YNode | null | undefined, problem: string, expected: string): never {
    // an alias (`*w`) is read nowhere: said so, not only that a mapping or text was expected (a review was misled)
    if (isAlias(node))
      throw new InputError(
        this.pos(node),
        `${problem}: '*${node.source}' is a YAML alias, which gradproof does not read`,
        'the value written out where the alias is',
      );
    throw new InputError(this.pos(node), problem, expected);
  }

  /** A mapping with only the allowed keys and all the required ones; keys are kept in a Map (user names are never object keys). */
  map(
    node: YNode | null | undefined,
    what: string,
    allowed: readonly string[],
    required: readonly string[] = [],
  ): Entries {
    if (!isMap(node)) this.fail(node, `${what} must be a mapping`, `keys ${allowed.join(', ')}`);
    const out: Entries = new Map();
    for (const pair of node.items as Pair<YNode, YNode | null>[]) {
      const key = pair.key;
      if (!isScalar(key) || typeof key.value !== 'string') this.fail(key, `${what} has a non-text key`, 'a name');
      const name = (key as Scalar<string>).value;
      if (!allowed.includes(name)) this.fail(key, `unknown key '${name}' in ${what}`, `one of ${allowed.join(', ')}`);
      out.set(name, { key: key, value: pair.value });
    }
    for (const name of required) if (!out.has(name)) this.fail(node, `${what} is missing '${name}'`, `'${name}: …'`);
    return out;
  }

  /** A name the file declares (a size, symbol, claim id, …), refused when JavaScript's objects reserve it. */
  declared(node: YNode | null | undefined, name: string, what: string): string {
    const problem = reservedNameProblem(name, what);
    if (problem) this.fail(node, problem, `another ${what}`);
    return name;
  }

  /** The same for a name inside an expression string, located at its character offset. */
  declaredIn(src: ExprSource, offset: number, name: string, what: string): string {
    const problem = reservedNameProblem(name, what);
    if (problem) throw new InputError(src.locate(offset), problem, `another ${what}`);
    return name;
  }

  /** At most `limit` entries in a list or mapping; the first one past it is refused. */
  atMost<T>(items: readonly T[], limit: number, what: string, nodeOf: (item: T) => YNode | null | undefined): void {
    if (items.length > limit)
      this.fail(nodeOf(items[limit]!), `more than ${limit} ${what}`, `at most ${limit} ${what} in one file`);
  }

  /**
   * A mapping key that names something, as text. YAML reads `~` as null, `true` as a boolean and `? [a, b]` as a
   * list: as names they became `null`, `true` and `undefined`, silently declared (a review found it).
   */
  keyName(pair: Pair<unknown, unknown>, what: string): string {
    const key = pair.key as YNode | null;
    if (isScalar(key) && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
    const read =
      key === null || (isScalar(key) && key.value === null)
        ? 'null'
        : isScalar(key)
          ? `the ${typeof key.value} ${String(key.value)}`
          : 'a collection';
    return this.fail(
      key ?? (pair.value as YNode | null),
      `this key names ${what}, but YAML reads it as ${read}`,
      'an identifier (quoted where YAML would read it otherwise)',
    );
  }

  string(node: YNode | null | undefined, what: string): string {
    if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number'))
      this.fail(node, `${what} must be text`, 'text (a string or a number)');
    return String(node.value);
  }

  number(node: YNode | null | undefined, what: string): number {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isFinite(node.value))
      this.fail(node, `${what} must be a number`, 'a finite number');
    return (node as Scalar<number>).value;
  }

  /** The expression text, with every character mapped back to its place in the file. */
  exprSource(node: YNode | null | undefined, what: string): ExprSource {
    const text = this.string(node, what);
    const scalar = node as Scalar;
    const [from, to] = [scalar.range![0], scalar.range![1]];
    const map = alignScalar(this.text.slice(from, to), from, text, scalar.type);
    return {
      text,
      locate: (offset) => {
        const { line, col } = this.lines.linePos(map[Math.max(0, Math.min(offset, map.length - 1))]!);
        return { file: this.file, line, col };
      },
    };
  }

  /** Runs a stage that reports ExprErrors by offset, turning them into located InputErrors. */
  located<T>(src: ExprSource, run: () => T): T {
    try {
      return run();
    } catch (err) {
      if (err instanceof ExprError) throw toInputError(src, err);
      throw err;
    }
  }
}
