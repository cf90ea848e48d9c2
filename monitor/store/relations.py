"""Event-level stories: the terms event matching keeps per article, and relations between stories.

A relation is one row per pair of stories (story_a < story_b): `suggested` by the queue stage, then
`confirmed` (one event) or `split` (two events) by a person. The stage never suggests a pair that has a row,
so a split is never suggested or merged again; nothing here moves an article between stories.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, or_, select
from sqlalchemy.orm import Session

from monitor.store.base import table_of
from monitor.store.db import among, insert_new, upsert_insert
from monitor.store.queue_tables import (
    ArticleEventTermsRow,
    CaseRow,
    StoryArticleRow,
    StoryRelationRow,
    StoryRow,
    UserRow,
)
from monitor.store.tables import SourceRow

SUGGESTED, CONFIRMED, SPLIT = "suggested", "confirmed", "split"  # vocab.Relation (the store sits below it)


@dataclass(frozen=True)
class NewEventTerms:
    """An article's event terms to keep (written by `save_event_terms`)."""

    article_id: int
    seen_at: datetime
    terms: dict[str, int]
    names: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    """Two stories the stage thinks may tell one event."""

    story_a: int
    story_b: int
    score: float
    names: tuple[str, ...]


def pair(a: int, b: int) -> tuple[int, int]:
    """The stored order of a pair of stories (smaller id first)."""
    return (a, b) if a < b else (b, a)


def save_event_terms(session: Session, rows: Sequence[NewEventTerms]) -> None:
    """Keep event terms of placed articles (one bulk INSERT; a rerun changes nothing)."""
    insert_new(
        session,
        table_of(ArticleEventTermsRow),
        ("article_id", "seen_at", "terms", "names"),
        [(r.article_id, r.seen_at, r.terms, list(r.names)) for r in rows],
        ("article_id",),
    )


def event_window(session: Session, lo: datetime, hi: datetime, limit: int) -> list[tuple[int, int, datetime]]:
    """(article, story, seen at) of the `limit` most recent articles with event terms seen in [lo, hi]."""
    rows = session.execute(
        select(ArticleEventTermsRow.article_id, StoryArticleRow.story_id, ArticleEventTermsRow.seen_at)
        .join(StoryArticleRow, StoryArticleRow.article_id == ArticleEventTermsRow.article_id)
        .where(ArticleEventTermsRow.seen_at.between(lo, hi))
        .order_by(ArticleEventTermsRow.seen_at.desc(), ArticleEventTermsRow.article_id.desc())
        .limit(limit)
    )
    return [(a, s, at) for a, s, at in rows]


def event_terms(
    session: Session, article_ids: Sequence[int]
) -> dict[int, tuple[dict[str, int], tuple[str, ...]]]:
    """Stored event terms and names of these articles."""
    out: dict[int, tuple[dict[str, int], tuple[str, ...]]] = {}
    for cond in among(session, ArticleEventTermsRow.article_id, list(article_ids), BigInteger):
        rows = session.execute(
            select(
                ArticleEventTermsRow.article_id, ArticleEventTermsRow.terms, ArticleEventTermsRow.names
            ).where(cond)
        )
        out.update({a: (dict(terms), tuple(names)) for a, terms, names in rows})
    return out


def related_pairs(session: Session, story_ids: Sequence[int]) -> set[tuple[int, int]]:
    """Every pair with a relation row (any status) that involves one of these stories."""
    out: set[tuple[int, int]] = set()
    for column in (StoryRelationRow.story_a, StoryRelationRow.story_b):
        for cond in among(session, column, list(story_ids), BigInteger):
            rows = session.execute(select(StoryRelationRow.story_a, StoryRelationRow.story_b).where(cond))
            out.update((a, b) for a, b in rows)
    return out


def suggest(session: Session, suggestions: Sequence[Suggestion], now: datetime) -> int:
    """Record suggestions for pairs that have no relation yet (a split pair is never suggested again)."""
    fresh: dict[tuple[int, int], Suggestion] = {}
    for s in suggestions:
        if s.story_a != s.story_b:
            fresh.setdefault(pair(s.story_a, s.story_b), s)
    if not fresh:
        return 0
    known = related_pairs(session, sorted({i for p in fresh for i in p}))
    rows = [
        dict(story_a=a, story_b=b, status=SUGGESTED, score=s.score, names=list(s.names), created_at=now)
        for (a, b), s in fresh.items()
        if (a, b) not in known
    ]
    if rows:
        session.execute(
            upsert_insert(session, StoryRelationRow).on_conflict_do_nothing(
                index_elements=["story_a", "story_b"]
            ),
            rows,
        )
    return len(rows)


def story_exists(session: Session, story_id: int) -> bool:
    """Whether there is a story with this id."""
    return session.get(StoryRow, story_id) is not None


def relation_status(session: Session, a: int, b: int) -> str | None:
    """The status of the pair's relation, if it has one."""
    sa, sb = pair(a, b)
    return session.scalar(
        select(StoryRelationRow.status).where(StoryRelationRow.story_a == sa, StoryRelationRow.story_b == sb)
    )


def decide(session: Session, a: int, b: int, status: str, user_id: int, now: datetime) -> None:
    """A person confirms or splits the pair (a relation is created if the stage never suggested it)."""
    assert status in (CONFIRMED, SPLIT)
    sa, sb = pair(a, b)
    stmt = upsert_insert(session, StoryRelationRow).values(
        story_a=sa,
        story_b=sb,
        status=status,
        score=None,
        names=[],
        created_at=now,
        decided_by=user_id,
        decided_at=now,
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["story_a", "story_b"],
            set_={"status": status, "decided_by": user_id, "decided_at": now},
        )
    )


@dataclass(frozen=True)
class RelatedStory:
    """Another story related to a case's story, for the case view."""

    story_id: int
    case_id: int | None
    title: str
    first_source: str
    first_seen_at: datetime
    status: str
    score: float | None
    names: tuple[str, ...]
    decided_by: str | None
    decided_at: datetime | None


def related_stories(session: Session, story_id: int) -> list[RelatedStory]:
    """The stories related to `story_id` (split ones too: the view says they were split), best first."""
    rows = session.execute(
        select(StoryRelationRow, UserRow.name)
        .outerjoin(UserRow, UserRow.id == StoryRelationRow.decided_by)
        .where(or_(StoryRelationRow.story_a == story_id, StoryRelationRow.story_b == story_id))
    ).all()
    if not rows:
        return []
    others = {(r.story_b if r.story_a == story_id else r.story_a): (r, name) for r, name in rows}
    stories = session.execute(
        select(StoryRow.id, StoryRow.title, SourceRow.name, StoryRow.first_seen_at, CaseRow.id)
        .join(SourceRow, SourceRow.id == StoryRow.first_source_id)
        .outerjoin(CaseRow, CaseRow.story_id == StoryRow.id)
        .where(StoryRow.id.in_(list(others)))
    ).all()
    out = []
    for sid, title, source, seen, case_id in stories:
        r, name = others[sid]
        out.append(
            RelatedStory(
                sid, case_id, title, source, seen, r.status, r.score, tuple(r.names), name, r.decided_at
            )
        )
    rank = {CONFIRMED: 0, SUGGESTED: 1, SPLIT: 2}
    return sorted(out, key=lambda x: (rank.get(x.status, 3), -(x.score or 0), x.story_id))
