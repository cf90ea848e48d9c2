"""ORM models of press responses: the response of a case, every saved version, and comments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from monitor.store.base import Base, BigId, UtcDateTime


class ResponseRow(Base):
    """The press response of a case (one per case): its current text and where it stands."""

    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("case_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    outlet_key: Mapped[str | None] = mapped_column(String(100))  # a [[source]] key, when it names one
    outlet_name: Mapped[str | None] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer)  # the latest saved version (response_versions)
    submitted_version: Mapped[int | None] = mapped_column(Integer)  # the version sent for approval
    approved_version: Mapped[int | None] = mapped_column(Integer)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    channel: Mapped[str | None] = mapped_column(String(300))  # where it was published
    url: Mapped[str | None] = mapped_column(String(2048))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ResponseVersionRow(Base):
    """One saved version of a response's text: append-only (database triggers refuse UPDATE/DELETE)."""

    __tablename__ = "response_versions"
    __table_args__ = (UniqueConstraint("response_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id"))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    outlet_key: Mapped[str | None] = mapped_column(String(100))
    outlet_name: Mapped[str | None] = mapped_column(String(300))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class ResponseCommentRow(Base):
    """A comment on a response (a leader's reason for returning it, a reporter's reply): append-only."""

    __tablename__ = "response_comments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)  # the version it was written about
    action: Mapped[str] = mapped_column(String(20))  # comment | return | approve
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    text: Mapped[str] = mapped_column(Text)
