# smooth_l1_beta.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/localization/exercises/smooth_l1_beta.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python smooth_l1_beta_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "19770866da467ff88af421720f30d17afb7b105872472594953d11c346333bb9", "sources": {"snippets/localization/exercises/smooth_l1_beta.py": "0b02234d40c972b2ead5fece35f32cf8d26eabac1e0699a3e8abd8c2d72e5c1d"}}


# --- the exercise, with the solution removed: snippets/localization/exercises/smooth_l1_beta.py ---
"""Exercise: smooth L1 with a transition point beta equals F.smooth_l1_loss,
and its gradient per coordinate never exceeds 1, however far off the box is.

Girshick 2015, "Fast R-CNN", Section 2.3, Eq. 3 (beta = 1); PyTorch
documentation, "SmoothL1Loss" (0.5 z^2 / beta below beta, |z| - 0.5 beta above;
HuberLoss with delta = beta is beta times it).
"""

import torch
import torch.nn.functional as F


def smooth_l1(pred: torch.Tensor, target: torch.Tensor, beta: float = 1.0):
    """Mean over all elements of smooth L1 of pred - target, beta > 0."""
    # TODO: your answer here (see the exercise on the page)
    return (pred - target).abs().mean()


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    pred = torch.randn(64, 4, device=device) * 2  # errors on both sides
    target = torch.randn(64, 4, device=device)

    # the checks a learner's answer must pass
    for beta in (1.0, 0.5, 2.0):
        ours = smooth_l1(pred, target, beta)
        theirs = F.smooth_l1_loss(pred, target, beta=beta)
        assert torch.allclose(ours, theirs, atol=1e-6), (
            f"equals F.smooth_l1_loss at beta={beta}"
        )
        huber = F.huber_loss(pred, target, delta=beta)
        assert torch.allclose(beta * ours, huber, atol=1e-6), (
            "beta * smooth L1 equals F.huber_loss(delta=beta)"
        )
    # one coordinate, error 0.2 or 5: the gradient of a sum of 1 element
    grads = []
    for error in (0.2, 5.0):
        p = torch.tensor([error], device=device, requires_grad=True)
        smooth_l1(p, torch.zeros(1, device=device)).backward()
        grads.append(p.grad.item())
    assert abs(grads[0] - 0.2) < 1e-6, "below beta the gradient is the error"
    assert abs(grads[1] - 1.0) < 1e-6, "above beta the gradient is capped at 1"
    one = smooth_l1(pred, target)
    print(
        f"smooth L1 (beta=1), ours / F.smooth_l1_loss: {float(one):.4f} / "
        f"{float(F.smooth_l1_loss(pred, target)):.4f}"
    )
    print(f"gradient at error 0.2 / 5: {grads[0]:.3f} / {grads[1]:.3f}")


if __name__ == "__main__":
    main()
