"""The digest outbox: who got which day's digest, claimed with one conditional statement each.

States: `sending` (committed before the SMTP call) → `sent` | `retry` (temporary failure, with a time) |
`failed`. A row still `sending` after a crash is never taken again automatically: an operator looks at the
mail server's log for its Message-ID and resolves it (`monitor status` lists it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from monitor.store.db import affected_rows, upsert_insert
from monitor.store.outbox_tables import DigestOutboxRow

SENDING, SENT, RETRY, FAILED = "sending", "sent", "retry", "failed"


@dataclass(frozen=True)
class OutboxEntry:
    """One digest owed to one recipient."""

    digest_date: date
    recipient: str
    state: str
    attempts: int
    next_attempt_at: datetime | None
    message_id: str | None
    error: str | None
    updated_at: datetime
    sent_at: datetime | None


def _entry(r: DigestOutboxRow) -> OutboxEntry:
    return OutboxEntry(
        r.digest_date,
        r.recipient,
        r.state,
        r.attempts,
        r.next_attempt_at,
        r.message_id,
        r.error,
        r.updated_at,
        r.sent_at,
    )


def claim_digest(
    session: Session, day: date, recipient: str, message_id: str, now: datetime, *, force: bool = False
) -> bool:
    """Take the right to send `day`'s digest to `recipient` now; True if this caller won it.

    A new row is inserted as `sending`; an existing one is taken only when it waits for a retry that is
    due (or, with `force`, when it is sent or failed). Two callers at once: the unique key and the
    conditional UPDATE let exactly one win.
    """
    inserted = session.execute(
        upsert_insert(session, DigestOutboxRow)
        .values(
            digest_date=day,
            recipient=recipient,
            state=SENDING,
            attempts=1,
            message_id=message_id,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["digest_date", "recipient"])
        .returning(DigestOutboxRow.id)
    ).scalar()
    if inserted is not None:
        return True
    takeable = (
        DigestOutboxRow.state.in_((RETRY, SENT, FAILED))
        if force
        else (DigestOutboxRow.state == RETRY) & (DigestOutboxRow.next_attempt_at <= now)
    )
    result = session.execute(
        update(DigestOutboxRow)
        .where(DigestOutboxRow.digest_date == day, DigestOutboxRow.recipient == recipient, takeable)
        .values(
            state=SENDING,
            attempts=DigestOutboxRow.attempts + 1,
            message_id=message_id,
            next_attempt_at=None,
            updated_at=now,
        )
    )
    return affected_rows(result) == 1


def finish_digest(
    session: Session,
    day: date,
    recipient: str,
    state: str,
    now: datetime,
    *,
    error: str | None = None,
    next_attempt_at: datetime | None = None,
) -> None:
    """Record how the send we claimed ended: sent, retry (at `next_attempt_at`) or failed."""
    session.execute(
        update(DigestOutboxRow)
        .where(
            DigestOutboxRow.digest_date == day,
            DigestOutboxRow.recipient == recipient,
            DigestOutboxRow.state == SENDING,
        )
        .values(
            state=state,
            error=error,
            next_attempt_at=next_attempt_at,
            updated_at=now,
            sent_at=now if state == SENT else None,
        )
    )


def digest_entry(session: Session, day: date, recipient: str) -> OutboxEntry | None:
    """The outbox row of (day, recipient), or None."""
    row = session.scalar(
        select(DigestOutboxRow).where(
            DigestOutboxRow.digest_date == day, DigestOutboxRow.recipient == recipient
        )
    )
    return _entry(row) if row else None


def latest_digest_entries(session: Session) -> list[OutboxEntry]:
    """The most recent digest row of every recipient ever addressed."""
    newest = {}
    for row in session.scalars(select(DigestOutboxRow).order_by(DigestOutboxRow.digest_date)):
        newest[row.recipient] = row
    return [_entry(r) for r in sorted(newest.values(), key=lambda r: r.recipient)]


def entries_in_state(session: Session, state: str) -> list[OutboxEntry]:
    """Every digest row in `state` (e.g. the `sending` rows a crash left behind)."""
    rows = session.scalars(
        select(DigestOutboxRow).where(DigestOutboxRow.state == state).order_by(DigestOutboxRow.id)
    )
    return [_entry(r) for r in rows]
