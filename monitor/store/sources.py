"""Sources in the database: synced from sources.toml, carrying fetch health and the next fetch time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, bindparam, or_, select, update
from sqlalchemy.orm import Session

from monitor.store.base import table_of
from monitor.store.claims import Claim, claim_rows
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


class SourceSpec(Protocol):
    """What the store needs of a configured source (`monitor.config.Source` is one)."""

    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def weight(self) -> float: ...
    @property
    def enabled(self) -> bool: ...
    def fingerprint(self) -> str:
        """A hash of the source's sources.toml entry."""
        ...


def sync_sources(session: Session, sources: Iterable[SourceSpec], now: datetime) -> dict[str, int]:
    """Upsert configured sources by key (a source removed from the file is disabled, never deleted).

    A changed entry (its `fingerprint()`) resets the source's backoff.
    """
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
                    config_hash=s.fingerprint(),
                )
                for s in fresh
            ],
        )
    # Row locks in id order: two workers syncing a changed file at once take turns, never deadlock.
    rows = {r.key: r for r in session.scalars(select(SourceRow).order_by(SourceRow.id).with_for_update())}
    configured = set()
    for src in sources:
        configured.add(src.key)
        row = rows[src.key]
        if row.url != src.url:  # a new URL starts with fresh validators
            row.etag = row.last_modified = None
        fingerprint = src.fingerprint()
        if row.config_hash is not None and row.config_hash != fingerprint:
            # The user changed this source's entry (fixed its URL, say): a paused, failing source gets a
            # fresh start instead of waiting out a backoff earned by the old entry.
            row.consecutive_failures, row.failure_score, row.next_fetch_at = 0, 0.0, None
        row.config_hash = fingerprint
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


def _due(now: datetime) -> list[ColumnElement[bool]]:
    """The only definition of "due": enabled, not paused by an admin, next fetch time reached (or never)."""
    return [
        SourceRow.enabled.is_(True),
        SourceRow.paused.is_(False),
        or_(SourceRow.next_fetch_at.is_(None), SourceRow.next_fetch_at <= now),
    ]


def due_sources(session: Session, now: datetime, keys: Sequence[str] | None = None) -> list[SourceState]:
    """Due sources (see `_due`), the longest overdue first."""
    q = select(SourceRow).where(*_due(now))
    if keys is not None:
        q = q.where(SourceRow.key.in_(keys))
    return [_state(r) for r in session.scalars(q.order_by(SourceRow.next_fetch_at, SourceRow.key))]


def claim_due_sources(session: Session, claim: Claim, now: datetime, limit: int) -> list[SourceState]:
    """Claim up to `limit` due sources no other worker holds (the longest overdue first)."""
    order = (SourceRow.next_fetch_at.asc().nulls_first(), SourceRow.id)
    ids = claim_rows(session, SourceRow, _due(now), order, limit, claim, now)
    if not ids:
        return []
    rows = session.scalars(select(SourceRow).where(SourceRow.id.in_(ids)))
    return sorted((_state(r) for r in rows), key=lambda st: ids.index(st.id))


@dataclass(frozen=True)
class FetchOutcome:
    """What one fetch of one source leaves behind: new health, validators and a fetch_log row."""

    source_id: int
    health: Mapping[str, Any]
    etag: str | None
    last_modified: str | None
    log: Mapping[str, Any]


def save_fetch_outcomes(session: Session, outcomes: Sequence[FetchOutcome]) -> None:
    """Store new health and validators and append one fetch_log row per fetch (two executemany calls)."""
    if not outcomes:
        return
    table = table_of(SourceRow)
    # Core, not the ORM: loading every source row to set attributes cost more than the writes.
    # The keys of each row are the columns SET (executemany: one statement for all).
    session.execute(
        update(table).where(table.c.id == bindparam("_id")),
        [
            {
                "_id": o.source_id,
                **{f: o.health[f] for f in HEALTH_FIELDS},
                "etag": o.etag,
                "last_modified": o.last_modified,
                "claimed_by": None,  # fetched: whoever claimed it is done
                "claimed_until": None,
            }
            for o in outcomes
        ],
    )
    session.execute(table_of(FetchLogRow).insert(), [dict(source_id=o.source_id, **o.log) for o in outcomes])


def set_paused(session: Session, key: str, paused: bool, now: datetime) -> bool:
    """Pause or resume a source by key (a database override of sources.toml); False if no such source."""
    row = session.scalar(select(SourceRow).where(SourceRow.key == key))
    if row is None:
        return False
    row.paused, row.paused_at = paused, (now if paused else None)
    session.flush()
    return True
