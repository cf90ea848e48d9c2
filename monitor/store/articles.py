"""Articles: idempotent upsert keyed on canonical URL + content hash, extraction bookkeeping, tombstones."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, text, update
from sqlalchemy.orm import Session

from monitor.store.base import table_of
from monitor.store.db import upsert_insert
from monitor.store.tables import ArticleRow, SourceRow, TombstoneRow

CHUNK = 500  # keeps IN (...) lists under SQLite's variable limit


@dataclass(frozen=True)
class NewItem:
    """A feed item ready to store."""

    item_key: str
    url: str | None
    canonical_url: str
    title: str
    summary: str
    published_at: datetime | None
    content_hash: str


@dataclass(frozen=True)
class UpsertResult:
    """What an upsert did: ids of new and updated articles, count of unchanged and refused items."""

    new_ids: tuple[int, ...]
    updated_ids: tuple[int, ...]
    unchanged: int
    tombstoned: int


@dataclass(frozen=True)
class PendingPage:
    """An article whose page is still to be fetched and extracted."""

    id: int
    url: str
    source_key: str
    attempts: int


def _chunks(seq: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(seq), CHUNK):
        yield seq[i : i + CHUNK]


def upsert_items(
    session: Session, source_id: int, items: Sequence[NewItem], now: datetime, *, extract: bool
) -> UpsertResult:
    """Insert new items, update changed ones, leave the rest; safe against a parallel writer."""
    by_url: dict[str, NewItem] = {}
    for item in items:
        by_url.setdefault(item.canonical_url, item)
    urls = list(by_url)
    dead: set[str] = set()
    existing: dict[str, tuple[int, str]] = {}
    for part in _chunks(urls):
        dead.update(
            session.scalars(select(TombstoneRow.canonical_url).where(TombstoneRow.canonical_url.in_(part)))
        )
        # By canonical URL, and by feed URL: extraction may have moved an article to its rel=canonical.
        # Two queries, one index each (an OR of both scans far worse on PostgreSQL).
        for column in (ArticleRow.canonical_url, ArticleRow.url):
            q = select(column, ArticleRow.id, ArticleRow.content_hash).where(column.in_(part))
            existing.update({u: (i, h) for u, i, h in session.execute(q)})
    fresh = [by_url[u] for u in urls if u not in existing and u not in dead]
    new_ids: list[int] = []
    if fresh:
        status = "pending" if extract else "none"
        values = [
            dict(
                source_id=source_id,
                item_key=it.item_key,
                url=it.url,
                canonical_url=it.canonical_url,
                content_hash=it.content_hash,
                title=it.title,
                summary=it.summary,
                text="",
                published_at=it.published_at,
                fetched_at=now,
                updated_at=now,
                extract_status=status,
                extract_attempts=0,
            )
            for it in fresh
        ]
        # ON CONFLICT DO NOTHING: a parallel worker that inserted the same URL first wins, silently.
        # The Core table, not the ORM entity: ORM bulk-insert bookkeeping costs ~40 % of the ingest write.
        stmt = (
            upsert_insert(session, table_of(ArticleRow))
            .on_conflict_do_nothing(index_elements=["canonical_url"])
            .returning(table_of(ArticleRow).c.id)
        )
        for start in range(0, len(values), CHUNK):
            new_ids.extend(session.scalars(stmt, values[start : start + CHUNK]))
    updated_ids: list[int] = []
    for url, (article_id, old_hash) in existing.items():
        item = by_url[url]
        if item.content_hash == old_hash:
            continue
        changes = dict(
            title=item.title,
            summary=item.summary,
            content_hash=item.content_hash,
            updated_at=now,
            published_at=item.published_at,
            analysed_at=None,
        )
        if extract:
            changes.update(extract_status="pending", extract_attempts=0, next_extract_at=None)
        session.execute(update(ArticleRow).where(ArticleRow.id == article_id).values(**changes))
        updated_ids.append(article_id)
    unchanged = (
        len(items) - len(new_ids) - len(updated_ids) - sum(1 for it in items if it.canonical_url in dead)
    )
    return UpsertResult(tuple(new_ids), tuple(updated_ids), unchanged, len(dead))


def pending_pages(session: Session, now: datetime, limit: int) -> list[PendingPage]:
    """The only definition of "page still to fetch": pending extraction whose retry time has come."""
    q = (
        select(ArticleRow.id, ArticleRow.url, SourceRow.key, ArticleRow.extract_attempts)
        .join(SourceRow, SourceRow.id == ArticleRow.source_id)
        .where(
            ArticleRow.extract_status == "pending",
            ArticleRow.url.is_not(None),
            or_(ArticleRow.next_extract_at.is_(None), ArticleRow.next_extract_at <= now),
        )
        .order_by(ArticleRow.id)
        .limit(limit)
    )
    return [PendingPage(i, u, k, a) for i, u, k, a in session.execute(q)]


def save_extraction(
    session: Session,
    article_id: int,
    text: str,
    canonical_url: str | None,
    now: datetime,
    *,
    title: str | None = None,
    published_at: datetime | None = None,
) -> int | None:
    """Store extracted text; follow rel=canonical unless another article already owns it.

    Returns the id of the article that already owns that canonical URL when this one was a duplicate
    (it is then deleted and tombstoned so it is never ingested again), else None.
    """
    row = session.get(ArticleRow, article_id)
    if row is None:  # merged away by a concurrent pass meanwhile
        return None
    if canonical_url and canonical_url != row.canonical_url:
        owner = session.scalars(
            select(ArticleRow.id).where(ArticleRow.canonical_url == canonical_url)
        ).first()
        if owner is None:
            row.canonical_url = canonical_url
        elif not _in_story(session, article_id):
            add_tombstone(session, row.canonical_url, f"trùng bài {owner} (cùng địa chỉ chuẩn)", now)
            session.execute(delete(ArticleRow).where(ArticleRow.id == article_id))
            return owner
        # else: already part of a story (analysed on its feed summary): keep it rather than break the story
    row.text, row.extract_status, row.extract_error = text, "ok", None
    if title and not row.title:  # items found on html section pages have no title until now
        row.title = title
    if published_at and row.published_at is None:  # nor a date
        row.published_at = published_at
    row.extract_attempts += 1
    row.updated_at, row.analysed_at = now, None
    return None


def save_extraction_failure(
    session: Session, article_id: int, error: str, now: datetime, *, retry: timedelta, max_attempts: int
) -> None:
    """Record a failed page: the article keeps its feed summary and is retried later, up to a limit."""
    row = session.get(ArticleRow, article_id)
    if row is None:
        return
    row.extract_attempts += 1
    row.extract_error = error
    row.next_extract_at = now + retry * (2 ** (row.extract_attempts - 1))
    if row.extract_attempts >= max_attempts:
        row.extract_status = "failed"


def save_extraction_refused(session: Session, article_id: int, error: str, now: datetime) -> None:
    """Record a page the fetch guard refused: never retried; the article keeps its feed summary."""
    row = session.get(ArticleRow, article_id)
    if row is None:
        return
    row.extract_attempts += 1
    row.extract_status, row.extract_error = "refused", error
    row.next_extract_at = None
    row.updated_at = now


def _in_story(session: Session, article_id: int) -> bool:
    from monitor.store.queue_tables import StoryArticleRow

    return session.get(StoryArticleRow, article_id) is not None


def add_tombstone(session: Session, canonical_url: str, reason: str, now: datetime) -> None:
    """Remember a refused URL so it is never ingested again."""
    if session.get(TombstoneRow, canonical_url) is None:
        session.add(TombstoneRow(canonical_url=canonical_url, reason=reason, created_at=now))


def refresh_statistics(session: Session) -> None:
    """Let PostgreSQL's planner see how big `articles` has grown (no-op on SQLite).

    A fresh table has no statistics, so the per-feed lookups by URL run as sequential scans until
    autovacuum gets round to it (a minute or more): a first big pass is four times slower without this.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE articles"))
