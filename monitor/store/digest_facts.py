"""The facts a daily digest is built from: one named query per kind of fact, returning plain dataclasses."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from monitor.store.dashboard import case_is_overdue
from monitor.store.queue_tables import CaseEventRow, CaseRow, StoryRow, UserRow
from monitor.store.tables import AnalysisRow, ArticleRow, FetchLogRow, MentionRow, SourceRow

BOARD_ACTIONS = ("verify", "approve", "return", "publish")


@dataclass(frozen=True)
class ArticleFact:
    """An analysed article that mentions a watch target."""

    article_id: int
    at: datetime
    tone: str | None
    topic: str | None
    targets: tuple[str, ...]


@dataclass(frozen=True)
class CaseFact:
    """A case with its story, as the digest and the alerts show it."""

    case_id: int
    title: str
    url: str | None  # the first article's address
    first_outlet: str
    outlet_count: int
    tone: str | None
    topic: str | None
    targets: tuple[str, ...]
    priority: str
    state: str
    holder_name: str | None
    opened_at: datetime
    deadline_at: datetime


@dataclass(frozen=True)
class BoardEvent:
    """Something a person did to a case: a verdict, an approval, a publication."""

    case_id: int
    title: str
    at: datetime
    action: str
    to_state: str
    actor_name: str | None
    url: str | None  # the published response, for a publication
    targets: tuple[str, ...]


@dataclass(frozen=True)
class StoryFact:
    """A story first seen in a period."""

    story_id: int
    title: str
    url: str | None
    first_outlet: str
    outlet_count: int
    tone: str | None
    targets: tuple[str, ...]
    first_seen_at: datetime


@dataclass(frozen=True)
class SourceFact:
    """A source's fetches in a period and its health now."""

    key: str
    name: str
    enabled: bool
    fetches: int
    failures: int
    last_error: str | None
    consecutive_failures: int


def mentioned_articles(session: Session, start: datetime, end: datetime) -> list[ArticleFact]:
    """Analysed articles of [start, end) that mention at least one target, with their targets.

    An article counts for its publication time, else the time we fetched it.
    """
    at = func.coalesce(ArticleRow.published_at, ArticleRow.fetched_at)
    rows = session.execute(
        select(ArticleRow.id, at, AnalysisRow.tone, AnalysisRow.topic, MentionRow.target)
        .join(AnalysisRow, AnalysisRow.article_id == ArticleRow.id)
        .join(MentionRow, MentionRow.article_id == ArticleRow.id)
        .where(at >= start, at < end)
        .order_by(ArticleRow.id)
    ).all()
    targets: dict[int, set[str]] = defaultdict(set)
    first: dict[int, tuple[datetime, str | None, str | None]] = {}
    for aid, when, tone, topic, target in rows:
        targets[aid].add(target)
        first.setdefault(aid, (_aware(when), tone, topic))
    return [ArticleFact(aid, *first[aid], tuple(sorted(targets[aid]))) for aid in first]


def first_article_at(session: Session) -> datetime | None:
    """When the archive starts (the first article fetched), or None when it is empty."""
    value = session.scalar(select(func.min(ArticleRow.fetched_at)))
    return _aware(value) if value is not None else None


def digest_cases(session: Session, start: datetime, end: datetime, as_of: datetime) -> list[CaseFact]:
    """Cases opened in [start, end), and every case overdue at `as_of`."""
    return _cases(
        session,
        or_(and_(CaseRow.opened_at >= start, CaseRow.opened_at < end), case_is_overdue(as_of)),
    )


def opened_cases(session: Session, start: datetime, end: datetime) -> list[tuple[datetime, tuple[str, ...]]]:
    """When each case of [start, end) opened, with its story's targets (for the daily counts)."""
    rows = session.execute(
        select(CaseRow.opened_at, StoryRow.targets)
        .join(StoryRow, StoryRow.id == CaseRow.story_id)
        .where(CaseRow.opened_at >= start, CaseRow.opened_at < end)
    ).all()
    return [(_aware(at), tuple(targets or ())) for at, targets in rows]


def _cases(session: Session, where: object) -> list[CaseFact]:
    holder = aliased(UserRow)
    rows = session.execute(
        select(CaseRow, StoryRow, ArticleRow.url, ArticleRow.canonical_url, SourceRow.name, holder.name)
        .join(StoryRow, StoryRow.id == CaseRow.story_id)
        .join(ArticleRow, ArticleRow.id == StoryRow.first_article_id)
        .join(SourceRow, SourceRow.id == StoryRow.first_source_id)
        .outerjoin(holder, holder.id == CaseRow.claimed_by)
        .where(where)  # type: ignore[arg-type]
        .order_by(CaseRow.priority_rank, CaseRow.deadline_at, CaseRow.id)
    ).all()
    return [
        CaseFact(
            case_id=c.id,
            title=s.title,
            url=url or canonical,
            first_outlet=outlet,
            outlet_count=s.outlet_count,
            tone=s.tone,
            topic=s.topic,
            targets=tuple(s.targets or ()),
            priority=c.priority,
            state=c.state,
            holder_name=holder_name,
            opened_at=c.opened_at,
            deadline_at=c.deadline_at,
        )
        for c, s, url, canonical, outlet, holder_name in rows
    ]


def board_events(session: Session, start: datetime, end: datetime) -> list[BoardEvent]:
    """Verdicts, approvals and publications people recorded in [start, end), oldest first."""
    rows = session.execute(
        select(CaseEventRow, StoryRow.title, StoryRow.targets, UserRow.name, CaseRow.response_url)
        .join(CaseRow, CaseRow.id == CaseEventRow.case_id)
        .join(StoryRow, StoryRow.id == CaseRow.story_id)
        .outerjoin(UserRow, UserRow.id == CaseEventRow.actor_id)
        .where(
            CaseEventRow.at >= start,
            CaseEventRow.at < end,
            CaseEventRow.action.in_(BOARD_ACTIONS),
            CaseEventRow.actor_id.is_not(None),
        )
        .order_by(CaseEventRow.at, CaseEventRow.id)
    ).all()
    out: list[BoardEvent] = []
    seen: set[tuple[int, str, int]] = set()
    for e, title, targets, actor, response_url in rows:
        if (e.case_id, e.action, e.version) in seen:  # one decision may write several steps
            continue
        seen.add((e.case_id, e.action, e.version))
        out.append(
            BoardEvent(
                case_id=e.case_id,
                title=title,
                at=e.at,
                action=e.action,
                to_state=e.to_state,
                actor_name=actor,
                url=response_url if e.action == "publish" else None,
                targets=tuple(targets or ()),
            )
        )
    return out


def stories_first_seen(session: Session, start: datetime, end: datetime, tone: str) -> list[StoryFact]:
    """Stories of a tone first seen in [start, end), widest spread first."""
    rows = session.execute(
        select(StoryRow, ArticleRow.url, ArticleRow.canonical_url, SourceRow.name)
        .join(ArticleRow, ArticleRow.id == StoryRow.first_article_id)
        .join(SourceRow, SourceRow.id == StoryRow.first_source_id)
        .where(StoryRow.first_seen_at >= start, StoryRow.first_seen_at < end, StoryRow.tone == tone)
        .order_by(StoryRow.outlet_count.desc(), StoryRow.first_seen_at, StoryRow.id)
    ).all()
    return [
        StoryFact(
            s.id,
            s.title,
            url or canonical,
            outlet,
            s.outlet_count,
            s.tone,
            tuple(s.targets or ()),
            s.first_seen_at,
        )
        for s, url, canonical, outlet in rows
    ]


def source_facts(session: Session, start: datetime, end: datetime) -> list[SourceFact]:
    """Every source with its fetches and failures in [start, end) and its current failure streak."""
    logs = session.execute(
        select(FetchLogRow.source_id, FetchLogRow.status, FetchLogRow.error, FetchLogRow.started_at)
        .where(FetchLogRow.started_at >= start, FetchLogRow.started_at < end)
        .order_by(FetchLogRow.started_at, FetchLogRow.id)
    ).all()
    fetches: dict[int, int] = defaultdict(int)
    failures: dict[int, int] = defaultdict(int)
    last_error: dict[int, str | None] = {}
    for sid, status, error, _at in logs:
        fetches[sid] += 1
        if status == "failed":
            failures[sid] += 1
            last_error[sid] = error
    return [
        SourceFact(
            r.key,
            r.name,
            r.enabled,
            fetches[r.id],
            failures[r.id],
            last_error.get(r.id, r.last_error if failures[r.id] else None),
            r.consecutive_failures,
        )
        for r in session.scalars(select(SourceRow).order_by(SourceRow.key))
    ]


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)
