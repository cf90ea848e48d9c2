"""The export query: articles with their source, analysis, mentions, story and case, in batches."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.store.records import MentionRecord
from monitor.store.tables import AnalysisRow, ArticleRow, MentionRow, SourceRow


def export_batches(
    session: Session, since: datetime | None, *, batch: int = 1000
) -> Iterator[list[dict[str, Any]]]:
    """Raw export records (datetimes as aware UTC), oldest first, keyset-paginated by article id."""
    from monitor.store.cases import story_and_case_status

    last = 0
    while True:
        q = (
            select(ArticleRow, SourceRow.key, AnalysisRow)
            .join(SourceRow, SourceRow.id == ArticleRow.source_id)
            .outerjoin(AnalysisRow, AnalysisRow.article_id == ArticleRow.id)
            .where(ArticleRow.id > last)
        )
        if since is not None:
            q = q.where(ArticleRow.fetched_at >= since)
        rows = list(session.execute(q.order_by(ArticleRow.id).limit(batch)))
        if not rows:
            return
        ids = [a.id for a, _, _ in rows]
        mentions: dict[int, list[MentionRecord]] = {}
        for m in session.scalars(
            select(MentionRow).where(MentionRow.article_id.in_(ids)).order_by(MentionRow.id)
        ):
            mentions.setdefault(m.article_id, []).append(m.as_dict())
        stories = story_and_case_status(session, ids)
        out = []
        for art, source_key, an in rows:
            story_id, case_status = stories.get(art.id, (None, None))
            out.append(
                {
                    "id": art.id,
                    "url": art.url,
                    "canonical_url": art.canonical_url,
                    "source": source_key,
                    "title": art.title,
                    "published_at": art.published_at,
                    "fetched_at": art.fetched_at,
                    "text": art.text or art.summary,
                    "mentions": mentions.get(art.id, []) if an is not None else None,
                    "topic": an.topic if an else None,
                    "topic_score": an.topic_score if an else None,
                    "tone": an.tone if an else None,
                    "tone_score": an.tone_score if an else None,
                    "flagged": an.flagged if an else None,
                    "flag_reasons": list(an.flag_reasons) if an else None,
                    "story_id": story_id,
                    "case_status": case_status,
                }
            )
        yield out
        last = ids[-1]
