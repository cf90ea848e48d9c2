"""ORM models of the queue stage: users, stories, story membership, LSH bands, cases, events, corrections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from monitor.store.base import Base, BigId, Json, UtcDateTime


class UserRow(Base):
    """A person who acts on cases (every event names one)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(320))  # where alerts go; None = no alerts by mail
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    password_hash: Mapped[str | None] = mapped_column(String(200))  # argon2id; None = cannot log in


class StoryRow(Base):
    """One story told by one or more articles, with its aggregates (recomputed as articles join)."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    first_article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    first_source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    article_count: Mapped[int] = mapped_column(Integer, default=1)
    outlet_count: Mapped[int] = mapped_column(Integer, default=1)
    outlets: Mapped[list[str]] = mapped_column(Json, default=list)
    targets: Mapped[list[str]] = mapped_column(Json, default=list)
    topic: Mapped[str | None] = mapped_column(String(40))
    topic_reason: Mapped[str | None] = mapped_column(Text)
    tone: Mapped[str | None] = mapped_column(String(20))
    tone_score: Mapped[float | None] = mapped_column(Float)
    tone_reason: Mapped[str | None] = mapped_column(Text)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reasons: Mapped[list[str]] = mapped_column(Json, default=list)
    max_outlet_weight: Mapped[float] = mapped_column(Float, default=1.0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StoryArticleRow(Base):
    """Membership: each article belongs to exactly one story (the primary key makes that so)."""

    __tablename__ = "story_articles"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), index=True)
    similarity: Mapped[float | None] = mapped_column(Float)  # to the article that matched; None = founder
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ArticleSignatureRow(Base):
    """An article's MinHash and shingle count, kept to verify LSH candidates."""

    __tablename__ = "article_signatures"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    shingles: Mapped[int] = mapped_column(Integer)
    minhash: Mapped[bytes] = mapped_column(LargeBinary)


class StoryBandRow(Base):
    """One LSH band key of an article; (band_key, seen_at) is the index candidate lookup walks."""

    __tablename__ = "story_bands"
    __table_args__ = (Index("ix_story_bands_key_seen", "band_key", "seen_at", "article_id"),)

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    band: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    band_key: Mapped[int] = mapped_column(BigId)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CaseRow(Base):
    """The verification case of a flagged story: one per story, ever (unique story_id)."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("story_id"),
        # the queue's first page: filter by state and/or priority, order by rank, deadline
        Index("ix_cases_queue", "state", "priority_rank", "deadline_at", "id"),
        # carries the state: the open queue's page ids and count come from this index alone (0011)
        Index("ix_cases_priority_queue", "priority_rank", "deadline_at", "id", "state"),
        Index("ix_cases_claimed_by", "claimed_by", "priority_rank", "deadline_at"),
        Index("ix_cases_assignee", "assignee_id", "priority_rank", "deadline_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"))
    state: Mapped[str] = mapped_column(String(20))
    priority: Mapped[str] = mapped_column(String(10))
    priority_rank: Mapped[int] = mapped_column(SmallInteger)
    priority_reasons: Mapped[list[str]] = mapped_column(Json, default=list)
    priority_locked: Mapped[bool] = mapped_column(Boolean, default=False)  # a leader set it: stage keeps off
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claim_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    verdict: Mapped[str | None] = mapped_column(String(20))
    response_url: Mapped[str | None] = mapped_column(String(2048))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # a leader's assignment


class CaseEventRow(Base):
    """One transition of a case: append-only (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the pipeline itself
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)  # the case version this event produced
    note: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list[str]] = mapped_column(Json, default=list)
    data: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    # SHA-256 over the previous event of the case and this one (monitor.store.audit.event_hash)
    chain_hash: Mapped[str | None] = mapped_column(String(64))


class CorrectionRow(Base):
    """A collaborator's correction of the models' labels (training data for `monitor train`)."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    wrong_target: Mapped[bool] = mapped_column(Boolean, default=False)
    topic: Mapped[str | None] = mapped_column(String(40))  # corrected topic, None = the model was right
    tone: Mapped[str | None] = mapped_column(String(20))
    verdict: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ArticleEventTermsRow(Base):
    """What event matching keeps of an article that names a watched target (queue.events.EventText)."""

    __tablename__ = "article_event_terms"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    terms: Mapped[dict[str, int]] = mapped_column(Json, default=dict)  # folded content term → count
    names: Mapped[list[str]] = mapped_column(Json, default=list)  # folded proper names


class StoryRelationRow(Base):
    """Two stories that may tell one event: suggested by the queue stage, confirmed or split by a person.

    One row per pair (story_a < story_b). A split is final for the pipeline: it never suggests the pair again.
    """

    __tablename__ = "story_relations"
    __table_args__ = (UniqueConstraint("story_a", "story_b"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    story_a: Mapped[int] = mapped_column(ForeignKey("stories.id"))
    story_b: Mapped[int] = mapped_column(ForeignKey("stories.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))  # suggested | confirmed | split
    score: Mapped[float | None] = mapped_column(Float)  # the matcher's cosine; None = linked by a person
    names: Mapped[list[str]] = mapped_column(Json, default=list)  # names both reports give
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
