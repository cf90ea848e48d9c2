"""The facts `monitor status` shows: the daemon's lease and passes, failing sources, overdue cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.store.dashboard import case_is_overdue
from monitor.store.queue_tables import CaseRow, StoryRow
from monitor.store.tables import FetchLogRow, SourceRow


@dataclass(frozen=True)
class FailingSource:
    """A source whose last fetches failed."""

    key: str
    name: str
    failures: int
    last_error: str | None
    next_fetch_at: datetime | None


@dataclass(frozen=True)
class LateCase:
    """An overdue case."""

    case_id: int
    title: str
    priority: str
    deadline_at: datetime


def last_pass_at(session: Session) -> datetime | None:
    """When the last fetch of any source started."""
    return session.scalar(select(func.max(FetchLogRow.started_at)))


def next_pass_at(session: Session) -> datetime | None:
    """The earliest next fetch of an enabled source."""
    return session.scalar(select(func.min(SourceRow.next_fetch_at)).where(SourceRow.enabled.is_(True)))


def failing_sources(session: Session) -> list[FailingSource]:
    """Enabled sources with a current failure streak, worst first."""
    rows = session.scalars(
        select(SourceRow)
        .where(SourceRow.enabled.is_(True), SourceRow.consecutive_failures > 0)
        .order_by(SourceRow.consecutive_failures.desc(), SourceRow.key)
    )
    return [FailingSource(r.key, r.name, r.consecutive_failures, r.last_error, r.next_fetch_at) for r in rows]


def overdue_cases(session: Session, now: datetime, limit: int = 10) -> tuple[int, list[LateCase]]:
    """How many cases are overdue, and the most overdue few."""
    total = int(session.scalar(select(func.count()).select_from(CaseRow).where(case_is_overdue(now))) or 0)
    rows = session.execute(
        select(CaseRow.id, StoryRow.title, CaseRow.priority, CaseRow.deadline_at)
        .join(StoryRow, StoryRow.id == CaseRow.story_id)
        .where(case_is_overdue(now))
        .order_by(CaseRow.deadline_at)
        .limit(limit)
    ).all()
    return total, [LateCase(*r) for r in rows]
