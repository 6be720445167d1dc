"""
Independent numpy cross-check of the 2023 post's worked steps (issue 14 item 6; derivations/understanding-lstms-2023-index-level.yaml):
central finite differences of a tanh RNN with a sigmoid output layer (d = 3, n = 2, m = 2, T = 5, seed 7) against the
formulas as written and corrected, index paths enumerated with itertools. Prints the worst relative difference per
claim: ~1 for the refuted as-written forms, ≤ 1e-6 (finite-difference noise) for the corrected ones. Figures, not a test.

    python3 bench/index-level-2023-numpy.py
"""
import itertools, numpy as np
rng = np.random.default_rng(7)
d, n, m, T = 3, 2, 2, 5
V = rng.normal(size=(m, d)); W = rng.normal(size=(d, n)); U = rng.normal(size=(d, d)) * 0.8
by = rng.normal(size=m); bh = rng.normal(size=d); X = rng.normal(size=(T + 1, n))  # X[t], t = 1..T
sig = lambda z: 1 / (1 + np.exp(-z))
def run(V=V, W=W, U=U):
    h = np.zeros((T + 1, d)); y = np.zeros((T + 1, m))
    for t in range(1, T + 1):
        h[t] = np.tanh(W @ X[t] + U @ h[t - 1] + bh); y[t] = sig(V @ h[t] + by)
    return h, y
h, y = run()
dh = 1 - h ** 2; dy = y * (1 - y)
def fd(which, i, j, f, eps=1e-6):
    P = {'V': V, 'W': W, 'U': U}
    Pp = {k: v.copy() for k, v in P.items()}; Pm = {k: v.copy() for k, v in P.items()}
    Pp[which][i, j] += eps; Pm[which][i, j] -= eps
    return (f(*run(**Pp)) - f(*run(**Pm))) / (2 * eps)
A = lambda g, s, i, j: dh[s, g] * (g == i) * X[s, j]
AU = lambda g, s, i, j: dh[s, g] * (g == i) * h[s - 1, j]
B = lambda g, q, s: dh[s, g] * U[g, q]
def closed(alpha, t, i, j, N, Af=A):
    tot = 0.0
    for k in range(0, t):
        for path in itertools.product(range(N), repeat=k):
            g = (alpha,) + path
            tot += np.prod([B(g[l], g[l + 1], t - l) for l in range(k)]) * Af(g[k], t - k, i, j)
    return tot
worst = {}
def rec(name, a, b):
    worst[name] = max(worst.get(name, 0), abs(a - b) / max(1e-12, abs(a), abs(b)))
for i in range(d):
    for j in range(n):
        for alpha in range(d):
            t = 1
            truth = fd('W', i, j, lambda h_, y_: h_[1, alpha])
            rec('base-case-as-written.3 (refuted expected)', truth, dh[1, alpha] * X[1, j])
            rec('base-case.3', truth, dh[1, alpha] * (alpha == i) * X[1, j])
            for t in range(4, T + 1):
                truth = fd('W', i, j, lambda h_, y_: h_[t, alpha])
                dprev = {g3: fd('W', i, j, lambda h_, y_: h_[t - 3, g3]) for g3 in range(d)}
                base = A(alpha, t, i, j) + sum(B(alpha, g1, t) * A(g1, t - 1, i, j) for g1 in range(d)) \
                    + sum(B(alpha, g1, t) * B(g1, g2, t - 1) * A(g2, t - 2, i, j) for g1 in range(d) for g2 in range(d))
                tail = lambda withA: sum(B(alpha, g1, t) * B(g1, g2, t - 1) * B(g2, g3, t - 2) * (A(g3, t - 3, i, j) if withA else 1) * dprev[g3]
                                         for g1 in range(d) for g2 in range(d) for g3 in range(d))
                rec('expansion-three-terms-as-written (refuted expected)', truth, base + tail(True))
                rec('expansion-three-terms', truth, base + tail(False))
            for t in range(1, T):
                truth = fd('W', i, j, lambda h_, y_: h_[t + 1, alpha])
                # post's γ_{-1} = α reindexing: k from -1, γ_0..γ_k over 1..N
                for N, name in ((n, 'induction-reindexed-as-written (refuted expected)'), (d, 'induction-reindexed')):
                    tot = 0.0
                    for k in range(-1, t):
                        for path in itertools.product(range(N), repeat=k + 1):
                            g = {-1: alpha}; g.update({l: path[l] for l in range(k + 1)})
                            tot += np.prod([B(g[l], g[l + 1], t - l) for l in range(-1, k)]) * A(g[k], t - k, i, j)
                    rec(name, truth, tot)
for o in range(m):
    for i in range(d):
        for t in range(1, T + 1):
            for j in range(d):
                truth = fd('U', i, j, lambda h_, y_: y_[t, o])
                for N, name in ((n, 'output-u-as-written (refuted expected)'), (d, 'output-u')):
                    rec(name, truth, dy[t, o] * sum(V[o, a] * closed(a, t, i, j, N, AU) for a in range(d)))
            for j in range(n):
                truth = fd('W', i, j, lambda h_, y_: y_[t, o])
                for N, name in ((n, 'output-w-as-written (refuted expected)'), (d, 'output-w')):
                    rec(name, truth, dy[t, o] * sum(V[o, a] * closed(a, t, i, j, N) for a in range(d)))
            # first step, u: all zero since h_0 = 0
            for j in range(d):
                if t == 1:
                    rec('first-step-u-chain (0 = 0)', fd('U', i, j, lambda h_, y_: y_[1, o]) + 1.0, dy[1, o] * V[o, i] * dh[1, i] * h[0, j] + 1.0)
for i in range(m):
    for j in range(d):
        truth = fd('V', i, j, lambda h_, y_: y_[2, i])
        rec('second-step-v-as-written (refuted expected)', truth, h[2, j])
        rec('second-step-v', truth, dy[2, i] * h[2, j])
for k_ in range(m):
    for i in range(d):
        for j in range(n):
            via_u = dy[2, k_] * sum(V[k_, a] * fd('U', i, j, lambda h_, y_: h_[2, a]) for a in range(d))
            rec('second-step-y-u-as-labeled (refuted expected)', fd('W', i, j, lambda h_, y_: y_[2, k_]), via_u)
            rec('second-step-y-u', fd('U', i, j, lambda h_, y_: y_[2, k_]), via_u)
        for t in range(1, T + 1):
            for j in range(n):
                rec('general-y-w', fd('W', i, j, lambda h_, y_: y_[t, k_]),
                    dy[t, k_] * sum(V[k_, a] * fd('W', i, j, lambda h_, y_: h_[t, a]) for a in range(d)))
for k, v in worst.items(): print(f'{k:55s} worst relative difference {v:.1e}')
