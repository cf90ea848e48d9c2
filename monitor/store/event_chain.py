"""The hash chain over case events, and the raw rows `monitor db check` replays.

Each event's `chain_hash` is SHA-256 over the previous event of the same case (its chain_hash) and the
event's own fields in a canonical JSON form. One chain per case: writers of a case are serialised by the
conditional UPDATE of its row, so two transactions never extend the same chain at once. A deleted,
inserted or altered event breaks the chain at that point; a deleted last event shows in the replay (the
case's version is ahead of its events).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.store.queue_tables import CaseEventRow, CaseRow


def event_hash(prev: str | None, event: Mapping[str, Any]) -> str:
    """The chain hash of one event given the previous one's (pure; the only definition)."""
    at = event["at"]
    fields = {
        "prev": prev or "",
        "case_id": int(event["case_id"]),
        "at": at.astimezone(UTC).isoformat(timespec="microseconds") if isinstance(at, datetime) else at,
        "actor_id": event["actor_id"],
        "action": event["action"],
        "from_state": event["from_state"],
        "to_state": event["to_state"],
        "version": int(event["version"]),
        "note": event["note"] or "",
        "evidence": list(event["evidence"] or []),
        "data": event["data"] or {},
    }
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def last_hash(session: Session, case_id: int) -> str | None:
    """The chain hash of the case's latest event (None before the first)."""
    q = (
        select(CaseEventRow.chain_hash)
        .where(CaseEventRow.case_id == case_id)
        .order_by(CaseEventRow.id.desc())
        .limit(1)
    )
    return session.scalar(q)


@dataclass(frozen=True)
class StoredCase:
    """The columns of a case the replay compares."""

    id: int
    state: str
    priority: str
    claimed_by: int | None
    verdict: str | None
    version: int


@dataclass(frozen=True)
class StoredEvent:
    """One event as stored, with its fields for the hash."""

    id: int
    fields: dict[str, Any]
    chain_hash: str | None


def cases_with_events(session: Session) -> Iterator[tuple[StoredCase, list[StoredEvent]]]:
    """Every case with its events, oldest first (read-only)."""
    cases = session.scalars(select(CaseRow).order_by(CaseRow.id)).all()
    events: dict[int, list[StoredEvent]] = {}
    for e in session.scalars(select(CaseEventRow).order_by(CaseEventRow.id)):
        fields = {
            "case_id": e.case_id,
            "at": e.at,
            "actor_id": e.actor_id,
            "action": e.action,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "version": e.version,
            "note": e.note,
            "evidence": e.evidence,
            "data": e.data,
        }
        events.setdefault(e.case_id, []).append(StoredEvent(e.id, fields, e.chain_hash))
    for c in cases:
        stored = StoredCase(c.id, c.state, c.priority, c.claimed_by, c.verdict, c.version)
        yield stored, events.get(c.id, [])
