/** The bindings of a claim's quantifiers at given sizes, in order (each range evaluated with the outer ones bound). */
import { evalAffine, type IntEnv } from '../ir/affine.js';
import type { Claim } from '../derivation/derivation.js';

export function bindings(claim: Pick<Claim, 'forall'>, sizes: IntEnv): IntEnv[] {
  const out: IntEnv[] = [];
  const rec = (q: number, env: IntEnv) => {
    if (q === claim.forall.length) {
      out.push(env);
      return;
    }
    const quant = claim.forall[q]!;
    const full = { ...sizes, ...env };
    const [lo, hi] = [evalAffine(quant.lo, full), evalAffine(quant.hi, full)];
    for (let v = lo; v <= hi; v++) rec(q + 1, { ...env, [quant.name]: v });
  };
  rec(0, {});
  return out;
}
