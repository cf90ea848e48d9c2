"""The audit log: who did or tried what, when and from where (append-only; there is no function to change it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.store.queue_tables import UserRow
from monitor.store.web_tables import AuditRow

OK, REFUSED, FAILED = "ok", "refused", "failed"


@dataclass(frozen=True)
class AuditEntry:
    """One audit line."""

    at: datetime
    actor: str | None  # username, or the name typed at a failed log-in
    action: str
    object: str
    outcome: str
    client_addr: str
    detail: str = ""


def record(session: Session, entry: AuditEntry, actor_id: int | None = None) -> None:
    """Append one line."""
    session.add(
        AuditRow(
            at=entry.at,
            actor_id=actor_id,
            actor_name=(entry.actor or "")[:100] or None,
            action=entry.action[:40],
            object=entry.object[:200],
            outcome=entry.outcome,
            client_addr=entry.client_addr[:64],
            detail=entry.detail[:2000],
        )
    )


def record_as(
    session: Session,
    username: str | None,
    client_addr: str,
    action: str,
    obj: str,
    outcome: str,
    now: datetime,
    detail: str = "",
) -> None:
    """Append one line for `username` (linked to the user when that name exists)."""
    actor_id = session.scalar(select(UserRow.id).where(UserRow.username == username)) if username else None
    record(session, AuditEntry(now, username, action, obj, outcome, client_addr, detail), actor_id=actor_id)


def count_since(
    session: Session,
    action: str,
    outcome: str,
    since: datetime,
    *,
    actor_name: str | None = None,
    client_addr: str | None = None,
) -> int:
    """How many `action` lines with `outcome` since `since` for one name or one address (index-backed)."""
    q = select(func.count(AuditRow.id)).where(
        AuditRow.action == action, AuditRow.outcome == outcome, AuditRow.at >= since
    )
    if actor_name is not None:
        q = q.where(AuditRow.actor_name == actor_name[:100])
    if client_addr is not None:
        q = q.where(AuditRow.client_addr == client_addr[:64])
    return int(session.scalar(q) or 0)


def recent(session: Session, limit: int = 200) -> list[AuditEntry]:
    """The newest lines first."""
    rows = session.execute(
        select(AuditRow, UserRow.username)
        .outerjoin(UserRow, UserRow.id == AuditRow.actor_id)
        .order_by(AuditRow.id.desc())
        .limit(limit)
    ).all()
    return [
        AuditEntry(a.at, u or a.actor_name, a.action, a.object, a.outcome, a.client_addr, a.detail)
        for a, u in rows
    ]
