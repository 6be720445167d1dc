"""Hand-written numpy BPTT baseline for `npm run bench` (bench/numpy-baseline.mjs).

The same claim gradproof checks as the lab's eq. (1): for every lag k = 1..T,

    grad(L, h[T-k]) = prod(i, 1, k, W' * diag(1 - h[T-k+i].^2)) * grad(L, h[T])

on a tanh RNN h[t] = tanh(W h[t-1] + U x[t] + b), L = sum(c .* h[T]) + 0.5 sum(h[T].^2).
Per instance: draw the values (W scaled to a spectral norm, as gradproof's regimes do), run the forward pass,
one reverse (BPTT) sweep for the left side at every lag, the ordered product applied to grad(L, h[T]) lag by
lag for the right side, and the norm-scaled relative error at every lag against 1e-9. What a person checking
the identity by hand in numpy would write; none of gradproof's cross-checks (dual numbers, finite differences,
symbolic forms) are done here.

Prints one JSON line: per-instance times (CPU and wall), the whole process's CPU time and peak RSS.
Run with OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 (the bench sets them): one thread, as node runs.
"""

import json
import resource
import sys
import time

import numpy as np

REGIMES = [  # (spectral norm of W, input-weight gain, bias sd): gradproof's four regimes
    (0.5, 1.0, 0.1),
    (1.0, 1.0, 0.1),
    (1.5, 1.0, 0.1),
    (1.0, 4.0, 2.0),
]


def instance(rng, j, d, m, T):
    norm, gain, bias_sd = REGIMES[j % len(REGIMES)]
    W = rng.standard_normal((d, d)) / np.sqrt(d)
    W *= norm / np.linalg.norm(W, 2)
    U = rng.standard_normal((d, m)) * (gain / np.sqrt(m))
    b = rng.standard_normal(d) * bias_sd
    c = rng.standard_normal(d)
    x = rng.standard_normal((T + 1, m))
    h0 = rng.standard_normal(d) * 0.5
    return W, U, b, c, x, h0


def check(W, U, b, c, x, h0, T, tol=1e-9):
    d = W.shape[0]
    h = np.empty((T + 1, d))
    h[0] = h0
    for t in range(1, T + 1):
        h[t] = np.tanh(W @ h[t - 1] + U @ x[t] + b)
    gT = c + h[T]  # grad(L, h[T])
    dact = 1.0 - h * h  # tanh'(z_t) from the stored h_t
    # Left side: one reverse sweep, grad(L, h[t-1]) = W' (dact_t .* grad(L, h[t])), every lag at once.
    lhs = np.empty((T + 1, d))
    lhs[T] = gT
    for t in range(T, 0, -1):
        lhs[t - 1] = W.T @ (dact[t] * lhs[t])
    # Right side: the ordered product for lag k applied to grad(L, h[T]); lag k extends lag k-1 by the factor
    # next to the product's left end, W' diag(dact[T-k+1]).
    worst = 0.0
    agreed = 0
    r = gT
    for k in range(1, T + 1):
        r = W.T @ (dact[T - k + 1] * r)
        a = lhs[T - k]
        scale = max(np.linalg.norm(a), np.linalg.norm(r))
        err = 0.0 if scale == 0 else np.linalg.norm(a - r) / scale
        worst = max(worst, err)
        agreed += err <= tol
    return agreed, worst


def main():
    T, d, m, instances, rounds = (int(a) for a in sys.argv[1:6])
    rng = np.random.default_rng(20261120)
    per_instance_cpu = []
    per_instance_wall = []
    points = agreed = 0
    worst = 0.0
    for _ in range(rounds):
        c0, w0 = time.process_time(), time.perf_counter()
        for j in range(instances):
            a, w = check(*instance(rng, j, d, m, T), T)
            points += T
            agreed += a
            worst = max(worst, w)
        per_instance_cpu.append((time.process_time() - c0) * 1000 / instances)
        per_instance_wall.append((time.perf_counter() - w0) * 1000 / instances)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "numpy": np.__version__,
                "python": sys.version.split()[0],
                "perInstanceCpuMs": per_instance_cpu,
                "perInstanceWallMs": per_instance_wall,
                "processCpuMs": (usage.ru_utime + usage.ru_stime) * 1000,
                "maxRssKiB": usage.ru_maxrss,
                "points": points,
                "agreed": int(agreed),
                "worstRelError": worst,
            }
        )
    )


if __name__ == "__main__":
    main()
