"""ORM models of the web app's own state: server-side sessions and the append-only audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from monitor.store.base import Base, BigId, Json, UtcDateTime


class WebSessionRow(Base):
    """One browser session; the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    client_addr: Mapped[str] = mapped_column(String(64))


class AuditRow(Base):
    """Who did (or tried) what, when, from where: append-only (database triggers refuse UPDATE/DELETE)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_actor", "action", "actor_name", "at"),
        Index("ix_audit_log_addr", "action", "client_addr", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str | None] = mapped_column(String(100))  # as typed at log-in, even when unknown
    action: Mapped[str] = mapped_column(String(40))
    object: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(10))  # ok | refused | failed
    client_addr: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")
