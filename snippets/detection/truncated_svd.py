"""Fast R-CNN's truncated SVD replaces a u x v fully connected layer by two
layers with t(u + v) weights instead of uv, and its error is the smallest any
rank-t layer can have: the norm of the dropped singular values.

Girshick 2015, "Fast R-CNN" (ICCV), Section 3.1 (Truncated SVD for faster
detection: W ~ U_t S_t V_t^T, the layer replaced by one of weights S_t V_t^T
without biases and one of weights U_t with the original biases, no
non-linearity between them). The error bound is the Eckart-Young theorem
(Eckart & Young 1936): no rank-t matrix is closer to W in Frobenius norm.
"""

import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:factor]
def truncated_svd(fc: nn.Linear, t: int) -> nn.Sequential:
    """fc: y = W x + b with W (u, v) -> two layers, v -> t -> u, no
    non-linearity between them: y ~ U_t (S_t V_t^T x) + b."""
    u, v = fc.weight.shape  # (out, in), as PyTorch stores it
    U, S, Vh = torch.linalg.svd(fc.weight.detach(), full_matrices=False)
    top = S.argsort(descending=True)[:t]  # the t largest singular values
    dd = dict(dtype=fc.weight.dtype, device=fc.weight.device)
    first = nn.Linear(v, t, bias=False, **dd)  # weights S_t V_t^T (t, v)
    second = nn.Linear(t, u, **dd)  # weights U_t (u, t), the original biases
    with torch.no_grad():
        first.weight.copy_(S[top, None] * Vh[top])
        second.weight.copy_(U[:, top])
        second.bias.copy_(fc.bias)
    return nn.Sequential(first, second)


# --8<-- [end:factor]


def random_rank_t(fc: nn.Linear, t: int, gen: torch.Generator) -> nn.Sequential:
    """Another rank-t factorization: W projected on a random t-dimensional
    subspace of the input, W Q Q^T (Q (v, t) orthonormal), the best layer
    within that subspace."""
    u, v = fc.weight.shape
    W = fc.weight.detach()
    dd = dict(dtype=W.dtype, device=W.device)
    Q, _ = torch.linalg.qr(torch.randn(v, t, generator=gen, **dd))
    first, second = nn.Linear(v, t, bias=False, **dd), nn.Linear(t, u, **dd)
    with torch.no_grad():
        first.weight.copy_(Q.T)
        second.weight.copy_(W @ Q)
        second.bias.copy_(fc.bias)
    return nn.Sequential(first, second)


def n_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


def rel_error(W: torch.Tensor, two: nn.Sequential) -> float:
    """||W - W'||_F / ||W||_F for the two layers' product W' (u, v)."""
    return float((W - two[1].weight @ two[0].weight).norm() / W.norm())


@torch.no_grad()  # nothing here trains
def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    gen = torch.Generator(device).manual_seed(SEED)
    dd = dict(dtype=torch.float64, device=device)
    u, v, r = 128, 512, 64  # out, in, rank of the structured part
    # a weight with a decaying spectrum: a random rank-r product whose
    # directions fade by 0.9 each, plus small noise of full rank
    A = torch.randn(u, r, generator=gen, **dd)
    B = torch.randn(r, v, generator=gen, **dd)
    W = (A * 0.9 ** torch.arange(r, **dd)) @ B / v**0.5
    W = W + 0.01 * torch.randn(u, v, generator=gen, **dd)
    fc = nn.Linear(v, u, **dd)
    fc.weight.copy_(W)
    U, S, Vh = torch.linalg.svd(W, full_matrices=False)  # reference, sorted
    x = torch.randn(2000, v, generator=gen, **dd)  # one pooled feature per RoI

    # --8<-- [start:compare]
    err, err_random = {}, {}
    for t in (8, 16, 32, 64):
        two, rnd = truncated_svd(fc, t), random_rank_t(fc, t, gen)
        err[t] = rel_error(W, two)  # ||W - U_t S_t V_t^T||_F / ||W||_F
        err_random[t] = rel_error(W, rnd)
        dropped = float(S[t:].square().sum().sqrt() / W.norm())
        assert n_params(two) == t * (u + v) + u == n_params(rnd), t
        assert err[t] < err_random[t] - 0.01, (
            f"truncated SVD beats a random rank-t projection: "
            f"{err[t]:.4f} vs {err_random[t]:.4f}"
        )
        torch.testing.assert_close(
            err[t], dropped, msg="the error is the dropped singular values"
        )
        W_t = U[:, :t] * S[:t] @ Vh[:t]  # (u, v), rank t
        torch.testing.assert_close(two(x), x @ W_t.T + fc.bias)
    # --8<-- [end:compare]
    ts = sorted(err)
    assert all(err[a] > err[b] for a, b in zip(ts, ts[1:])), (
        f"the error decreases as t grows: {err}"
    )

    print(f"layer u x v: {u} x {v}")
    print(f"parameters, original uv + u: {n_params(fc)}")
    for t in ts:
        print(f"t = {t}, parameters t(u + v) + u: {t * (u + v) + u}")
    for t in ts:
        print(f"t = {t}, relative error, truncated SVD: {err[t]:.4f}")
        print(
            f"t = {t}, relative error, random projection: {err_random[t]:.4f}"
        )
    n_roi, t = x.shape[0], 32  # multiply-adds of this layer, one image
    print(f"RoIs per image: {n_roi}")
    print(f"multiply-adds per image, original: {n_roi * u * v}")
    print(f"multiply-adds per image, t = {t}: {n_roi * t * (u + v)}")
    print(f"multiply-adds, original / factored: {u * v / (t * (u + v)):.1f}")


if __name__ == "__main__":
    main()
