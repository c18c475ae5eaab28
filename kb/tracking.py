"""Tracked reading lists and questions: one YAML file per topic in docs/tracking/, validated by a schema.

A file is the single source of truth for its topic: the topic page, the aggregated "Reading list" and
"Open questions" pages and the counts on the home page are all rendered from it (kb/render.py).
The format, with an example entry to copy, is documented in CONTRIBUTING.md.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal, Optional

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kb.paths import ROOT, rel

# libyaml's parser where installed (PyYAML's wheels ship it): ten times faster than pure Python.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
ReadStatus = Literal["unread", "reading", "read"]
QuestionStatus = Literal["open", "partly answered", "answered"]
Kind = Literal[
    "paper", "blog post", "slides", "book", "video", "quotation", "article"
]
_http_url = TypeAdapter(HttpUrl)


class TrackingError(Exception):
    """A tracking file is malformed. The message names the file, the entry and the fix."""


def _check_url(url: str) -> str:
    # raises a clear "Input should be a valid URL" error
    _http_url.validate_python(url)
    return url  # keep the author's spelling (HttpUrl would normalise it)


Url = Annotated[str, AfterValidator(_check_url)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReadingItem(Strict):
    title: str = Field(min_length=1)
    authors: list[str]
    year: Optional[int] = Field(ge=1900, le=dt.date.today().year + 1)
    kind: Kind
    link: Optional[Url]
    arxiv: Optional[str] = Field(default=None, pattern=r"^\d{4}\.\d{4,5}$")
    doi: Optional[str] = Field(default=None, pattern=r"^10\.\d{4,9}/\S+$")
    status: ReadStatus
    from_notes: bool = False
    slot: bool = (
        False  # an empty slot the notes keep for a source not chosen yet
    )
    notes: Optional[str] = None

    @model_validator(mode="after")
    def _a_source_has_a_link_and_year(self):
        if not self.slot and (
            self.link is None or self.year is None or not self.authors
        ):
            raise ValueError(
                "a source needs authors, a year and a link "
                "(only an empty slot, `slot: true`, may leave them out)"
            )
        return self


class Citation(Strict):
    source: str = Field(min_length=1)
    section: Optional[str] = None
    link: Optional[Url] = None


class Evidence(Strict):
    snippets: list[str] = []
    citations: list[Citation] = []

    @field_validator("snippets")
    @classmethod
    def _snippets_exist(
        cls, paths: list[str], info: ValidationInfo
    ) -> list[str]:
        root = (info.context or {}).get("root", ROOT)
        for path in paths:
            if not path.startswith("snippets/") or not (root / path).is_file():
                raise ValueError(
                    f"evidence snippet {path!r} does not exist; give a path like "
                    "snippets/<topic>/<name>.py of a file in the repository"
                )
        return paths


class Question(Strict):
    id: str = Field(pattern=SLUG)
    question: str = Field(min_length=1)
    status: QuestionStatus
    notes_status: Optional[Literal["solved", "unsolved"]] = None
    student_answer: Optional[str] = None
    answer: Optional[str] = None
    evidence: Evidence = Evidence()

    @model_validator(mode="after")
    def _an_answer_has_evidence(self):
        if self.status != "open" and not self.answer:
            raise ValueError(
                f"a question with status {self.status!r} needs our `answer`"
            )
        if self.status == "answered" and not (
            self.evidence.snippets or self.evidence.citations
        ):
            raise ValueError(
                "an answered question needs evidence: a snippet under "
                "`evidence.snippets` or a paper under `evidence.citations`"
            )
        return self


class Topic(Strict):
    topic: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    reading: list[ReadingItem] = []
    questions: list[Question] = []

    @property
    def page(self) -> str:
        return f"{self.topic}.md"

    def read_count(self) -> tuple[int, int]:
        """(read, total) over real sources; empty slots are not sources yet."""
        sources = [r for r in self.reading if not r.slot]
        return sum(r.status == "read" for r in sources), len(sources)


def _entry(data: dict, loc: tuple) -> str:
    """Name the entry an error location points into, e.g. `questions[2] (id "l2-on-kernels")`."""
    if (
        len(loc) >= 2
        and loc[0] in ("reading", "questions")
        and isinstance(loc[1], int)
    ):
        try:
            item = data[loc[0]][loc[1]]
            key = "id" if loc[0] == "questions" else "title"
            return f"{loc[0]}[{loc[1]}] ({key} {item.get(key)!r})"
        except (KeyError, IndexError, TypeError, AttributeError):
            return f"{loc[0]}[{loc[1]}]"
    return "the top level"


def _describe(path: Path, data: dict, error: ValidationError) -> str:
    lines = [f"{rel(path)} is not a valid tracking file:"]
    for e in error.errors():
        loc = e["loc"]
        field = ".".join(str(p) for p in loc[2:]) or (
            str(loc[0]) if len(loc) == 1 else "entry"
        )
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown field (a typo?)"
        elif e["type"] == "missing":
            msg = "missing; add it"
        lines.append(f"  - {_entry(data, loc)}: {field}: {msg}")
    lines.append(
        "Fix the entry; the format and an example to copy are in CONTRIBUTING.md "
        '("Add a reading item or a question"). Check with: python -m kb tracking'
    )
    return "\n".join(lines)


def load_file(path: Path, root: Path = ROOT) -> Topic:
    try:
        data = yaml.load(
            Path(path).read_text(encoding="utf-8"), Loader=SafeLoader
        )
    except yaml.YAMLError as error:
        raise TrackingError(f"{rel(path)} is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise TrackingError(
            f"{rel(path)} must be a mapping with topic, title, reading and questions."
        )
    try:
        topic = Topic.model_validate(data, context={"root": root})
    except ValidationError as error:
        raise TrackingError(_describe(path, data, error)) from None
    if topic.topic != Path(path).stem:
        raise TrackingError(
            f"{rel(path)}: topic {topic.topic!r} must match the file name; rename "
            f"the file to {topic.topic}.yml or set `topic: {Path(path).stem}`."
        )
    if not (root / "docs" / topic.page).is_file():
        raise TrackingError(
            f"{rel(path)}: topic {topic.topic!r} has no page docs/{topic.page}; "
            f'create it (python -m kb new page {topic.topic} "Title").'
        )
    return topic


def load_all(root: Path = ROOT) -> list[Topic]:
    """Every topic's tracking data, validated, with question ids unique across the site."""
    topics = [
        load_file(p, root)
        for p in sorted((root / "docs" / "tracking").glob("*.yml"))
    ]
    seen: dict[str, str] = {}
    for topic in topics:
        for q in topic.questions:
            if q.id in seen:
                raise TrackingError(
                    f"docs/tracking/{topic.topic}.yml: questions id {q.id!r} is already used in "
                    f"docs/tracking/{seen[q.id]}.yml. Ids are page anchors and must be unique "
                    "site-wide: choose another id."
                )
            seen[q.id] = topic.topic
    return topics
