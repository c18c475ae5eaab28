"""A Deconvolutional Network infers sparse feature maps z_k that rebuild the
image as sum_k f_k * z_k by optimisation (ISTA), not by a forward pass.

Zeiler, Krishnan, Taylor & Fergus 2010, "Deconvolutional Networks" (CVPR):
convolutional sparse coding, where "deconvolution" comes from; ISTA: Beck &
Teboulle 2009, "A Fast Iterative Shrinkage-Thresholding Algorithm for Linear
Inverse Problems" (SIAM J. Imaging Sciences). Data: scikit-learn's digits.
"""

import math
import os

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it
LAM, STEPS = 0.05, 300  # the L1 weight; ISTA iterations


# --8<-- [start:filters]
def gabor_bank(size: int = 5, orientations: int = 4) -> torch.Tensor:
    """Fixed oriented filters, cosine and sine phase: (1, K, size, size)."""
    r = torch.arange(size, dtype=torch.float64) - size // 2
    yy, xx = torch.meshgrid(r, r, indexing="ij")
    filters = []
    for i in range(orientations):
        theta = math.pi * i / orientations
        u = xx * math.cos(theta) + yy * math.sin(theta)  # across the stripes
        envelope = torch.exp(-(xx**2 + yy**2) / 4.0)
        for phase in (0.0, math.pi / 2):
            filters.append(envelope * torch.cos(1.5 * u + phase))
    bank = torch.stack(filters)  # (K, size, size)
    bank = bank / bank.flatten(1).norm(dim=1)[:, None, None]  # unit norm
    return bank.unsqueeze(0)


# --8<-- [end:filters]


# --8<-- [start:model]
def synthesize(z, f):
    # sum_k f_k * z_k: maps (N, K, 12, 12), filters (1, K, 5, 5) -> (N, 1, 8, 8)
    return F.conv2d(z, f)


def adjoint(r, f):
    # the transpose of synthesize: (N, 1, 8, 8) -> (N, K, 12, 12)
    return F.conv_transpose2d(r, f)


def soft_threshold(v, t):
    return torch.sign(v) * torch.clamp(v.abs() - t, min=0.0)


def objective(z, f, x, lam):
    residual = synthesize(z, f) - x
    return 0.5 * residual.pow(2).sum() + lam * z.abs().sum()


# --8<-- [end:model]


# --8<-- [start:ista]
def ista(x, f, lam, steps, z=None):
    """min_z 0.5 ||sum_k f_k * z_k - x||^2 + lam ||z||_1, from z (default 0)."""
    step = 1.0 / lipschitz(f, x.shape)  # 1 / ||D||^2: each step descends
    if z is None:
        z = torch.zeros_like(adjoint(x, f))  # (N, K, 12, 12)
    history = []
    for _ in range(steps):
        grad = adjoint(synthesize(z, f) - x, f)  # a transposed convolution
        z = soft_threshold(z - step * grad, step * lam)  # exact zeros
        history.append(objective(z, f, x, lam).item())
    return z, history


def lipschitz(f, shape, iters=50):
    # the largest eigenvalue of D^T D, by power iteration
    z = torch.ones_like(
        adjoint(torch.zeros(shape, dtype=f.dtype, device=f.device), f)
    )
    for _ in range(iters):
        z = adjoint(synthesize(z, f), f)
        z = z / z.norm()
    return (adjoint(synthesize(z, f), f) * z).sum().item()


# --8<-- [end:ista]


def relative_error(z, f, x):
    return ((synthesize(z, f) - x).norm() / x.norm()).item()


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    digits = load_digits()
    x = torch.tensor(digits.images[:16] / 16.0, device=device)  # float64
    x = x.unsqueeze(1)  # (16, 1, 8, 8)
    f = gabor_bank().to(device)  # (1, 8, 5, 5)

    # the from-scratch parts agree with PyTorch
    v = torch.randn(1000, dtype=torch.float64, device=device)
    torch.testing.assert_close(soft_threshold(v, 0.3), F.softshrink(v, 0.3))
    z_rand = torch.randn(16, 8, 12, 12, dtype=torch.float64, device=device)
    r_rand = torch.randn_like(x)
    torch.testing.assert_close(  # <D z, r> = <z, D^T r>
        (synthesize(z_rand, f) * r_rand).sum(),
        (z_rand * adjoint(r_rand, f)).sum(),
    )

    z, history = ista(x, f, LAM, STEPS)
    z0, _ = ista(x, f, 0.0, STEPS)  # no penalty: least squares
    forward = adjoint(x, f)  # a forward pass: correlate the image with f
    rebuilt = synthesize(forward, f)
    scale = (rebuilt * x).sum() / rebuilt.pow(2).sum()  # best rescaling

    zeros = (z == 0).double().mean().item()
    zeros0 = (z0 == 0).double().mean().item()
    zeros_fw = (forward == 0).double().mean().item()
    err, err0 = relative_error(z, f, x), relative_error(z0, f, x)
    err_fw = relative_error(scale * forward, f, x)

    # ISTA with step 1/L never increases the objective
    assert all(b <= a + 1e-9 for a, b in zip(history, history[1:]))
    assert zeros > 0.8, f"most of z is exactly zero: {zeros:.3f}"
    assert err < 0.25, f"the sparse maps rebuild the digits: {err:.3f}"
    assert err_fw > 2 * err, (err_fw, err)  # a forward pass does not

    print(f"image: {tuple(x.shape)}, feature maps z: {tuple(z.shape)}")
    print(f"coefficients per image: {z[0].numel()} for {x[0].numel()} pixels")
    print(f"lambda {LAM}, relative reconstruction error: {err:.3f}")
    print(f"lambda {LAM}, fraction of z exactly zero: {zeros:.3f}")
    nonzero = (z != 0).sum().item() / len(x)
    print(f"lambda {LAM}, nonzero coefficients per image: {nonzero:.1f}")
    print(f"lambda 0, relative reconstruction error: {err0:.3f}")
    print(f"lambda 0, fraction of z exactly zero: {zeros0:.3f}")
    print(f"forward pass, relative reconstruction error: {err_fw:.3f}")
    print(f"forward pass, fraction of z exactly zero: {zeros_fw:.3f}")


if __name__ == "__main__":
    main()
