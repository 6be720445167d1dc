/** The bindings of a claim's quantifiers at given sizes, in order (each range evaluated with the outer ones bound). */
import { evalAffine, type IntEnv } from '../ir/affine.js';
import { LIMITS } from '../ir/limits.js';
import { mergedBindings, withBinding } from '../ir/names.js';
import type { Claim } from '../derivation/derivation.js';
import { InputError } from '../derivation/errors.js';

/** More than LIMITS.bindings steps of the enumeration is a located error for the claim (k, j, i in 1..T at T = 10⁵). */
export function bindings(claim: Pick<Claim, 'forall' | 'id' | 'pos'>, sizes: IntEnv): IntEnv[] {
  const out: IntEnv[] = [];
  let steps = 0;
  const rec = (q: number, env: IntEnv) => {
    if (++steps > LIMITS.bindings)
      throw new InputError(
        claim.pos,
        `claim '${claim.id}' has more than ${LIMITS.bindings} quantifier bindings at ${Object.entries(sizes)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}`,
        'narrower forall ranges',
      );
    if (q === claim.forall.length) {
      out.push(env);
      return;
    }
    const quant = claim.forall[q]!;
    const full = mergedBindings(sizes, env);
    const [lo, hi] = [evalAffine(quant.lo, full), evalAffine(quant.hi, full)];
    for (let v = lo; v <= hi; v++) rec(q + 1, withBinding(env, quant.name, v));
  };
  rec(0, {});
  return out;
}
