"""ORM models of the outboxes: one row per mail we owe (a digest per day and recipient, an alert per event).

A row is committed in state `sending` before the SMTP server is called, so a crash between the two leaves
a visible `sending` row for an operator rather than a silent second send.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from monitor.store.base import Base, BigId, UtcDateTime


class DigestOutboxRow(Base):
    """The daily digest owed to one recipient: exactly one row per (day, recipient), ever."""

    __tablename__ = "digest_outbox"
    __table_args__ = (UniqueConstraint("digest_date", "recipient"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    digest_date: Mapped[date] = mapped_column(Date)
    recipient: Mapped[str] = mapped_column(String(320))
    state: Mapped[str] = mapped_column(String(10))  # sending | sent | retry | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    message_id: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AlertOutboxRow(Base):
    """One alert owed to one recipient (an e-mail address, or "webhook"): once per (case, event, recipient)."""

    __tablename__ = "alert_outbox"
    __table_args__ = (
        UniqueConstraint("case_id", "event_key", "recipient"),
        Index("ix_alert_outbox_state_recipient", "state", "recipient"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    event: Mapped[str] = mapped_column(String(20))  # critical | overdue | assigned | approval
    event_key: Mapped[str] = mapped_column(String(60))  # event plus what makes it new (e.g. a version)
    recipient: Mapped[str] = mapped_column(String(320))
    recipient_name: Mapped[str] = mapped_column(String(300), default="")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)  # critical: ignores quiet hours
    reason: Mapped[str] = mapped_column(Text)  # the one sentence saying why (Vietnamese)
    title: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10))  # pending | sending | sent | retry | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    message_id: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
