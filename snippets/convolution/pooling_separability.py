"""Binary features pooled over P locations: average pooling separates two
classes better as P grows (as sqrt(P)); max pooling's separation peaks and then
collapses as the max saturates. At equal P, max pooling wins over a range of P
when the feature's rates in the two classes are far apart (100x), not when they
are a factor 2 apart, dense or sparse.

The model of Boureau, Ponce & LeCun 2010, "A Theoretical Analysis of Feature
Pooling in Visual Recognition", ICML (a feature present at each of P
locations with probability alpha_c in class c; pooled by mean or max), with
the separation measured as the distance of the class means over the sum of
their standard deviations. Closed forms, checked by sampling.
"""

import os

import torch

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
POOL_SIZES = [2**k for k in range(13)]  # P = 1 .. 4096
CASES = {  # name: (alpha in class 1, alpha in class 2)
    "ratio 2, dense": (0.4, 0.2),
    "ratio 2, sparse": (0.01, 0.005),
    "ratio 100, dense": (0.4, 0.004),
    "ratio 100, sparse": (0.01, 0.0001),
}


# --8<-- [start:separation]
def mean_std(alpha: float, pool: int, how: str) -> tuple[float, float]:
    """Mean and standard deviation of the pooled feature."""
    if how == "avg":  # a binomial count over P
        return alpha, (alpha * (1 - alpha) / pool) ** 0.5
    present = 1 - (1 - alpha) ** pool  # max = 1 if present anywhere
    return present, (present * (1 - present)) ** 0.5


def separation(a1: float, a2: float, pool: int, how: str) -> float:
    (m1, s1), (m2, s2) = mean_std(a1, pool, how), mean_std(a2, pool, how)
    return abs(m1 - m2) / (s1 + s2) if s1 + s2 > 0 else 0.0


# --8<-- [end:separation]


def sampled(a1, a2, pool, how, draws, gen) -> float:
    """The same separation, estimated from sampled binary features."""
    pooled = []
    for a in (a1, a2):
        v = torch.rand(draws, pool, generator=gen) < a
        pooled.append(v.double().mean(1) if how == "avg" else v.any(1).double())
    (x1, x2) = pooled
    return ((x1.mean() - x2.mean()).abs() / (x1.std() + x2.std())).item()


def main() -> None:
    gen = torch.Generator().manual_seed(SEED)
    checks = [("ratio 2, dense", 16, "avg"), ("ratio 2, dense", 4, "max")]
    checks += [("ratio 2, sparse", 64, "max"), ("ratio 100, dense", 4, "max")]
    checks += [("ratio 100, sparse", 256, "max")]
    checks += [("ratio 100, sparse", 256, "avg")]
    for name, pool, how in checks:  # the closed forms against sampling
        exact = separation(*CASES[name], pool, how)
        estimate = sampled(*CASES[name], pool, how, 100_000, gen)
        # 5%: about five standard errors of the estimate at 100,000 draws
        assert abs(estimate - exact) < 0.05 * exact, (name, pool, how)

    # --8<-- [start:compare]
    best_pool, wins, best = {}, {}, {}
    for name, (a1, a2) in CASES.items():
        avg = [separation(a1, a2, p, "avg") for p in POOL_SIZES]
        mx = [separation(a1, a2, p, "max") for p in POOL_SIZES]
        # the closed form for average pooling is sqrt(P) times its P = 1 value
        for p, s in zip(POOL_SIZES, avg):
            assert abs(s - p**0.5 * avg[0]) < 1e-9 * s, (
                f"average pooling's separation grows as sqrt(P): {name}, {p}"
            )
        # max pooling: rises to a peak, then falls as both maxima saturate
        peak = max(range(len(mx)), key=mx.__getitem__)
        assert 0 < peak < len(mx) - 1 and mx[-1] < 0.5 * mx[peak], (
            f"max pooling's separation peaks, then falls: {name}"
        )
        best_pool[name] = POOL_SIZES[peak]
        best[name] = (max(mx), max(avg))  # avg's best: the largest pool
        wins[name] = [  # P = 1 is no pooling: both are the feature itself
            p for p, a, m in zip(POOL_SIZES, avg, mx) if p > 1 and m > a
        ]
        print(f"{name}, best P for max pooling: {POOL_SIZES[peak]}")
        if wins[name]:
            print(
                f"{name}, max beats average from P = "
                f"{wins[name][0]} to {wins[name][-1]}"
            )
    # --8<-- [end:compare]

    assert not wins["ratio 2, dense"] and not wins["ratio 2, sparse"], (
        f"with rates a factor 2 apart, average wins at every P: {wins}"
    )
    for name in ("ratio 100, dense", "ratio 100, sparse"):
        first = POOL_SIZES.index(wins[name][0]) if wins[name] else 0
        run = POOL_SIZES[first : first + len(wins[name])]
        assert wins[name] == run and len(run) >= 2, (  # consecutive sizes
            f"with rates far apart, max wins over a range of P: {wins}"
        )
    assert best_pool["ratio 2, dense"] < best_pool["ratio 2, sparse"], (
        f"the sparser the feature, the larger max pooling's best P: {best_pool}"
    )
    top_max, top_avg = best["ratio 100, sparse"]
    assert top_avg > top_max, (
        f"a large enough average pool beats max pooling's best: {best}"
    )
    print(f"ratio 100, sparse, best separation, max pooling: {top_max:.2f}")
    print(
        f"ratio 100, sparse, separation, average over P = "
        f"{POOL_SIZES[-1]}: {top_avg:.2f}"
    )


if __name__ == "__main__":
    main()
