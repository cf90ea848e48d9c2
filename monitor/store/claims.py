"""Work claims: how several `monitor worker` processes share due sources, pending pages and analyses.

A claim is taken with `SELECT … FOR UPDATE SKIP LOCKED` (two workers claiming at the same moment skip
each other's rows instead of waiting or taking them twice) and recorded on the row as a lease,
`claimed_by` + `claimed_until`, committed at once. The work itself runs outside any transaction; storing
its result clears the claim. A worker killed mid-batch leaves its claims behind: they expire, and the
rows are claimable again, so nothing is lost. SQLite has no SKIP LOCKED (its writers are serialised by
BEGIN IMMEDIATE, so the same code is still correct there, just never concurrent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from monitor.store.tables import ArticleRow, SourceRow


@dataclass(frozen=True)
class Claim:
    """Who claims work (host:pid) and for how long a claim holds before others may take it over."""

    holder: str
    ttl: timedelta


def claimable(model: Any, now: datetime) -> ColumnElement[bool]:
    """The only definition of "free to claim": never claimed, released, or the claim has expired."""
    return or_(model.claimed_until.is_(None), model.claimed_until < now)


def claim_rows(
    session: Session,
    model: Any,
    conditions: Sequence[ColumnElement[bool]],
    order_by: Sequence[Any],
    limit: int,
    claim: Claim,
    now: datetime,
) -> list[int]:
    """Claim up to `limit` rows of `model` meeting `conditions` (in `order_by` order); their ids."""
    ids = list(
        session.scalars(
            select(model.id)
            .where(*conditions, claimable(model, now))
            .order_by(*order_by)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        session.execute(
            update(model)
            .where(model.id.in_(ids))
            .values(claimed_by=claim.holder, claimed_until=now + claim.ttl)
        )
    return ids


def release_articles(session: Session, ids: Sequence[int], holder: str) -> None:
    """Give back claims this holder still has on these articles (pages or analyses left undone)."""
    _release(session, ArticleRow, ids, holder)


def release_sources(session: Session, ids: Sequence[int], holder: str) -> None:
    """Give back claims this holder still has on these sources (fetches left undone)."""
    _release(session, SourceRow, ids, holder)


def _release(session: Session, model: Any, ids: Sequence[int], holder: str) -> None:
    if ids:
        session.execute(
            update(model)
            .where(model.id.in_(list(ids)), model.claimed_by == holder)
            .values(claimed_by=None, claimed_until=None)
        )


def release_all_of(session: Session, holder: str) -> None:
    """Give back every claim of a holder known to be dead (a killed daemon of this host): its sources,
    pages and analyses are claimable at once instead of when the claims expire."""
    for model in (SourceRow, ArticleRow):
        session.execute(
            update(model).where(model.claimed_by == holder).values(claimed_by=None, claimed_until=None)
        )
