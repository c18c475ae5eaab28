"""In train() a batch-norm output depends on the other samples in the batch; in
eval() it does not.

Ioffe & Szegedy 2015, "Batch Normalization", ICML, Section 3.1: at inference the
normalization uses population statistics: we want "the output to depend only on
the input, deterministically".
"""

import os
import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    bn = nn.BatchNorm2d(4).to(device)
    image = torch.randn(1, 4, 6, 6, device=device)  # one image we follow
    # two batches that both contain it
    batch_a = torch.cat([image, torch.randn(7, 4, 6, 6, device=device)])
    batch_b = torch.cat([image, 5 + 2 * torch.randn(7, 4, 6, 6, device=device)])

    # --8<-- [start:modes]
    bn.train()
    # same image, different batch mates
    out_a, out_b = bn(batch_a)[0], bn(batch_b)[0]
    train_gap = (out_a - out_b).abs().max().item()

    bn.eval()  # use running_mean / running_var
    out_a, out_b = bn(batch_a)[0], bn(batch_b)[0]
    eval_gap = (out_a - out_b).abs().max().item()
    alone = bn(image)[0]  # a batch of one works too
    # --8<-- [end:modes]
    assert train_gap > 1.0, train_gap  # batch statistics leak across samples
    assert eval_gap == 0.0, eval_gap  # fixed statistics: per-sample function
    torch.testing.assert_close(alone, out_a)
    try:
        bn.train()(image[:, :, :1, :1])  # 1 value per channel: no variance
        raised = False
    except ValueError:
        raised = True
    assert raised
    print(
        f"train(): max change of one image's output when its batch mates "
        f"change: {train_gap:.3f}"
    )
    print(
        f"eval(): max change of one image's output when its batch mates "
        f"change: {eval_gap:.3f}"
    )
    print(f"train() on a 1x1 batch of one raises ValueError: {raised}")


if __name__ == "__main__":
    main()
