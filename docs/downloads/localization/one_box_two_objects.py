# one_box_two_objects.py: an experiment of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/localization/one_box_two_objects.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python one_box_two_objects.py
#
# kb-download: {"record": "db48067984da7c649c1d1603a01c8659456ef70ad853cb1968800eba3b176f54", "sources": {"snippets/localization/one_box_two_objects.py": "b3fb126b5be0a21d1323a4650d7226b15b48c9faed856b6334b8b17f20ae12c6"}}


# --- the snippet, unchanged: snippets/localization/one_box_two_objects.py ---
"""A one-box regressor trained on images with two objects learns their average,
a box that fits neither.

The squared-error minimizer is the mean of the targets (Bishop 2006, "Pattern
Recognition and Machine Learning", Section 1.5.5); with one object per image
assumed, the network must pick one box.
"""

import os

import torch

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


def iou(a, b):
    wh = (torch.minimum(a[2:], b[2:]) - torch.maximum(a[:2], b[:2])).clamp(
        min=0
    )
    inter = wh.prod()
    area = lambda x: (x[2:] - x[:2]).prod()
    return float(inter / (area(a) + area(b) - inter))


def main() -> None:
    torch.manual_seed(SEED)
    # --8<-- [start:two_objects]
    # the same image shows two squares; either could be "the" label
    left = torch.tensor([2.0, 10.0, 12.0, 20.0])
    right = torch.tensor([20.0, 10.0, 30.0, 20.0])
    box = torch.zeros(4, requires_grad=True)  # one box, one prediction
    opt = torch.optim.SGD([box], lr=0.1)
    for _ in range(200):
        loss = ((box - left) ** 2).sum() + ((box - right) ** 2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    # --8<-- [end:two_objects]
    torch.testing.assert_close(box.detach(), (left + right) / 2)  # the mean
    assert iou(box.detach(), left) < 0.2 and iou(box.detach(), right) < 0.2
    print(f"learned box: {[round(v, 2) for v in box.detach().tolist()]}")
    print(
        f"IoU with the left / right object: {iou(box.detach(), left):.2f}"
        f" / {iou(box.detach(), right):.2f}"
    )


if __name__ == "__main__":
    main()
