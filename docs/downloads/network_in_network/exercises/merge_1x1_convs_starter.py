# merge_1x1_convs.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/network_in_network/exercises/merge_1x1_convs.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python merge_1x1_convs_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "8347ccc8a6704f2d02d765cc420c1d9a09dedb2ded510677d1acb3ec05c054de", "sources": {"snippets/network_in_network/exercises/merge_1x1_convs.py": "55f0c77fd2c317f77f7cc20cddf703810e8cdc0b4ccff06dbefa23ecb05d6344"}}


# --- the exercise, with the solution removed: snippets/network_in_network/exercises/merge_1x1_convs.py ---
"""Exercise: two 1x1 convolutions with nothing between them are one 1x1
convolution; the ReLU between them is what makes mlpconv more than that.

A 1x1 convolution is the linear map y = W x + b at every pixel (Lin et al. 2014,
"Network In Network", Section 3.1, "cross channel parametric pooling"), and two
linear maps compose to one: W_b (W_a x + b_a) + b_b.
"""

import torch
from torch import nn


@torch.no_grad()
def merge_1x1(a: nn.Conv2d, b: nn.Conv2d) -> nn.Conv2d:
    """One 1x1 convolution equal to b(a(x))."""
    c_in, c_out = a.in_channels, b.out_channels
    # TODO: your answer here (see the exercise on the page)
    return nn.Conv2d(c_in, c_out, 1).to(a.weight)


def n_params(*modules: nn.Module) -> int:
    return sum(p.numel() for m in modules for p in m.parameters())


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    opts = dict(dtype=torch.float64, device=device)
    a = nn.Conv2d(16, 64, 1).to(**opts)
    b = nn.Conv2d(64, 8, 1).to(**opts)
    x = torch.randn(2, 16, 5, 5, **opts)
    merged = merge_1x1(a, b)
    with torch.no_grad():
        ours, theirs = merged(x), b(a(x))
        with_relu = b(torch.relu(a(x)))
    assert merged.kernel_size == (1, 1), "the merged layer is a 1x1 convolution"
    assert ours.shape == theirs.shape, "from 16 to 8 channels"
    assert torch.allclose(ours, theirs, atol=1e-10), (
        "the merged convolution equals the two in a row"
    )
    assert not torch.allclose(merged(x), with_relu, atol=1e-3), (
        "with a ReLU between them the two layers are not one"
    )
    print("parameters, two 1x1 convolutions:", n_params(a, b))
    print("parameters, merged:", n_params(merged))


if __name__ == "__main__":
    main()
