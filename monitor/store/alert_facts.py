"""What the alerts stage reads: recent case events, overdue cases, people and their addresses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from monitor.store.dashboard import case_is_overdue
from monitor.store.queue_tables import CaseEventRow, CaseRow, StoryRow, UserRow


@dataclass(frozen=True)
class CaseSignal:
    """A case as an alert describes it."""

    case_id: int
    title: str
    priority: str
    state: str
    deadline_at: datetime
    holder: str | None  # username
    holder_name: str | None


@dataclass(frozen=True)
class EventSignal:
    """A recent event of a case."""

    case_id: int
    at: datetime
    action: str
    to_state: str
    version: int
    actor: str | None  # username; None = the pipeline
    data: dict[str, Any]


@dataclass(frozen=True)
class Person:
    """An active user who may be told something."""

    username: str
    name: str
    role: str
    email: str | None


def recent_events(session: Session, since: datetime, actions: tuple[str, ...]) -> list[EventSignal]:
    """Events of these actions at or after `since`, oldest first."""
    rows = session.execute(
        select(CaseEventRow, UserRow.username)
        .outerjoin(UserRow, UserRow.id == CaseEventRow.actor_id)
        .where(CaseEventRow.at >= since, CaseEventRow.action.in_(actions))
        .order_by(CaseEventRow.id)
    ).all()
    return [
        EventSignal(e.case_id, e.at, e.action, e.to_state, e.version, u, dict(e.data or {})) for e, u in rows
    ]


def overdue_since(session: Session, since: datetime, now: datetime) -> list[int]:
    """Ids of cases that became overdue between `since` and `now` (and are still open)."""
    return list(session.scalars(select(CaseRow.id).where(case_is_overdue(now), CaseRow.deadline_at >= since)))


def case_signals(session: Session, ids: set[int]) -> dict[int, CaseSignal]:
    """The cases with these ids, with their story title and holder."""
    if not ids:
        return {}
    holder = aliased(UserRow)
    rows = session.execute(
        select(CaseRow, StoryRow.title, holder.username, holder.name)
        .join(StoryRow, StoryRow.id == CaseRow.story_id)
        .outerjoin(holder, holder.id == CaseRow.claimed_by)
        .where(CaseRow.id.in_(sorted(ids)))
    ).all()
    return {
        c.id: CaseSignal(c.id, title, c.priority, c.state, c.deadline_at, username, name)
        for c, title, username, name in rows
    }


def people(session: Session) -> list[Person]:
    """Every active user with role and e-mail address."""
    rows = session.scalars(select(UserRow).where(UserRow.active.is_(True)).order_by(UserRow.username))
    return [Person(u.username, u.name, u.role, u.email) for u in rows]
