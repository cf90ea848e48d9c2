"""Server-side web sessions: rows keyed by the SHA-256 of the cookie's token (a stolen table opens nothing)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from monitor.store.queue_tables import UserRow
from monitor.store.users import User, user_of_row
from monitor.store.web_tables import WebSessionRow


@dataclass(frozen=True)
class StoredSession:
    """A session as stored."""

    user_id: int | None
    data: dict[str, Any]
    created_at: datetime
    last_seen_at: datetime
    user: User | None = None  # its user as stored (active or not), read with it


def token_hash(token: str) -> str:
    """The stored key of a session token."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def load_session(session: Session, token: str) -> StoredSession | None:
    """The session of `token`, if one is stored."""
    found = session.execute(
        select(WebSessionRow, UserRow)
        .outerjoin(UserRow, UserRow.id == WebSessionRow.user_id)
        .where(WebSessionRow.id_hash == token_hash(token))
    ).first()
    if found is None:
        return None
    row, user = found
    return StoredSession(
        row.user_id,
        dict(row.data or {}),
        row.created_at,
        row.last_seen_at,
        user_of_row(user) if user is not None else None,
    )


def create_session(
    session: Session, token: str, user_id: int | None, data: dict[str, Any], client_addr: str, now: datetime
) -> None:
    """Store a new session."""
    session.add(
        WebSessionRow(
            id_hash=token_hash(token),
            user_id=user_id,
            data=data,
            created_at=now,
            last_seen_at=now,
            client_addr=client_addr[:64],
        )
    )


def save_session(session: Session, token: str, user_id: int | None, data: dict[str, Any]) -> None:
    """Write a session's data (and the user it belongs to)."""
    session.execute(
        update(WebSessionRow)
        .where(WebSessionRow.id_hash == token_hash(token))
        .values(user_id=user_id, data=data)
    )


def touch_session(session: Session, token: str, now: datetime) -> None:
    """Record that the session was used now (the idle timeout counts from here)."""
    session.execute(
        update(WebSessionRow).where(WebSessionRow.id_hash == token_hash(token)).values(last_seen_at=now)
    )


def delete_session(session: Session, token: str) -> None:
    """End one session."""
    session.execute(delete(WebSessionRow).where(WebSessionRow.id_hash == token_hash(token)))


def delete_user_sessions(session: Session, user_id: int) -> int:
    """End every session of a user; how many there were."""
    result = session.execute(
        delete(WebSessionRow).where(WebSessionRow.user_id == user_id).returning(WebSessionRow.id_hash)
    )
    return len(result.all())


def count_user_sessions(session: Session, user_id: int) -> int:
    """How many sessions a user has open."""
    return len(list(session.scalars(select(WebSessionRow.id_hash).where(WebSessionRow.user_id == user_id))))


def purge_sessions(session: Session, seen_before: datetime, created_before: datetime) -> int:
    """Delete sessions past their idle or absolute timeout; how many."""
    result = session.execute(
        delete(WebSessionRow)
        .where((WebSessionRow.last_seen_at < seen_before) | (WebSessionRow.created_at < created_before))
        .returning(WebSessionRow.id_hash)
    )
    return len(result.all())
