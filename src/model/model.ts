/**
 * A model: the forward equations of a recurrent cell as data. Built by the
 * derivation loader, consumed by the numeric program compiler and (later) the
 * symbolic engine.
 */
import type { Expr } from '../ir/expr.js';
import type { ElementwiseRule } from '../ops/elementwise.js';
import type { Shape } from '../ir/shape.js';

export type Role = 'parameter' | 'input' | 'state' | 'intermediate';

/**
 * How a parameter is drawn on an instance; `recurrent` matrices get the
 * regime's spectral norm, the others a fan-in-scaled Gaussian.
 */
export type InitKind = 'recurrent' | 'weight' | 'bias' | 'forget-bias' | 'gaussian' | 'zero';

export interface SymbolDecl {
  readonly name: string;
  readonly role: Role;
  readonly shape: Shape;
  readonly init: InitKind;
  readonly description?: string;
}

export interface SizeRange {
  readonly min: number;
  readonly max: number;
}

export interface Equation {
  /** the sequence this equation defines at time t */
  readonly target: string;
  readonly rhs: Expr;
  readonly text: string;
}

/** An activation declared in the file: f(x) and f′(x) as scalar expressions in one variable. */
export interface UserFunction {
  readonly name: string;
  readonly variable: string;
  readonly value: Expr;
  readonly derivative: Expr;
  /** compiled closures; the derivative ignores y = f(x) */
  readonly rule: ElementwiseRule;
}

export interface Model {
  readonly name: string;
  /** size names (always including T, the last time step) and the ranges instances draw them from */
  readonly sizes: Readonly<Record<string, SizeRange>>;
  readonly symbols: ReadonlyMap<string, SymbolDecl>;
  /** in evaluation order within one time step */
  readonly equations: readonly Equation[];
  readonly loss: { readonly name: string; readonly rhs: Expr; readonly text: string } | null;
  readonly functions: ReadonlyMap<string, UserFunction>;
  /**
   * Values a claim's `assume:` fixes (a parameter, or a state's initial value): drawn as usual, then
   * replaced, so the variant's instances match the model's everywhere else. Absent: none.
   */
  readonly fixed?: ReadonlyMap<string, FixedValue>;
}

export type FixedValue = 'zero' | 'identity';

export const TIME_VAR = 't';
export const HORIZON = 'T';
