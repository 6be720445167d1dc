/**
 * `check --export FILE`: FILE gets the refuted claims' counterexamples as JSON
 * (src/check/export-instance.ts) and FILE with `.py` gets a numpy script that
 * rebuilds both sides from that JSON — the forward pass from the model's
 * equations, derivatives by central finite differences — and reports whether
 * the violation reproduces (exit 0) or not (exit 1).
 */
import { exportCounterexample } from '../check/export-instance.js';
import type { CheckReport } from '../check/result.js';
import type { Claim, Derivation } from '../derivation/derivation.js';
import { PY_PRELUDE, py, pyVar, Untranslatable } from './python.js';

const indent = (text: string, by: string) =>
  text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');

/** One claim's function: the instance from the JSON record, the forward pass, both sides. */
function claimFunction(k: number, d: Derivation, claim: Claim): string {
  const model = claim.assume?.model ?? d.model;
  let body: string;
  try {
    const equations = model.equations
      .map((eq) => `(${JSON.stringify(eq.target)}, lambda S, P, ${pyVar('t')}: ${py(eq.rhs, model, false)}),`)
      .join('\n    ');
    const loss = model.loss ? py(model.loss.rhs, model, false) : 'None';
    body = `
${[...Object.keys(model.sizes).map((n) => `${pyVar(n)} = D["sizes"][${JSON.stringify(n)}]`), ...claim.forall.map((q) => `${pyVar(q.name)} = D["bindings"][${JSON.stringify(q.name)}]`)].join('\n')}
P0 = {n: np.array(v["values"], float) for n, v in D["parameters"].items()}
INPUTS = {n: [None] + [np.array(x, float).reshape(-1, 1) for x in v["values"]] for n, v in D["inputs"].items()}
INIT = {n: np.array(v["values"], float) for n, v in D["initial"].items()}
LOSS = ${JSON.stringify(model.loss?.name ?? null)}
EQUATIONS = [
    ${equations}
]

def run(override, held=(), base=None):
    P = dict(P0)
    P.update({name: v for (name, t), v in override.items() if t is None})
    S = {n: [override.get((n, t), x) for t, x in enumerate(xs)] for n, xs in INPUTS.items()}
    for name, _ in EQUATIONS:
        S[name] = [None] * (${pyVar('T')} + 1)
    for n, v in INIT.items():
        S[n][0] = override.get((n, 0), v)
    for ${pyVar('t')} in range(1, ${pyVar('T')} + 1):
        for name, f in EQUATIONS:
            v = f(S, P, ${pyVar('t')})
            if (name, ${pyVar('t')}) in override:
                v = override[(name, ${pyVar('t')})]
            if base is not None and ((name, ${pyVar('t')}) in held or (name, "*") in held):
                v = base[0][name][${pyVar('t')}]
            S[name][${pyVar('t')}] = v
    L = None
    if LOSS is not None:
        L = np.asarray((lambda S, P: ${loss})(S, P), float).reshape(1, 1)
    return S, P, L

def value(state, ref):
    S, P, L = state
    name, t = ref
    return L if name == LOSS else (P[name] if t is None else S[name][t])

BASE = run({})

def V(ref):
    return value(BASE, ref)

def jac(of, wrt, held=()):
    """Central differences through run(): column j perturbs entry j of wrt (column-major for a matrix)."""
    x0 = np.asarray(V(wrt), float)
    flat = x0.flatten(order="F")
    columns = []
    for j in range(flat.size):
        h = 1e-6 * max(1.0, abs(flat[j]))
        sides = []
        for sign in (1, -1):
            x = flat.copy()
            x[j] += sign * h
            state = run({wrt: x.reshape(x0.shape, order="F")}, held, BASE)
            sides.append(np.asarray(value(state, of), float).flatten(order="F"))
        columns.append((sides[0] - sides[1]) / (2 * h))
    return np.array(columns).T

partial = jac

def grad(of, wrt, held=()):
    return jac(of, wrt, held).reshape(np.asarray(V(wrt)).shape, order="F")

return np.asarray(${py(claim.lhs, model, true)}, float), np.asarray(${py(claim.rhs, model, true)}, float)`;
  } catch (err) {
    if (!(err instanceof Untranslatable)) throw err;
    body = `\nraise NotImplementedError(${JSON.stringify(`no numpy form for ${err.message} yet: compare the exported lhs and rhs`)})`;
  }
  return `def claim_${k}(D):${indent(body, '    ')}\n`;
}

export function exportScript(jsonName: string, items: readonly { d: Derivation; claim: Claim }[]): string {
  return `"""Rebuilds the counterexamples gradproof exported to ${jsonName} with numpy and checks they violate the claims.

Run:  python3 ${jsonName.replace(/\.json$/, '')}.py [${jsonName}]
Each claim's instance (sizes, every parameter, inputs, initial states, the binding) is read from the JSON;
the forward pass follows the model's equations; derivatives are central finite differences through it
(a Jacobian with respect to a matrix takes its entries in column-major order). Exit 0: every violation
reproduces. In PyTorch: load the same arrays with torch.tensor(..., dtype=torch.float64, requires_grad=True),
write the forward pass the same way and take derivatives with torch.autograd.functional.jacobian
(or loss.backward() for a gradient) instead of the finite differences below.
"""
import os
${PY_PRELUDE}

${items.map(({ d, claim }, k) => claimFunction(k, d, claim)).join('\n\n')}

CLAIMS = [${items.map((_, k) => `claim_${k}`).join(', ')}]


def main(path):
    with open(path) as f:
        data = json.load(f)
    reproduced = True
    for D, build in zip(data["claims"], CLAIMS):
        try:
            lhs, rhs = build(D)
        except NotImplementedError as why:
            # this claim alone is not replayed; the others still are
            print(f"{D['claim']}: not replayed ({why})")
            reproduced = False
            continue
        gp_lhs = np.array(D["lhs"]["values"], float)
        gp_rhs = np.array(D["rhs"]["values"], float)
        scale = max(np.linalg.norm(gp_lhs), np.linalg.norm(gp_rhs), 1e-300)
        same = np.linalg.norm(lhs - gp_lhs) / scale < 1e-5 and np.linalg.norm(rhs - gp_rhs) / scale < 1e-5
        rel = np.linalg.norm(lhs - rhs) / max(np.linalg.norm(lhs), np.linalg.norm(rhs), 1e-300)
        a, b = float(lhs.ravel()[0]), float(rhs.ravel()[0])
        violated = {"=": rel > max(D["tolerance"], 1e-6), "<=": a > b, ">=": a < b}[D["relation"]]
        print(f"{D['claim']}: relative error {rel:.6g} (gradproof {D['relError']:.6g}); "
              f"sides {'match' if same else 'DO NOT match'} gradproof's; violation {'reproduced' if violated else 'NOT reproduced'}")
        reproduced = reproduced and same and violated
    return 0 if reproduced else 1


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, ${JSON.stringify(jsonName)})))
`;
}

/** The script's path beside the JSON file: `x.json` → `x.py`, anything else gets `.py` appended. */
export const scriptPath = (jsonPath: string): string =>
  /\.json$/i.test(jsonPath) ? jsonPath.replace(/\.json$/i, '.py') : `${jsonPath}.py`;

/** The refuted claims of a report, exported: the JSON text and the script text (null when nothing was refuted). */
export function counterexampleExport(
  report: CheckReport,
  jsonName: string,
  workLimit?: number,
): { json: string; script: string; claims: number } | null {
  const items = report.claims.flatMap((r) => {
    const d = report.derivations.find((x) => x.file === r.file)!;
    return r.counterexample ? [{ d, r, claim: d.claims.find((c) => c.id === r.id)!, cx: r.counterexample }] : [];
  });
  if (!items.length) return null;
  const exported = items.map(({ d, r, cx }) => exportCounterexample(d, r, cx, workLimit));
  return {
    json: `${JSON.stringify({ gradproofExport: 1, claims: exported }, null, 1)}\n`,
    script: exportScript(jsonName, items),
    claims: items.length,
  };
}
