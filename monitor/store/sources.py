"""Sources in the database: synced from sources.toml, carrying fetch health and the next fetch time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from monitor.store.db import upsert_insert
from monitor.store.tables import FetchLogRow, SourceRow

# The health columns; monitor.fetch.health.Health has exactly these fields.
HEALTH_FIELDS = (
    "consecutive_failures",
    "failure_score",
    "last_success_at",
    "last_error_at",
    "last_error",
    "next_fetch_at",
    "last_unconditional_at",
)


@dataclass(frozen=True)
class SourceState:
    """A source as stored: identity, validators and health."""

    id: int
    key: str
    name: str
    url: str
    kind: str
    weight: float
    enabled: bool
    etag: str | None
    last_modified: str | None
    health: Mapping[str, Any]
    paused: bool = False  # an admin's pause from the web app (overrides sources.toml's `enabled`)
    paused_at: datetime | None = None


def _state(row: SourceRow) -> SourceState:
    return SourceState(
        id=row.id,
        key=row.key,
        name=row.name,
        url=row.url,
        kind=row.kind,
        weight=row.weight,
        enabled=row.enabled,
        etag=row.etag,
        last_modified=row.last_modified,
        health={f: getattr(row, f) for f in HEALTH_FIELDS},
        paused=bool(row.paused),
        paused_at=row.paused_at,
    )


def sync_sources(session: Session, sources: Iterable[Any], now: datetime) -> dict[str, int]:
    """Upsert configured sources by key (a source removed from the file is disabled, never deleted)."""
    sources = list(sources)
    known = set(session.scalars(select(SourceRow.key)))
    fresh = [s for s in sources if s.key not in known]
    if fresh:
        # ON CONFLICT DO NOTHING: another worker syncing the same file at the same time is not an error.
        session.execute(
            upsert_insert(session, SourceRow).on_conflict_do_nothing(index_elements=["key"]),
            [
                dict(
                    key=s.key,
                    name=s.name,
                    url=s.url,
                    kind=s.kind,
                    weight=s.weight,
                    enabled=s.enabled,
                    created_at=now,
                    consecutive_failures=0,
                    failure_score=0.0,
                )
                for s in fresh
            ],
        )
    rows = {r.key: r for r in session.scalars(select(SourceRow))}
    configured = set()
    for src in sources:
        configured.add(src.key)
        row = rows[src.key]
        if row.url != src.url:  # a new URL starts with fresh validators
            row.etag = row.last_modified = None
        row.name, row.url, row.kind = src.name, src.url, src.kind
        row.weight, row.enabled = src.weight, src.enabled
    for key, row in rows.items():
        if key not in configured:
            row.enabled = False
    session.flush()
    return {key: row.id for key, row in rows.items()}


def list_sources(session: Session, *, enabled_only: bool = False) -> list[SourceState]:
    """Every stored source, by key."""
    q = select(SourceRow).order_by(SourceRow.key)
    if enabled_only:
        q = q.where(SourceRow.enabled.is_(True))
    return [_state(r) for r in session.scalars(q)]


def due_sources(session: Session, now: datetime, keys: Sequence[str] | None = None) -> list[SourceState]:
    """The only definition of "due": enabled, not paused by an admin, next fetch time reached (or never)."""
    q = select(SourceRow).where(
        SourceRow.enabled.is_(True),
        SourceRow.paused.is_(False),
        or_(SourceRow.next_fetch_at.is_(None), SourceRow.next_fetch_at <= now),
    )
    if keys is not None:
        q = q.where(SourceRow.key.in_(keys))
    return [_state(r) for r in session.scalars(q.order_by(SourceRow.next_fetch_at, SourceRow.key))]


def set_paused(session: Session, key: str, paused: bool, now: datetime) -> bool:
    """Pause or resume a source by key (a database override of sources.toml); False if no such source."""
    row = session.scalar(select(SourceRow).where(SourceRow.key == key))
    if row is None:
        return False
    row.paused, row.paused_at = paused, (now if paused else None)
    session.flush()
    return True


def save_fetch_outcome(
    session: Session,
    source_id: int,
    health: Mapping[str, Any],
    *,
    etag: str | None,
    last_modified: str | None,
    log: Mapping[str, Any],
) -> None:
    """Store new health and validators and append one fetch_log row."""
    row = session.get_one(SourceRow, source_id)
    for f in HEALTH_FIELDS:
        setattr(row, f, health[f])
    row.etag, row.last_modified = etag, last_modified
    session.add(FetchLogRow(source_id=source_id, **log))
