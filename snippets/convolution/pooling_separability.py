"""Binary features pooled over P locations: average pooling separates two
classes better as P grows (as sqrt(P)); max pooling's separation peaks and then
collapses as the max saturates. Of three cases, max pooling beats average
pooling only in the one where the feature is far rarer in one class.

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
    "dense": (0.4, 0.2),
    "sparse": (0.01, 0.005),
    "rare in one class": (0.01, 0.0001),
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
        v = torch.rand(draws, pool, generator=gen, dtype=torch.float64) < a
        pooled.append(v.double().mean(1) if how == "avg" else v.any(1).double())
    (x1, x2) = pooled
    return ((x1.mean() - x2.mean()).abs() / (x1.std() + x2.std())).item()


def main() -> None:
    gen = torch.Generator().manual_seed(SEED)
    checks = [("dense", 16, "avg"), ("dense", 4, "max"), ("sparse", 64, "max")]
    checks += [
        ("rare in one class", 256, "max"),
        ("rare in one class", 256, "avg"),
    ]
    for name, pool, how in checks:  # the closed forms against sampling
        exact = separation(*CASES[name], pool, how)
        estimate = sampled(*CASES[name], pool, how, 20000, gen)
        assert abs(estimate - exact) < 0.05 * exact, (name, pool, how)

    # --8<-- [start:compare]
    best_pool, wins = {}, {}
    for name, (a1, a2) in CASES.items():
        avg = [separation(a1, a2, p, "avg") for p in POOL_SIZES]
        mx = [separation(a1, a2, p, "max") for p in POOL_SIZES]
        # average pooling: exactly sqrt(P) times its value at P = 1
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
        wins[name] = [  # P = 1 is no pooling: both are the feature itself
            p for p, a, m in zip(POOL_SIZES, avg, mx) if p > 1 and m > a
        ]
        print(f"{name}, best P for max pooling: {POOL_SIZES[peak]}")
        ratio = mx[peak] / avg[peak]
        print(f"{name}, max / average separation at that P: {ratio:.2f}")
    # --8<-- [end:compare]

    assert not wins["dense"] and not wins["sparse"], (
        f"with similar rates in both classes, average always wins: {wins}"
    )
    rare = wins["rare in one class"]
    assert rare, "max wins where the feature is far rarer in one class"
    first = POOL_SIZES.index(rare[0])
    assert rare == POOL_SIZES[first : first + len(rare)], (
        f"max wins over one range of P: {rare}"
    )
    print(
        f"rare in one class, max beats average from P = {rare[0]} to {rare[-1]}"
    )
    assert best_pool["dense"] < best_pool["sparse"], (
        f"the sparser the feature, the larger max pooling's best P: {best_pool}"
    )


if __name__ == "__main__":
    main()
