"""The alert outbox: one row per (case, event, recipient), ever; taken row by row with conditional UPDATEs.

States: `pending` → `sending` (committed before the mail or webhook call) → `sent` | `retry` | `failed`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from monitor.store.db import upsert_insert
from monitor.store.outbox_tables import AlertOutboxRow

PENDING, SENDING, SENT, RETRY, FAILED = "pending", "sending", "sent", "retry", "failed"


@dataclass(frozen=True)
class AlertEntry:
    """One alert owed to one recipient."""

    id: int
    case_id: int
    event: str
    recipient: str
    recipient_name: str
    urgent: bool
    reason: str
    title: str
    state: str
    attempts: int
    created_at: datetime
    error: str | None


def _entry(r: AlertOutboxRow) -> AlertEntry:
    return AlertEntry(
        r.id,
        r.case_id,
        r.event,
        r.recipient,
        r.recipient_name,
        r.urgent,
        r.reason,
        r.title,
        r.state,
        r.attempts,
        r.created_at,
        r.error,
    )


def enqueue(session: Session, rows: Sequence[dict[str, Any]], now: datetime) -> int:
    """Add alerts not yet owed (the unique key drops repeats); how many are new."""
    if not rows:
        return 0
    result = session.execute(
        upsert_insert(session, AlertOutboxRow)
        .values([{**r, "state": PENDING, "attempts": 0, "created_at": now, "updated_at": now} for r in rows])
        .on_conflict_do_nothing(index_elements=["case_id", "event_key", "recipient"])
        .returning(AlertOutboxRow.id)
    )
    return len(result.all())


def due(session: Session, now: datetime) -> list[AlertEntry]:
    """Alerts waiting to go: pending, or waiting for a retry that is due; oldest first."""
    rows = session.scalars(
        select(AlertOutboxRow)
        .where(
            or_(
                AlertOutboxRow.state == PENDING,
                and_(AlertOutboxRow.state == RETRY, AlertOutboxRow.next_attempt_at <= now),
            )
        )
        .order_by(AlertOutboxRow.created_at, AlertOutboxRow.id)
    )
    return [_entry(r) for r in rows]


def claim(session: Session, ids: Sequence[int], message_id: str, now: datetime) -> list[int]:
    """Mark these alerts `sending` if still takeable; the ids this caller won."""
    result = session.execute(
        update(AlertOutboxRow)
        .where(
            AlertOutboxRow.id.in_(list(ids)),
            AlertOutboxRow.state.in_((PENDING, RETRY)),
        )
        .values(state=SENDING, attempts=AlertOutboxRow.attempts + 1, message_id=message_id, updated_at=now)
        .returning(AlertOutboxRow.id)
    )
    return sorted(result.scalars().all())


def finish(
    session: Session,
    ids: Sequence[int],
    state: str,
    now: datetime,
    *,
    error: str | None = None,
    next_attempt_at: datetime | None = None,
) -> None:
    """Record how a send we claimed ended."""
    session.execute(
        update(AlertOutboxRow)
        .where(AlertOutboxRow.id.in_(list(ids)), AlertOutboxRow.state == SENDING)
        .values(
            state=state,
            error=error,
            next_attempt_at=next_attempt_at,
            updated_at=now,
            sent_at=now if state == SENT else None,
        )
    )


def attempts_of(session: Session, ids: Sequence[int]) -> int:
    """The highest attempt count among these alerts."""
    return int(
        session.scalar(select(func.max(AlertOutboxRow.attempts)).where(AlertOutboxRow.id.in_(list(ids)))) or 0
    )


def counts_by_state(session: Session) -> dict[str, int]:
    """How many alerts are in each state."""
    rows = session.execute(select(AlertOutboxRow.state, func.count()).group_by(AlertOutboxRow.state)).all()
    return {state: int(n) for state, n in rows}


def in_state(session: Session, states: Sequence[str], limit: int = 20) -> list[AlertEntry]:
    """Alerts in these states, newest first (for `monitor status`)."""
    rows = session.scalars(
        select(AlertOutboxRow)
        .where(AlertOutboxRow.state.in_(list(states)))
        .order_by(AlertOutboxRow.id.desc())
        .limit(limit)
    )
    return [_entry(r) for r in rows]


def sent_to(session: Session, case_id: int) -> list[tuple[str, str, str]]:
    """(event, recipient, state) of every alert about a case (tests and the case page)."""
    rows = session.execute(
        select(AlertOutboxRow.event, AlertOutboxRow.recipient, AlertOutboxRow.state)
        .where(AlertOutboxRow.case_id == case_id)
        .order_by(AlertOutboxRow.id)
    ).all()
    return [(e, r, s) for e, r, s in rows]
