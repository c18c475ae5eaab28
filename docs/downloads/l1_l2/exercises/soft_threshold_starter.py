# soft_threshold.py: the starter of an exercise of the CNN Knowledge Base that runs on its own.
# Made by `python -m kb downloads` from snippets/l1_l2/exercises/soft_threshold.py of https://github.com/cnn-kb/cnn-knowledge-base;
# edit the snippet, not this file.
#
# Python 3.11 and these packages (torch is the CPU build), in a fresh virtual environment:
#     pip install torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
# then:
#     python soft_threshold_starter.py
#
# Write your answer where it says TODO. The checks below it are the ones the site's
# tests run on the solution: the script stops on a failed assert until your answer is
# right.
#
# kb-download: {"record": "8bd5fb84d9760726ade1fba889ecaf9fe4366d2a95b41d0ed8b5b3896e11ecf5", "sources": {"snippets/l1_l2/exercises/soft_threshold.py": "e51cb25cc02e20e607c1d608538f27e60d5b77c59c3e796dbf516820bb1c478f"}}


# --- the exercise, with the solution removed: snippets/l1_l2/exercises/soft_threshold.py ---
"""Exercise: write the soft-threshold step that makes L1 give exact zeros.

prox_{t|.|}(w) = sign(w) * max(|w| - t, 0) (Parikh & Boyd 2014, "Proximal
Algorithms", Section 6.5.2): every weight moves t towards zero and stops there.
"""

import torch


def soft_threshold(w: torch.Tensor, t: float) -> torch.Tensor:
    # TODO: your answer here (see the exercise on the page)
    return w.clone()


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
