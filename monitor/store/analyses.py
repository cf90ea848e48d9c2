"""Analyses and mentions: which articles wait for analysis, and storing the results in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, delete, func, or_, select, true, update
from sqlalchemy.orm import Session

from monitor.store.articles import awaiting_page
from monitor.store.base import table_of
from monitor.store.claims import Claim, claim_rows
from monitor.store.queue_tables import StoryArticleRow
from monitor.store.records import AnalysisRecord as AnalysisRecord
from monitor.store.records import PendingArticle as PendingArticle
from monitor.store.tables import AnalysisRow, ArticleRow, MentionRow, SourceRow


def _waiting(stale_version: str | None) -> tuple[Select[tuple[int]], ColumnElement[bool]]:
    """The only definition of "waiting for analysis": never analysed since its text last changed.

    With `stale_version`, also articles analysed by any other model version (re-analysis).
    Returns the FROM clause to select from and the condition.
    """
    cond: ColumnElement[bool] = ArticleRow.analysed_at.is_(None)
    q = select(ArticleRow.id).join(SourceRow, SourceRow.id == ArticleRow.source_id)
    if stale_version is not None:
        q = q.outerjoin(AnalysisRow, AnalysisRow.article_id == ArticleRow.id)
        cond = or_(cond, AnalysisRow.model_version.is_(None), AnalysisRow.model_version != stale_version)
    return q, cond


def pending_analysis(
    session: Session, *, limit: int, after_id: int = 0, stale_version: str | None = None
) -> list[PendingArticle]:
    """Articles waiting for analysis (see `_waiting`), in id order after `after_id`."""
    base, cond = _waiting(stale_version)
    q = base.with_only_columns(
        ArticleRow.id,
        ArticleRow.title,
        ArticleRow.text,
        ArticleRow.summary,
        SourceRow.key,
        SourceRow.weight,
        maintain_column_froms=True,
    )
    q = q.where(cond, ArticleRow.id > after_id).order_by(ArticleRow.id).limit(limit)
    return [
        PendingArticle(i, t or "", text or summary or "", k, w)
        for i, t, text, summary, k, w in session.execute(q)
    ]


def claim_analysis(session: Session, claim: Claim, now: datetime, limit: int) -> list[PendingArticle]:
    """Claim up to `limit` articles waiting for analysis that no other worker holds, in id order.

    An article whose page is about to be fetched waits for it (analysing its feed summary first would
    only be redone once the text arrives).
    """
    _, cond = _waiting(None)
    ids = claim_rows(session, ArticleRow, [cond, ~awaiting_page(now)], (ArticleRow.id,), limit, claim, now)
    if not ids:
        return []
    base, _ = _waiting(None)
    q = base.with_only_columns(
        ArticleRow.id,
        ArticleRow.title,
        ArticleRow.text,
        ArticleRow.summary,
        SourceRow.key,
        SourceRow.weight,
        maintain_column_froms=True,
    )
    rows = session.execute(q.where(ArticleRow.id.in_(ids)).order_by(ArticleRow.id))
    return [PendingArticle(i, t or "", text or summary or "", k, w) for i, t, text, summary, k, w in rows]


def relevant_to_queue() -> ColumnElement[bool]:
    """The only definition of "relevant to the queue": the article mentions a watched target, or a rule
    that needs no mention flagged it (join AnalysisRow). Only these are clustered into stories."""
    mentioned = select(MentionRow.id).where(MentionRow.article_id == ArticleRow.id).exists()
    return or_(AnalysisRow.flagged.is_(True), mentioned)


def _in_story() -> ColumnElement[bool]:
    return select(StoryArticleRow.article_id).where(StoryArticleRow.article_id == ArticleRow.id).exists()


def for_queue(session: Session, article_ids: Sequence[int]) -> list[int]:
    """Which of these analysed articles the queue stage must see: the relevant ones, and those already in a
    story (re-analysed or edited: their story's mentions, topic and tone are recomputed)."""
    ids = list(article_ids)
    out: list[int] = []
    for i in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
        q = (
            select(ArticleRow.id)
            .join(AnalysisRow, AnalysisRow.article_id == ArticleRow.id)
            .where(ArticleRow.id.in_(ids[i : i + 500]), or_(relevant_to_queue(), _in_story()))
            .order_by(ArticleRow.id)
        )
        out.extend(session.scalars(q))
    return out


def count_pending_analysis(session: Session, *, stale_version: str | None = None) -> int:
    """How many articles wait for analysis (the same definition as `pending_analysis`)."""
    base, cond = _waiting(stale_version)
    return session.scalar(base.with_only_columns(func.count(), maintain_column_froms=True).where(cond)) or 0


def unqueued_relevant(
    session: Session, since: datetime, *, before: datetime | None = None, limit: int = 5000
) -> list[int]:
    """Analysed since `since` (and before `before`), relevant to the queue, yet in no story.

    Normally empty: the analyse stage queues such articles right after storing them. A crash between
    the two leaves them here, and the next pass picks them up.
    """
    q = (
        select(ArticleRow.id)
        .join(AnalysisRow, AnalysisRow.article_id == ArticleRow.id)
        .where(ArticleRow.analysed_at >= since, relevant_to_queue(), ~_in_story())
        .where(ArticleRow.analysed_at < before if before is not None else true())
        .order_by(ArticleRow.id)
        .limit(limit)
    )
    return list(session.scalars(q))


def save_analyses(session: Session, records: Sequence[AnalysisRecord], now: datetime) -> None:
    """Replace the analyses and mentions of these articles and mark them analysed."""
    ids = [r.article_id for r in records]
    if not ids:
        return
    # Two processes analysing the same articles (a `monitor fetch` beside `monitor run`) take turns here:
    # row locks on PostgreSQL (SQLite's BEGIN IMMEDIATE already serialises writers).
    session.execute(select(ArticleRow.id).where(ArticleRow.id.in_(ids)).with_for_update())
    session.execute(delete(MentionRow).where(MentionRow.article_id.in_(ids)))
    session.execute(delete(AnalysisRow).where(AnalysisRow.article_id.in_(ids)))
    # The Core table, not ORM objects: building 500 entities a batch cost more than the INSERT itself.
    session.execute(
        table_of(AnalysisRow).insert(),
        [
            dict(
                article_id=r.article_id,
                language=r.language,
                topic=r.topic,
                topic_score=r.topic_score,
                topic_reason=r.topic_reason,
                tone=r.tone,
                tone_score=r.tone_score,
                tone_reason=r.tone_reason,
                flagged=r.flagged,
                flag_reasons=list(r.flag_reasons),
                skipped=r.skipped,
                model_version=r.model_version,
                analysed_at=now,
            )
            for r in records
        ],
    )
    mention_rows = [dict(article_id=r.article_id, **m) for r in records for m in r.mentions]
    if mention_rows:
        session.execute(table_of(MentionRow).insert(), mention_rows)
    session.execute(
        update(ArticleRow)
        .where(ArticleRow.id.in_(ids))
        .values(analysed_at=now, claimed_by=None, claimed_until=None)  # analysed: the claim is done
    )
