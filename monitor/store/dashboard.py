"""The dashboard's counts, each one grouped query: articles about the targets and cases opened per day
(Vietnam time) by tone, topics, outlets, open cases by state and age.

"About the targets" means the article has at least one mention; the day is Asia/Ho_Chi_Minh's (UTC+7,
no daylight saving), computed in SQL so the database returns 30 × 3 numbers, not the articles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from monitor.store.queue_tables import CaseRow, StoryRow
from monitor.store.tables import AnalysisRow, ArticleRow, MentionRow, SourceRow

# Age buckets of an open case, in days since it opened: [0, 1), [1, 3), [3, 7), [7, ∞).
AGE_BUCKETS_DAYS = (1, 3, 7)


@dataclass(frozen=True)
class OpenCases:
    """Open cases counted by state and age bucket (0 = under a day … 3 = a week or more)."""

    state: str
    age_bucket: int
    count: int
    overdue: int


def _local_day(
    session: Session, column: ColumnElement[datetime] | InstrumentedAttribute[datetime]
) -> ColumnElement[str]:
    """The Vietnam calendar day of a UTC timestamp column, as 'YYYY-MM-DD'."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("Asia/Ho_Chi_Minh", column), "YYYY-MM-DD")
    return func.date(column, "+7 hours")  # SQLite stores naive UTC text


def _seen() -> ColumnElement[datetime]:
    return func.coalesce(ArticleRow.published_at, ArticleRow.fetched_at)


def _about_targets(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Articles seen in [start, end) that mention a target (fetched_at bounds use its index first)."""
    seen = _seen()
    return and_(
        ArticleRow.fetched_at >= start - timedelta(days=2),  # published a little before it was fetched
        seen >= start,
        seen < end,
        exists().where(MentionRow.article_id == ArticleRow.id),
    )


def articles_by_day_and_tone(session: Session, start: datetime, end: datetime) -> list[tuple[str, str, int]]:
    """(day, tone, articles) for the articles about the targets seen in [start, end)."""
    day = _local_day(session, _seen())
    tone = func.coalesce(AnalysisRow.tone, "")
    rows = session.execute(
        select(day, tone, func.count())
        .select_from(ArticleRow)
        .outerjoin(AnalysisRow, AnalysisRow.article_id == ArticleRow.id)
        .where(_about_targets(start, end))
        .group_by(day, tone)
    ).all()
    return [(str(d), str(t), int(n)) for d, t, n in rows]


def cases_by_day_and_tone(session: Session, start: datetime, end: datetime) -> list[tuple[str, str, int]]:
    """(day, tone of the story, cases opened) for cases opened in [start, end): the flagged stories."""
    day = _local_day(session, CaseRow.opened_at)
    tone = func.coalesce(StoryRow.tone, "")
    rows = session.execute(
        select(day, tone, func.count())
        .join(StoryRow, StoryRow.id == CaseRow.story_id)
        .where(CaseRow.opened_at >= start, CaseRow.opened_at < end)
        .group_by(day, tone)
    ).all()
    return [(str(d), str(t), int(n)) for d, t, n in rows]


def articles_by_topic(session: Session, start: datetime, end: datetime) -> list[tuple[str, int]]:
    """(topic, articles about the targets) in [start, end), most first."""
    topic = func.coalesce(AnalysisRow.topic, "")
    n = func.count()
    rows = session.execute(
        select(topic, n)
        .select_from(ArticleRow)
        .outerjoin(AnalysisRow, AnalysisRow.article_id == ArticleRow.id)
        .where(_about_targets(start, end))
        .group_by(topic)
        .order_by(n.desc(), topic)
    ).all()
    return [(str(t), int(c)) for t, c in rows]


def articles_by_outlet(
    session: Session, start: datetime, end: datetime, limit: int = 10
) -> list[tuple[str, int, int]]:
    """(outlet name, articles about the targets, of which critical) in [start, end): the top `limit`.

    Grouped by the outlet's display name, not by source: an outlet read through several feeds with the same
    name (several "Báo Mới" sources) is one line with all its articles.
    """
    n = func.count()
    critical = func.sum(case((AnalysisRow.tone == "tieu_cuc", 1), else_=0))
    rows = session.execute(
        select(SourceRow.name, n, critical)
        .select_from(ArticleRow)
        .join(SourceRow, SourceRow.id == ArticleRow.source_id)
        .outerjoin(AnalysisRow, AnalysisRow.article_id == ArticleRow.id)
        .where(_about_targets(start, end))
        .group_by(SourceRow.name)
        .order_by(n.desc(), SourceRow.name)
        .limit(limit)
    ).all()
    return [(str(name), int(c), int(k or 0)) for name, c, k in rows]


def open_cases(session: Session, now: datetime, overdue: ColumnElement[bool]) -> list[OpenCases]:
    """Open cases by state and age bucket, with how many of them are `overdue` (the caller's predicate)."""
    whens = [(CaseRow.opened_at > now - timedelta(days=days), i) for i, days in enumerate(AGE_BUCKETS_DAYS)]
    age = case(*whens, else_=len(AGE_BUCKETS_DAYS))
    rows = session.execute(
        select(CaseRow.state, age, func.count(), func.sum(case((overdue, 1), else_=0)))
        .where(CaseRow.state != "closed")
        .group_by(CaseRow.state, age)
    ).all()
    return [OpenCases(str(s), int(a), int(n), int(o or 0)) for s, a, n, o in rows]


def case_is_overdue(now: datetime) -> ColumnElement[bool]:
    """SQL form of `workflow.is_overdue`: past its deadline and not closed."""
    return and_(CaseRow.deadline_at < now, CaseRow.state != "closed")


def targets_seen(session: Session, since: datetime) -> Sequence[str]:
    """Targets mentioned since `since` (the dashboard's spike table lists each)."""
    return list(
        session.scalars(
            select(MentionRow.target)
            .join(ArticleRow, ArticleRow.id == MentionRow.article_id)
            .where(ArticleRow.fetched_at >= since)
            .distinct()
            .order_by(MentionRow.target)
        )
    )
