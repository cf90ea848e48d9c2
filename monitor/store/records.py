"""The plain records the analysis stage reads and writes: no SQLAlchemy here.

The analysis processes receive `PendingArticle`s and return `AnalysisRecord`s (with their
`MentionRecord`s); keeping them apart from the ORM tables lets those processes start without importing
the database layer (`pipeline/analysis_worker.py`). `store.analyses` and `store.tables` use them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict


class MentionRecord(TypedDict):
    """A mention as the analysis stage stores it and the export shows it (offsets into title + text)."""

    target: str
    kind: str
    alias: str
    level: str
    start: int
    end: int
    snippet: str


@dataclass(frozen=True)
class PendingArticle:
    """An article waiting for analysis (text falls back to the feed summary)."""

    id: int
    title: str
    text: str
    source_key: str
    source_weight: float


@dataclass(frozen=True)
class AnalysisRecord:
    """Everything the analysis stage decided about one article."""

    article_id: int
    language: str
    model_version: str
    topic: str | None = None
    topic_score: float | None = None
    topic_reason: str | None = None
    tone: str | None = None
    tone_score: float | None = None
    tone_reason: str | None = None
    flagged: bool = False
    flag_reasons: tuple[str, ...] = ()
    skipped: str | None = None
    mentions: tuple[MentionRecord, ...] = field(default=())
