"""PCA colour augmentation moves each image's colour along RGB principal axes.

Krizhevsky, Sutskever & Hinton 2012, "ImageNet Classification with Deep
Convolutional Neural Networks", NeurIPS, Section 4.1 (the second form of
data augmentation: PCA on the RGB pixel values of the training set; add
[p1, p2, p3][a1 l1, a2 l2, a3 l3]^T with a_i ~ N(0, 0.1^2) to every pixel).
"""

import os

import torch
from sklearn.decomposition import PCA

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def coloured_images(n: int, size: int, g: torch.Generator) -> torch.Tensor:
    """(n, 3, size, size): a random brightness pattern times a random tint."""
    bright = torch.rand(n, 1, size // 4, size // 4, generator=g)
    bright = torch.nn.functional.interpolate(bright, size=size, mode="bilinear")
    tint = torch.tensor([0.8, 0.6, 0.4]) + 0.1 * torch.randn(n, 3, generator=g)
    noise = 0.02 * torch.randn(n, 3, size, size, generator=g)
    return bright * tint[:, :, None, None] + noise


# --8<-- [start:pca]
def rgb_pca(images: torch.Tensor):
    """Eigenvalues (3,), descending, and eigenvectors (3, 3) as columns of the
    covariance of all RGB pixel values of the training set."""
    pixels = images.permute(0, 2, 3, 1).reshape(-1, 3).double()  # (N*H*W, 3)
    cov = torch.cov(pixels.T)  # (3, 3)
    lam, p = torch.linalg.eigh(cov)  # ascending
    return lam.flip(0), p.flip(1)


def pca_colour(x, lam, p, std=0.1, generator=None):
    """Add p @ (alpha * lam) to every pixel; one alpha ~ N(0, std^2) per
    image and component, drawn afresh each time the image is used."""
    alpha = std * torch.randn(len(x), 3, generator=generator, dtype=lam.dtype)
    shift = (alpha * lam) @ p.T  # (N, 3): one RGB offset per image
    return x + shift[:, :, None, None].to(x.dtype), shift


# --8<-- [end:pca]


def main() -> None:
    torch.manual_seed(SEED)
    g = torch.Generator().manual_seed(SEED)
    train = coloured_images(200, 16, g)
    lam, p = rgb_pca(train)
    # --8<-- [start:check]
    ref = PCA(n_components=3).fit(train.permute(0, 2, 3, 1).reshape(-1, 3))
    ref_lam, ref_p = (
        torch.from_numpy(a)
        for a in (ref.explained_variance_, ref.components_.T)
    )
    assert torch.allclose(lam, ref_lam), "eigenvalues equal scikit-learn's PCA"
    sign = torch.sign((p * ref_p).sum(0))  # an eigenvector's sign is arbitrary
    assert torch.allclose(p * sign, ref_p), "eigenvectors equal scikit-learn's"
    x_aug, shift = pca_colour(train[:4], lam, p, generator=g)
    moved = (x_aug - train[:4]).double()
    assert torch.allclose(moved, shift[:, :, None, None], atol=1e-6), (
        "every pixel of an image moves by the same offset"
    )
    # over many draws the offsets have covariance p diag(0.1^2 lam^2) p^T:
    # colours move most along the direction in which pixels already vary most
    _, shifts = pca_colour(torch.zeros(20_000, 3, 1, 1), lam, p, generator=g)
    along = shifts @ p  # (draws, 3): the offset in principal coordinates
    expected = 0.1 * lam  # standard deviation along each component
    assert torch.allclose(along.std(0), expected, rtol=0.03, atol=0), (
        f"the offset's std along component i is 0.1 lambda_i {along.std(0)}"
    )
    share = along[:, 0].var() / along.var(0).sum()
    pc1, pixel_share = p[:, 0] * sign[0], float(lam[0] / lam.sum())
    assert (pc1 > 0).all(), (
        f"the first component is a brightness direction {pc1}"
    )
    assert share > pixel_share, (
        "the shifts are more concentrated than the pixels"
    )
    assert share > 0.9, f"the first component carries the shift {share}"
    # --8<-- [end:check]
    print("eigenvalues and eigenvectors equal sklearn's PCA: True")
    for c, v in zip("RGB", pc1.tolist()):
        print(f"first principal component, {c}: {v:.2f} ±0.02")
    print(f"pixel variance on the first component: {pixel_share:.2f} ±0.03")
    print(f"colour shift variance on the first component: {share:.3f} ±0.005")


if __name__ == "__main__":
    main()
