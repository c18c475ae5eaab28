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
    # BEGIN SOLUTION (starter: return (pred - target).abs().mean())
    z = (pred - target).abs()
    quadratic = 0.5 * z**2 / beta  # below beta: like L2, scaled to meet
    linear = z - 0.5 * beta  # above beta: like L1, shifted to meet
    return torch.where(z < beta, quadratic, linear).mean()
    # END SOLUTION


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
