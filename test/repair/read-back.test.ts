/**
 * Reading a candidate back shares the printed tree's nodes only where the reading gave back the same data: the
 * tree the engines check is equal, field by field, to what was read.
 */
import { describe, expect, it } from 'vitest';
import { affine } from '../../src/ir/affine.js';
import { type Expr, node, num, seq, sym } from '../../src/ir/expr.js';
import { sharedWith } from '../../src/repair/validate.js';

const tree = (t: number, c: number): Expr => node('add', [node('mul', [sym('W'), seq('h', affine(t))]), num(c)]);

describe('read-back trees share the printed tree where equal', () => {
  it('keeps the printed tree when every field is equal', () => {
    const printed = tree(2, 1);
    expect(sharedWith(tree(2, 1), printed)).toBe(printed);
  });
  it('shares the unchanged subtrees of a changed tree, keeps what was read elsewhere', () => {
    const printed = tree(2, 1);
    const read = tree(2, 3);
    const out = sharedWith(read, printed) as Expr & { kind: 'op' };
    expect(out).not.toBe(printed);
    expect(out).toEqual(read);
    expect(out.args[0]).toBe((printed as Expr & { kind: 'op' }).args[0]);
    expect(out.args[1]).toBe(read.kind === 'op' ? read.args[1] : null);
  });
  it('tells 0 from -0, and records by prototype and key order', () => {
    const zero = sharedWith(num(-0), num(0));
    expect(zero.kind === 'num' && Object.is(zero.value, -0)).toBe(true);
    const terms = Object.assign(Object.create(null) as Record<string, number>, { t: 1 });
    const a: Expr = { kind: 'seq', name: 'h', time: { c: 0, terms } };
    const b: Expr = { kind: 'seq', name: 'h', time: { c: 0, terms: { t: 1 } } };
    expect(sharedWith(a, b)).toBe(a);
    const c: Expr = { kind: 'seq', time: a.time, name: 'h' };
    expect(sharedWith(a, c)).toBe(a);
    const d: Expr = { kind: 'seq', name: 'h', time: { c: 0, terms } };
    expect(sharedWith(a, d)).toBe(d);
  });
});
