"""`python -m kb new`: create a snippet or a topic page, in the right place, following the conventions."""

from __future__ import annotations

import re
from pathlib import Path

from kb.paths import ROOT, rel

SNIPPET = '''"""ONE SENTENCE: the claim this snippet checks.

Source: AUTHORS YEAR, "TITLE", section N.
"""
import os

import torch
from torch import nn

SEED = int(os.environ.get("KB_SEED", "0"))  # kb check --seeds N varies it


# --8<-- [start:model]
class Model(nn.Module):
    """What the page shows: the smallest code that makes the point."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(4, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)  # (N, 4) -> (N, 2)
# --8<-- [end:model]


def main() -> None:
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = Model().to(device)
    x = torch.randn(8, 4, device=device)
    y = model(x)
    assert y.shape == (8, 2), y.shape  # the claim, with the actual value shown if it fails
    print(f"output shape: {tuple(y.shape)}")  # `label: value` lines are what the page shows


if __name__ == "__main__":
    main()
'''

PAGE = """# {title}

One paragraph: the idea in plain words, and why it matters.

## The math

$$
y = f(x)
$$

## From scratch

``` py title="snippets/{folder}/example.py"
--8<-- "snippets/{folder}/example.py:model"
```

{{{{ output {folder}/example }}}}

## Pitfalls

!!! warning "A common mistake"

    What goes wrong, and how to avoid it.

## Reading list

{{{{ reading_list }}}}

## Open questions

{{{{ questions }}}}
"""

TRACKING = """topic: {topic}
title: "{title}"
reading: []
questions: []
"""


class ScaffoldError(Exception):
    pass


def _refuse_existing(*paths: Path) -> None:
    existing = [p for p in paths if p.exists()]
    if existing:
        raise ScaffoldError(
            f"{rel(existing[0])} already exists; choose another name."
        )


def new_snippet(name: str, root: Path = ROOT) -> list[Path]:
    if not re.fullmatch(r"[a-z0-9_]+/[a-z0-9_]+", name):
        raise ScaffoldError(
            f"{name!r}: give TOPIC/NAME in lowercase_with_underscores, "
            "e.g. dropout/inverted_dropout"
        )
    path = root / "snippets" / f"{name}.py"
    _refuse_existing(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SNIPPET, encoding="utf-8")
    return [path]


def new_page(topic: str, title: str | None, root: Path = ROOT) -> list[Path]:
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", topic):
        raise ScaffoldError(
            f"{topic!r}: give the topic in lowercase-with-hyphens, e.g. batch-normalization"
        )
    if not title:
        raise ScaffoldError(
            'a page needs a title: python -m kb new page TOPIC "Title"'
        )
    folder = topic.replace("-", "_")
    page = root / "docs" / f"{topic}.md"
    tracking = root / "docs" / "tracking" / f"{topic}.yml"
    snippet = root / "snippets" / folder / "example.py"
    _refuse_existing(page, tracking, snippet)
    tracking.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(PAGE.format(title=title, folder=folder), encoding="utf-8")
    tracking.write_text(
        TRACKING.format(topic=topic, title=title), encoding="utf-8"
    )
    return [page, tracking, *new_snippet(f"{folder}/example", root)]


def create(
    kind: str, name: str, title: str | None = None, root: Path = ROOT
) -> list[Path]:
    return (
        new_snippet(name, root)
        if kind == "snippet"
        else new_page(name, title, root)
    )
