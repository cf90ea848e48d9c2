"""Named leases: at most one holder at a time, taken and renewed with one conditional UPDATE."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.orm import Session

from monitor.store.db import affected_rows, upsert_insert
from monitor.store.tables import LeaseRow


@dataclass(frozen=True)
class Lease:
    """Who holds a lease and until when."""

    name: str
    holder: str
    acquired_at: datetime
    expires_at: datetime


def try_acquire(session: Session, name: str, holder: str, now: datetime, ttl: timedelta) -> Lease | None:
    """Take or renew the lease; None if someone else holds an unexpired one (returns the holder via current())."""
    session.execute(
        upsert_insert(session, LeaseRow)
        .values(name=name, holder=holder, acquired_at=now, expires_at=now + ttl)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    # One conditional UPDATE decides: ours already, or expired. A SELECT-then-UPDATE would race.
    res = session.execute(
        update(LeaseRow)
        .where(LeaseRow.name == name, or_(LeaseRow.holder == holder, LeaseRow.expires_at < now))
        .values(
            holder=holder,
            expires_at=now + ttl,
            # a renewal keeps its start; a takeover starts now ("since when" in messages)
            acquired_at=case((LeaseRow.holder == holder, LeaseRow.acquired_at), else_=now),
        )
    )
    if res.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return current(session, name)


def take_over(
    session: Session, name: str, gone: str, holder: str, now: datetime, ttl: timedelta
) -> Lease | None:
    """Take the lease from `gone` (a holder known to be dead) even before it expires; None if it moved."""
    res = session.execute(
        update(LeaseRow)
        .where(LeaseRow.name == name, LeaseRow.holder == gone)
        .values(holder=holder, acquired_at=now, expires_at=now + ttl)
    )
    if affected_rows(res) != 1:
        return None
    return current(session, name)


def current(session: Session, name: str) -> Lease | None:
    """The lease as stored (possibly expired), or None."""
    row = session.scalars(select(LeaseRow).where(LeaseRow.name == name)).first()
    return Lease(row.name, row.holder, row.acquired_at, row.expires_at) if row else None


def release(session: Session, name: str, holder: str) -> None:
    """Give the lease up (only if we hold it)."""
    session.execute(delete(LeaseRow).where(LeaseRow.name == name, LeaseRow.holder == holder))
