"""ORM models of the ingestion and analysis stages (the queue's tables live in queue_tables.py).

Rows never leave `monitor.store`: the store functions return our own dataclasses.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, validates

from monitor.store.base import Base, BigId, Json, UtcDateTime
from monitor.store.new_item import search_doc, url_hash
from monitor.store.records import MentionRecord


def _params(ctx: DefaultExecutionContext) -> dict[str, object]:
    """The row being inserted, for a column default computed from others."""
    params: dict[str, object] = ctx.get_current_parameters()  # type: ignore[no-untyped-call]
    return params


def _default_url_hash(ctx: DefaultExecutionContext) -> int | None:
    url = _params(ctx).get("url")
    return url_hash(url if isinstance(url, str) else None)


def _default_canonical_hash(ctx: DefaultExecutionContext) -> int | None:
    return url_hash(str(_params(ctx)["canonical_url"]))


def _default_search_doc(ctx: DefaultExecutionContext) -> str:
    p = {k: v if isinstance(v, str) else None for k, v in _params(ctx).items()}
    return search_doc(p.get("title"), p.get("text"), p.get("summary"))


class SourceRow(Base):
    """A configured outlet and its fetch health (config lives in sources.toml; this is state)."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(2048))
    kind: Mapped[str] = mapped_column(String(10))
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    failure_score: Mapped[float] = mapped_column(Float, default=0.0)
    last_success_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_unconditional_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_fetch_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # An admin's pause from the web app: a database override of sources.toml's `enabled`.
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # `monitor worker`: who is fetching it now, and until when the claim holds (store/claims.py)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    config_hash: Mapped[str | None] = mapped_column(String(64))  # fingerprint of the sources.toml entry


class ArticleRow(Base):
    """One press article, keyed by canonical URL; updated in place when its outlet edits it."""

    __tablename__ = "articles"
    __table_args__ = (
        # Unique on an 8-byte hash of the canonical URL, not the URL itself: a b-tree over URLs of up to
        # 2,048 characters was most of PostgreSQL's cost of a big ingest pass (migration 0009).
        UniqueConstraint("canonical_hash"),
        Index("ix_articles_pending_analysis", "analysed_at", "id"),
        Index("ix_articles_pending_extract", "extract_status", "next_extract_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    item_key: Mapped[str] = mapped_column(String(512))
    url: Mapped[str | None] = mapped_column(String(2048))  # the feed's URL, never rewritten
    url_hash: Mapped[int | None] = mapped_column(BigInteger, index=True, default=_default_url_hash)
    canonical_url: Mapped[str] = mapped_column(String(2048))
    canonical_hash: Mapped[int] = mapped_column(BigInteger, default=_default_canonical_hash)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    fetched_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    extract_status: Mapped[str] = mapped_column(
        String(10), default="pending"
    )  # pending|ok|failed|refused|none
    extract_attempts: Mapped[int] = mapped_column(Integer, default=0)
    extract_error: Mapped[str | None] = mapped_column(Text)
    next_extract_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    analysed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # `monitor worker`: who is fetching its page or analysing it now, and until when (store/claims.py)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # folded title + text for the search index (`search_doc()`; migration 0009)
    search_doc: Mapped[str | None] = mapped_column(Text, default=_default_search_doc)

    @validates("title", "text", "summary")
    def _keep_search_doc(self, key: str, value: str) -> str:
        """An ORM write of the title or text refreshes what the search index covers."""
        parts = {"title": self.title, "text": self.text, "summary": self.summary, key: value}
        self.search_doc = search_doc(parts["title"], parts["text"], parts["summary"])
        return value

    @validates("canonical_url", "url")
    def _keep_hash(self, key: str, value: str | None) -> str | None:
        """An ORM write of a URL rewrites its hash too (the unique index and lookups use the hash)."""
        setattr(self, "canonical_hash" if key == "canonical_url" else "url_hash", url_hash(value))
        return value


class TombstoneRow(Base):
    """A canonical URL we refused or removed: never ingested again."""

    __tablename__ = "tombstones"

    canonical_url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class FetchLogRow(Base):
    """One fetch of one source: what happened (append-only; the digest reports failures from it)."""

    __tablename__ = "fetch_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    elapsed: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20))  # ok|not_modified|failed
    http_status: Mapped[int | None] = mapped_column(Integer)
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class LeaseRow(Base):
    """A named lease (e.g. the one scheduler allowed to drive a database)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AnalysisRow(Base):
    """The current analysis of an article (re-analysis replaces it; the model version says which)."""

    __tablename__ = "analyses"
    __table_args__ = (Index("ix_analyses_flagged", "flagged", "article_id"),)

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(10))
    topic: Mapped[str | None] = mapped_column(String(40), index=True)
    topic_score: Mapped[float | None] = mapped_column(Float)
    topic_reason: Mapped[str | None] = mapped_column(Text)
    tone: Mapped[str | None] = mapped_column(String(20), index=True)
    tone_score: Mapped[float | None] = mapped_column(Float)
    tone_reason: Mapped[str | None] = mapped_column(Text)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reasons: Mapped[list[str]] = mapped_column(Json, default=list)
    skipped: Mapped[str | None] = mapped_column(Text)
    model_version: Mapped[str] = mapped_column(String(40), index=True)
    analysed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class MentionRow(Base):
    """One mention of a watch target inside an article."""

    __tablename__ = "mentions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    alias: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(10))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    snippet: Mapped[str] = mapped_column(Text)

    def as_dict(self) -> MentionRecord:
        """The export shape of a mention."""
        return MentionRecord(
            target=self.target,
            kind=self.kind,
            alias=self.alias,
            level=self.level,
            start=self.start,
            end=self.end,
            snippet=self.snippet,
        )
