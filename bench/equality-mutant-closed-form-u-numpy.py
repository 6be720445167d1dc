"""The equality mutant closed-form-u with the sum over k ending at t-2 instead of t-1 (the 2023 index-level
file): equivalent on the shipped model only because h_0 = 0. Checked here with a hand-written tanh RNN,
its Jacobians by central finite differences, independently of gradproof."""
import itertools
import numpy as np

rng = np.random.default_rng(7)
d, n, T = 3, 2, 5
W = rng.normal(size=(d, n)) / np.sqrt(n)
U = rng.normal(size=(d, d)) * 0.9 / np.sqrt(d)
b = rng.normal(size=d) * 0.3
X = rng.normal(size=(T + 1, n))


def run(U_, h0):
    hs = [h0]
    for t in range(1, T + 1):
        hs.append(np.tanh(W @ X[t] + U_ @ hs[-1] + b))
    return hs


def closed_form(hs, t, alpha, i, j, last_k):
    """Σ_{k=0}^{last_k} Σ over index paths γ_0 = α, γ_1..γ_k of Π_ℓ B(γ_ℓ, γ_{ℓ+1}, t−ℓ) · AU(γ_k, t−k)."""
    dact = lambda s, g: 1 - hs[s][g] ** 2
    total = 0.0
    for k in range(0, last_k + 1):
        for rest in itertools.product(range(d), repeat=k):
            g = (alpha,) + rest
            p = 1.0
            for l in range(k):
                p *= dact(t - l, g[l]) * U[g[l], g[l + 1]]
            total += p * dact(t - k, g[k]) * (g[k] == i) * hs[t - k - 1][j]
    return total


def fd(h0, t, alpha, i, j, eps=1e-6):
    Up, Um = U.copy(), U.copy()
    Up[i, j] += eps
    Um[i, j] -= eps
    return (run(Up, h0)[t][alpha] - run(Um, h0)[t][alpha]) / (2 * eps)


for label, h0 in [("h_0 = 0 (the shipped model)", np.zeros(d)), ("h_0 ≠ 0", rng.normal(size=d))]:
    hs = run(U, h0)
    worst_full, worst_cut = 0.0, 0.0
    for t in range(1, T + 1):
        for alpha, i, j in itertools.product(range(d), repeat=3):
            ref = fd(h0, t, alpha, i, j)
            worst_full = max(worst_full, abs(closed_form(hs, t, alpha, i, j, t - 1) - ref))
            worst_cut = max(worst_cut, abs(closed_form(hs, t, alpha, i, j, t - 2) - ref))
    print(f"{label}: closed form to t-1 off by {worst_full:.1e}; the mutant (to t-2) off by {worst_cut:.1e}")
