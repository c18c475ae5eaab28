"""In AlexNet and VGG-16 the fully connected layers hold most of the parameters
but do almost none of the multiply-adds.

Krizhevsky et al. 2012, NIPS, section 3.5 and section 4 (overfitting: "60
million parameters"); Simonyan & Zisserman 2015, ICLR, section 2.1 and Table 2.
"""

import os

import torch

from alexnet_counts import alexnet
from layer_counts import measure
from vgg_counts import CONFIGS, vgg

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    with torch.device("meta"):
        nets = {
            "AlexNet": (alexnet(), (3, 227, 227)),
            "VGG-16": (vgg(CONFIGS["D"]), (3, 224, 224)),
        }
    # --8<-- [start:share]
    for name, (model, in_shape) in nets.items():
        rows = measure(model, in_shape)
        fc = [r for r in rows if len(r["shape"]) == 1]  # (n_out,) rows
        params = sum(r["params"] for r in rows)
        p_share = sum(r["params"] for r in fc) / params
        m_share = sum(r["macs"] for r in fc) / sum(r["macs"] for r in rows)
        first = fc[0]["params"] / params
        assert p_share > 0.85 and m_share < 0.1, (
            f"the FC layers hold most of the parameters and do few of the "
            f"multiply-adds: {name} {p_share} {m_share}"
        )
        assert first > 0.5, (
            f"the first FC layer alone holds most of the parameters: {name}"
        )
        shares = {
            "the parameters in the FC layers": p_share,
            "the multiply-adds in the FC layers": m_share,
            "the parameters in the first FC layer": first,
        }
        for what, share in shares.items():
            print(f"{name}, share of {what}: {share:.1%}")
    # --8<-- [end:share]


if __name__ == "__main__":
    main()
