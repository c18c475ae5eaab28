"""Exercise: write the soft-threshold step that makes L1 give exact zeros.

prox_{t|.|}(w) = sign(w) * max(|w| - t, 0) (Parikh & Boyd 2014, "Proximal
Algorithms", Section 6.5.2): every weight moves t towards zero and stops there.
"""

import torch


def soft_threshold(w: torch.Tensor, t: float) -> torch.Tensor:
    # BEGIN SOLUTION (starter: return w.clone())
    return torch.sign(w) * torch.clamp(w.abs() - t, min=0.0)
    # END SOLUTION


def main() -> None:
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    w = torch.tensor([-2.0, -0.3, 0.0, 0.2, 1.5], device=device)
    out = soft_threshold(w, 0.5)
    print("soft_threshold([-2, -0.3, 0, 0.2, 1.5], t=0.5):", out.tolist())

    # the checks a learner's answer must pass
    expected = torch.tensor([-1.5, 0.0, 0.0, 0.0, 1.0], device=device)
    assert torch.equal(out, expected), (
        "the worked example: each weight moves 0.5 to 0"
    )
    big = torch.randn(10_000, device=device)
    zeros = (soft_threshold(big, 0.5) == 0).float().mean().item()
    inside = (big.abs() <= 0.5).float().mean().item()
    assert zeros == inside, "exactly the weights within t of 0 become 0"
    print(f"share of N(0, 1) weights set to exactly 0 at t=0.5: {zeros:.3f}")


if __name__ == "__main__":
    main()
