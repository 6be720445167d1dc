"""
The 2023 post's index-level closed form, checked by SymPy the way gradproof's
`index-d4t6` benchmark checks it: for d = 4 hidden units, n = 2 inputs and
every t = 1..6, α, i in 1..d, j in 1..n (192 cases), the derivative
∂h_t^α/∂w_ij expanded from the model's recurrence and the closed form
summed over index paths, as exact polynomials in the atoms σ_h'(h_s^g),
u_gq and x_s^j, compared by expanding their difference.

Prints one JSON line: {"cases", "seconds" (process CPU), "maxrss_kib"}.
Written independently of gradproof (no shared code) so the comparison is fair.
"""
import itertools
import json
import resource
import sys
import time

import sympy

D_HIDDEN, N_IN, T_MAX = 4, 2, 6


def main() -> None:
    t0 = time.process_time()
    act = [[sympy.Symbol(f"a_{s}_{g}") for g in range(D_HIDDEN)] for s in range(T_MAX + 1)]
    u = [[sympy.Symbol(f"u_{g}_{q}") for q in range(D_HIDDEN)] for g in range(D_HIDDEN)]
    x = [[sympy.Symbol(f"x_{s}_{j}") for j in range(N_IN)] for s in range(T_MAX + 1)]
    cases = 0
    for i in range(D_HIDDEN):
        for j in range(N_IN):
            # The recurrence: dh_t^α = σ'(h_t^α) (δ(α,i) x_t^j + Σ_q u_αq dh_{t-1}^q), dh_0 = 0.
            prev = [sympy.Integer(0)] * D_HIDDEN
            for t in range(1, T_MAX + 1):
                cur = []
                for alpha in range(D_HIDDEN):
                    direct = x[t][j] if alpha == i else 0
                    cur.append(sympy.expand(act[t][alpha] * (direct + sum(u[alpha][q] * prev[q] for q in range(D_HIDDEN)))))
                prev = cur
                for alpha in range(D_HIDDEN):
                    closed = closed_form(t, alpha, i, j, act, u, x)
                    if sympy.expand(cur[alpha] - closed) != 0:
                        raise SystemExit(f"differs at t={t} alpha={alpha} i={i} j={j}")
                    cases += 1
    seconds = time.process_time() - t0
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"cases": cases, "seconds": seconds, "maxrss_kib": maxrss}))


def closed_form(t, alpha, i, j, act, u, x):
    """Σ_{k=0}^{t-1} Σ_{γ_1..γ_k} ∏_{ℓ=0}^{k-1} σ'(h_{t-ℓ}^{γ_ℓ}) u_{γ_ℓ γ_{ℓ+1}} · σ'(h_{t-k}^{γ_k}) δ(γ_k, i) x_{t-k}^j, γ_0 = α."""
    total = sympy.Integer(0)
    for k in range(t):
        for path in itertools.product(range(D_HIDDEN), repeat=k):
            g = (alpha, *path)
            if g[k] != i:
                continue
            term = act[t - k][g[k]] * x[t - k][j]
            for ell in range(k):
                term *= act[t - ell][g[ell]] * u[g[ell]][g[ell + 1]]
            total += term
    return total


if __name__ == "__main__":
    sys.setrecursionlimit(10000)
    main()
