"""Sentences about a run, and what binds them to it.

A sentence on a page that states a result of a run (a number, a count of seeds, a number of epochs, a
comparison) must not be typed by hand: the run changes, the sentence would not. It is bound when

- its numbers come from the record: `{{ value TOPIC/NAME "LABEL" }}` or `{{ spread ... }}`, or
- its claim is asserted for every seed: `{{ asserted TOPIC/NAME "MESSAGE" }}` names an `assert` of
  the snippet whose message contains MESSAGE (the build fails when no such assert exists), and renders
  as a small mark that says so.

`unbound(markdown)` lists the sentences that state a result of a run without either; the tests fail on
them. It reads prose only: code, math, quotations, tables' code and the directives themselves are
left out. A number from a paper is not a run's: a sentence that cites its source (a section, a table,
"et al.", a year) is not counted as one.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from kb import filecache

# What makes a sentence speak of a run of ours.
RUN_WORDS = re.compile(
    r"\b(seeds?|epochs?|runs?|trained|training|the snippet|snippets?|prints?|printed|"
    r"the experiment|the model|the network|the decoder|the detector|learns?|learned|"
    r"accuracy|loss|IoU|AP)\b",
    re.I,
)
# A number after these words is a setting or a threshold, not a result.
SETTING = (
    r"(?<!rate )(?<!rates )(?<!momentum )(?<!threshold )(?<!IoU )(?<!= )(?<!least )(?<!most )"
    r"(?<!above )(?<!below )(?<!than )(?<!by )(?<!to )(?<!of up to )(?<!p )(?<!at )(?<!as )"
    r"(?<!@)(?<!rates, )(?<!and )"
)
NUMBER_WORD = (
    r"(\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty)"
)
# What states a result: counts of seeds or runs, numbers of passes, measured numbers, ratios.
RESULTS = [
    (
        "a count of seeds or runs",
        re.compile(
            r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+(of|out of)\s+"
            r"(the\s+)?(\d+|two|three|four|five|six|seven|eight|nine|ten)\s*(seeds|runs)\b",
            re.I,
        ),
    ),
    (
        "a claim about every seed or run",
        re.compile(
            r"\b(all|most|none|some|every|each|no|both|many|few)\s+(of\s+the\s+)?"
            r"(\w+\s+)?(seeds?|runs?)\b",
            re.I,
        ),
    ),
    (
        "a number of epochs, passes or steps",
        re.compile(
            r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty|hundred)\s+"
            r"(epochs?|passes|steps|iterations)\b",
            re.I,
        ),
    ),
    (
        "a claim about what the snippet asserts",
        re.compile(r"\b(snippet|it|code)\s+(also\s+)?(asserts|checks)\b", re.I),
    ),
    (
        "a measured number",
        re.compile(SETTING + r"(?<![\w.=@])\d*\.\d+(?![\w.])(?!\s*threshold)"),
    ),
    (
        "a verdict on seed noise (`{{ difference }}` prints it)",
        re.compile(
            r"\bwithin (the )?(seed(-to-seed)? )?noise\b|\b(range|difference) (crosses|reaches) zero\b"
            r"|\bsame sign in every seed\b",
            re.I,
        ),
    ),
    ("a percentage", re.compile(r"\b\d+(\.\d+)?\s?%")),
    (
        "a ratio",
        re.compile(
            rf"\b(\d+(\.\d+)?\s?(x|×)|\d+(\.\d+)?\s+times)\b(?!\s*\d)"
            # in words, only as a comparison: "several times chance", "two to three times larger"
            rf"|\b(several|hundreds of|{NUMBER_WORD} to {NUMBER_WORD})\s+times\s+"
            r"(chance|larger|smaller|faster|slower|more|fewer|higher|lower|as|the)\b",
            re.I,
        ),
    ),
]
# A number of seeds typed by hand ("over five seeds", "5 random seeds", "seeds 0-9", "a five-seed
# mean"): wrong as soon as the seeds are recorded again, in an asserted sentence too.
TYPED_SEEDS = re.compile(
    rf"\b{NUMBER_WORD}\s+((random|training|different|independent|other)\s+)?seeds\b|\b{NUMBER_WORD}-seed\b|\bseeds?\s+(from\s+)?\d+\s*(-|–|to|through)\s*\d+",
    re.I,
)
TYPED_SEEDS_WHAT = "a typed number of seeds (the directives print it)"
CITED = re.compile(
    r"\bet al\b|\breports?\b|\bpaper\b|\bSections? \d|\bTables? \d|\b(Figure|Fig\.) ?\d|\(\d{4}\b|\b(19|20)\d{2}\)|arxiv",
    re.I,
)
BOUND = "\u2983bound\u2984"  # what a directive leaves in a sentence
ASSERTED = "\u2983asserted\u2984"  # what `{{ asserted ... }}` leaves


@dataclass(frozen=True)
class Unbound:
    line: int
    sentence: str
    what: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.what}: {self.sentence!r}"


def prose(markdown: str) -> list[tuple[int, str]]:
    """The page's prose paragraphs with the line each starts on: no code, math, quotations,
    HTML, headings, includes or tables; directives replaced by a marker."""
    lines = markdown.splitlines()
    paragraphs, current, start = [], [], 0
    fence = None
    in_math = False

    def flush():
        nonlocal current
        if current:
            paragraphs.append((start, " ".join(current)))
        current = []

    for number, line in enumerate(lines, 1):
        text = line.strip()
        if fence:
            if text.startswith(fence):
                fence = None
            continue
        if m := re.match(r"(`{3,}|~{3,})", text):
            flush()
            fence = m.group(1)
            continue
        if text.startswith("$$"):
            flush()
            in_math = not (in_math or text.endswith("$$") and len(text) > 2)
            continue
        if in_math:
            continue
        skipped = (
            not text
            or text.startswith(("#", ">", "|", "<", "--8<--", "![", "*[", "[^"))
            or re.match(r"(!!!|\?\?\?\+?)\s+quote", text)
        )
        if skipped:
            flush()
            continue
        if not current:
            start = number
        current.append(text)
    flush()
    return [(n, _clean(p)) for n, p in paragraphs]


def _clean(paragraph: str) -> str:
    paragraph = re.sub(r"\{\{\s*asserted\b.*?\}\}", ASSERTED, paragraph)
    paragraph = re.sub(r"\{\{.*?\}\}", BOUND, paragraph)
    paragraph = re.sub(r"`[^`]*`", "CODE", paragraph)
    paragraph = re.sub(r"\$[^$]+\$", "MATH", paragraph)
    paragraph = re.sub(r"\]\([^)]*\)", "]", paragraph)  # link targets
    paragraph = re.sub(r"\{[:#.][^}]*\}", "", paragraph)  # attribute lists
    paragraph = re.sub(r'^(!!!|\?\?\?\+?)\s+\w+(\s+"[^"]*")?', "", paragraph)
    return paragraph


def sentences(paragraph: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+(?=[A-Z(\"'*_])", paragraph)


def unbound(markdown: str) -> list[Unbound]:
    """Every prose sentence that states a result of a run with no directive binding it."""
    found = []
    for line, paragraph in prose(markdown):
        for sentence in sentences(paragraph):
            if TYPED_SEEDS.search(sentence) and not CITED.search(sentence):
                found.append(Unbound(line, sentence, TYPED_SEEDS_WHAT))
                continue
            if ASSERTED in sentence:
                continue  # its claim is asserted for every seed; see `asserted` below
            if not RUN_WORDS.search(sentence):
                continue
            for what, pattern in RESULTS:
                if what in (
                    "a measured number",
                    "a percentage",
                    "a ratio",
                ) and CITED.search(sentence):
                    continue
                if pattern.search(sentence):
                    found.append(Unbound(line, sentence, what))
                    break
    return found


def assert_messages(path: Path) -> tuple[str, ...]:
    """The messages of a snippet's `assert` statements; an f-string's fields read as {}."""
    # remembered per version of the file, so `mkdocs serve` sees an edited message
    return filecache.cached("asserts", path, _assert_messages)


def _assert_messages(path: Path) -> tuple[str, ...]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    messages = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert) and node.msg is not None:
            messages.append(_text(node.msg))
    return tuple(messages)


def _text(node: ast.expr) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else "{}"
            for part in node.values
        )
    return ""


def asserted(path: Path, message: str) -> str:
    """The mark for a sentence whose claim the snippet at `path` asserts; an error when it does not."""
    if not path.exists():
        raise ValueError(f"{path.as_posix()} does not exist")
    if not any(message in text for text in assert_messages(path)):
        raise ValueError(
            f"no assert in {path.as_posix()} has a message containing {message!r}; assert the "
            "claim there (for every seed) with that message, or bind the sentence with "
            "{{ value }} / {{ spread }}"
        )
    rel = path.as_posix().split("snippets/", 1)[-1]
    title = f"Asserted for every seed by snippets/{rel}: {message}"
    return f'<span class="kb-asserted" title="{_attr(title)}">asserted</span>'


def _attr(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )
