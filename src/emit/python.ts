/**
 * A claim's sides and a model's equations as numpy expressions, for the script
 * `check --export` writes beside a counterexample. Vectors are (n, 1) arrays;
 * derivatives are central finite differences through the script's own forward
 * pass (a Jacobian with respect to a matrix takes its entries in column-major
 * order, as gradproof does). An operator with no numpy form here throws
 * Untranslatable, and the script then says so instead of guessing.
 */
import type { Affine } from '../ir/affine.js';
import type { Expr } from '../ir/expr.js';
import type { Model } from '../model/model.js';

export class Untranslatable extends Error {}

/** Index variables live in Python as `i_<name>` (no clash with numpy or the script's names). */
export const pyVar = (name: string): string => `i_${name}`;

export function pyAffine(a: Affine): string {
  const parts = [String(a.c)];
  for (const [name, coef] of Object.entries(a.terms)) parts.push(`(${coef})*${name.split('*').map(pyVar).join('*')}`);
  return parts.join(' + ');
}

const str = (s: string) => JSON.stringify(s);

/** A node reference as the script's ('name', time) pair (time None for parameters and the loss). */
function pyRef(e: Expr): string {
  if (e.kind === 'seq') return `(${str(e.name)}, ${pyAffine(e.time)})`;
  if (e.kind === 'sym') return `(${str(e.name)}, None)`;
  throw new Untranslatable('a derivative of something other than a node');
}

const ELEMENTWISE: Readonly<Record<string, string>> = {
  tanh: 'np.tanh',
  sigma: 'sigma',
  exp: 'np.exp',
  log: 'np.log',
  sqrt: 'np.sqrt',
  abs: 'np.abs',
  step: 'heaviside',
  identity: '',
};

/** `e` as a numpy expression; `seq` reads a sequence (S[...] in the forward pass, V(...) in a claim). */
export function py(e: Expr, model: Model, inClaim: boolean): string {
  const r = (x: Expr) => py(x, model, inClaim);
  switch (e.kind) {
    case 'num':
      return `${e.value}`;
    case 'ivar':
      return `${pyVar(e.name)}`;
    case 'rvar':
      throw new Untranslatable(`the real variable ${e.name}`);
    case 'sym':
      return inClaim ? `V(${pyRef(e)})` : `P[${str(e.name)}]`;
    case 'seq':
      return inClaim ? `V(${pyRef(e)})` : `S[${str(e.name)}][${pyAffine(e.time)}]`;
    case 'op':
      break;
  }
  const a = e.args;
  const range = (f: string) => {
    const [lo, hi] = [pyAffine(e.ints[0]!), pyAffine(e.ints[1]!)];
    return `${f}([(lambda ${pyVar(e.binder!)}: ${r(a[0]!)})(${pyVar(e.binder!)}) for ${pyVar(e.binder!)} in range(int(${lo}), int(${hi}) + 1)], ${lo}, ${hi})`;
  };
  if (e.op in ELEMENTWISE) return `${ELEMENTWISE[e.op]}(${r(a[0]!)})`;
  switch (e.op) {
    case 'add':
      return `(${r(a[0]!)} + ${r(a[1]!)})`;
    case 'sub':
      return `(${r(a[0]!)} - ${r(a[1]!)})`;
    case 'neg':
      return `(-${r(a[0]!)})`;
    case 'mul':
      return `mul(${r(a[0]!)}, ${r(a[1]!)})`;
    case 'emul':
      return `(${r(a[0]!)} * ${r(a[1]!)})`;
    case 'max2':
      return `np.maximum(${r(a[0]!)}, ${r(a[1]!)})`;
    case 'min2':
      return `np.minimum(${r(a[0]!)}, ${r(a[1]!)})`;
    case 'ediv':
    case 'div':
      return `(${r(a[0]!)} / ${r(a[1]!)})`;
    case 'pow':
      return `power(${r(a[0]!)}, ${r(a[1]!)})`;
    case 'epow':
      return `(${r(a[0]!)} ** ${r(a[1]!)})`;
    case 'transpose':
      return `${r(a[0]!)}.T`;
    case 'diag':
      return `np.diag(${r(a[0]!)}.ravel())`;
    case 'eye':
      return `np.eye(int(${pyAffine(e.ints[0]!)}))`;
    case 'zeros':
    case 'ones': {
      const [rows, cols] = [e.ints[0]!, e.ints[1]];
      return `np.${e.op}((int(${pyAffine(rows)}), int(${cols ? pyAffine(cols) : '1'})))`;
    }
    case 'trace':
      return `np.array([[np.trace(${r(a[0]!)})]])`;
    case 'inv':
      return `np.linalg.inv(${r(a[0]!)})`;
    case 'rho':
      return `np.array([[max(abs(np.linalg.eigvals(${r(a[0]!)})))]])`;
    case 'norm2':
      return `norm(${r(a[0]!)}, 2)`;
    case 'normF':
      return `norm(${r(a[0]!)}, 'fro')`;
    case 'normInf':
      return `norm(${r(a[0]!)}, np.inf)`;
    case 'normMax':
      return `np.array([[np.max(np.abs(${r(a[0]!)}))]])`;
    case 'normMin':
      return `np.array([[np.min(np.abs(${r(a[0]!)}))]])`;
    case 'sumall':
      return `np.array([[np.sum(${r(a[0]!)})]])`;
    case 'softmax':
      return `softmax(${r(a[0]!)})`;
    case 'logsumexp':
      return `np.array([[np.log(np.sum(np.exp(${r(a[0]!)})))]])`;
    case 'concat':
      return `np.vstack([${a.map(r).join(', ')}])`;
    case 'block': {
      // the grid's block columns (ints: block rows, block columns)
      const width = e.ints[1]!.c;
      const rows = [];
      for (let at = 0; at < a.length; at += width)
        rows.push(
          `[${a
            .slice(at, at + width)
            .map(r)
            .join(', ')}]`,
        );
      return `np.block([${rows.join(', ')}])`;
    }
    case 'prod':
      return range('ordered_prod');
    case 'rsum':
      return range('range_sum');
    case 'hprod':
      return range('range_hprod');
    case 'jac':
    case 'partial':
    case 'grad':
      if (!inClaim) throw new Untranslatable('a derivative inside the model');
      return `${e.op}(${pyRef(a[0]!)}, ${pyRef(a[1]!)}, [${a
        .slice(2)
        .map((h) => (h.kind === 'sym' ? `(${str(h.name)}, '*')` : pyRef(h)))
        .join(', ')}])`;
  }
  throw new Untranslatable(`the operator ${e.op}`);
}

/** The script's fixed part: helpers, the forward pass over the exported instance, and finite differences. */
export const PY_PRELUDE = String.raw`import json
import sys

import numpy as np


def sigma(z):
    return 1.0 / (1.0 + np.exp(-z))


def heaviside(z):
    return np.heaviside(z, 0.5)


def mul(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.size == 1 and a.shape == (1, 1) and b.shape[0] != 1:
        return a[0, 0] * b
    if b.size == 1 and b.shape == (1, 1) and a.shape[1] != 1:
        return a * b[0, 0]
    return a @ b


def power(a, k):
    a = np.asarray(a, float)
    k = float(np.asarray(k).ravel()[0])
    # a number written in the claim (2^(-30)) is 0-d; a 1 x 1 value is a number too
    if a.ndim < 2 or a.shape == (1, 1):
        return a ** k
    return np.linalg.matrix_power(a, int(k))


def norm(a, kind):
    a = np.asarray(a, float)
    if a.shape[1] == 1 and kind == 2:
        return np.array([[np.linalg.norm(a.ravel())]])
    return np.array([[np.linalg.norm(a, kind)]])


def softmax(v):
    e = np.exp(v - np.max(v))
    return e / np.sum(e)


def ordered_prod(factors, lo, hi):
    """F(lo) F(lo+1) ... F(hi), increasing left to right; empty: the identity (of the size the claim needs)."""
    if not factors:
        return np.array([[1.0]])  # the identity, acting as the scalar 1 in mul
    out = factors[0]
    for f in factors[1:]:
        out = mul(out, f)
    return out


def range_sum(terms, lo, hi):
    return sum(terms[1:], terms[0]) if terms else 0.0


def range_hprod(terms, lo, hi):
    out = terms[0]
    for v in terms[1:]:
        out = out * v
    return out
`;
