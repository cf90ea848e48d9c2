"""A story's aggregates from its articles: who broke it, spread, mentions, topic and tone with reasons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

MAX_REASONS = 10


class Member(Protocol):
    """What aggregation needs of an article (monitor.store.stories.StageArticle fits)."""

    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def source_id(self) -> int: ...
    @property
    def source_name(self) -> str: ...
    @property
    def weight(self) -> float: ...
    @property
    def seen_at(self) -> datetime: ...
    @property
    def flagged(self) -> bool: ...
    @property
    def flag_reasons(self) -> tuple[str, ...]: ...
    @property
    def topic(self) -> str | None: ...
    @property
    def topic_score(self) -> float | None: ...
    @property
    def topic_reason(self) -> str | None: ...
    @property
    def tone(self) -> str | None: ...
    @property
    def tone_score(self) -> float | None: ...
    @property
    def tone_reason(self) -> str | None: ...
    @property
    def targets(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class StoryAggregate:
    """The columns of a story recomputed from its articles."""

    title: str
    first_article_id: int
    first_source_id: int
    first_seen_at: datetime
    last_seen_at: datetime
    article_count: int
    outlet_count: int
    outlets: list[str]
    targets: list[str]
    topic: str | None
    topic_reason: str | None
    tone: str | None
    tone_score: float | None
    tone_reason: str | None
    flagged: bool
    flag_reasons: list[str]
    max_outlet_weight: float


def _majority(labels: Sequence[tuple[str | None, float | None]]) -> str | None:
    """The label with the most score-weighted votes (ties: alphabetical, for determinism)."""
    votes: dict[str, float] = {}
    for label, score in labels:
        if label is not None:
            votes[label] = votes.get(label, 0.0) + (score if score is not None else 0.5)
    if not votes:
        return None
    return min(votes, key=lambda k: (-votes[k], k))


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


def aggregate(members: Sequence[Member]) -> StoryAggregate:
    """Aggregate a non-empty list of a story's articles (any order)."""
    ms = sorted(members, key=lambda m: (m.seen_at, m.id))
    first = ms[0]
    topic = _majority([(m.topic, m.topic_score) for m in ms])
    tone = _majority([(m.tone, m.tone_score) for m in ms])
    # the strongest article for the chosen label gives the reason shown to the collaborator
    by_topic = max((m for m in ms if m.topic == topic), key=lambda m: m.topic_score or 0, default=None)
    by_tone = max((m for m in ms if m.tone == tone), key=lambda m: m.tone_score or 0, default=None)
    outlets = _unique([m.source_name for m in ms])
    return StoryAggregate(
        title=first.title,
        first_article_id=first.id,
        first_source_id=first.source_id,
        first_seen_at=first.seen_at,
        last_seen_at=ms[-1].seen_at,
        article_count=len(ms),
        outlet_count=len({m.source_id for m in ms}),
        outlets=outlets,
        targets=_unique([t for m in ms for t in m.targets]),
        topic=topic,
        topic_reason=by_topic.topic_reason if by_topic else None,
        tone=tone,
        tone_score=by_tone.tone_score if by_tone else None,
        tone_reason=by_tone.tone_reason if by_tone else None,
        flagged=any(m.flagged for m in ms),
        flag_reasons=_unique([r for m in ms if m.flagged for r in m.flag_reasons])[:MAX_REASONS],
        max_outlet_weight=max(m.weight for m in ms),
    )
