"""Global average pooling passes gradient to every position of a feature map,
equally; global max pooling passes it to one position per channel, the
largest. So with an average every part of an object that raises the map
gets trained, with a maximum only the strongest.

Lin, Chen & Yan 2014, "Network In Network", ICLR, Section 3.2 (global average
pooling); Zhou, Khosla, Lapedriza, Oliva & Torralba 2016, "Learning Deep
Features for Discriminative Localization", CVPR (average versus max pooling).
"""

import os

import torch

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    # --8<-- [start:gradients]
    maps = torch.randn(1, 8, 6, 6, device=device)  # 8 channels of 6x6
    grads = {}
    for name, pool in {
        "average": lambda m: m.mean(dim=(2, 3)),
        "max": lambda m: m.amax(dim=(2, 3)),
    }.items():
        m = maps.clone().requires_grad_(True)
        pool(m).sum().backward()  # one score per channel
        grads[name] = m.grad[0]  # (8, 6, 6)
    reached = {name: (g != 0).sum((1, 2)) for name, g in grads.items()}
    # --8<-- [end:gradients]
    assert (reached["average"] == 36).all(), "the average reaches all 36"
    share = torch.full_like(grads["average"], 1 / 36)
    assert torch.allclose(grads["average"], share), "each with the same share"
    assert (reached["max"] == 1).all(), "the maximum reaches one position"
    strongest = maps[0].flatten(1).argmax(1)
    assert torch.equal(grads["max"].flatten(1).argmax(1), strongest), (
        "the largest one"
    )
    for name, counts in reached.items():
        print(
            f"positions per 6x6 channel that get gradient, {name} pooling: "
            f"{int(counts.min())} to {int(counts.max())}"
        )


if __name__ == "__main__":
    main()
