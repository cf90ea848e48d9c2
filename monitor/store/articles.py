"""Articles: idempotent upsert keyed on canonical URL + content hash, extraction bookkeeping, tombstones."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    String,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from monitor.store.base import table_of
from monitor.store.claims import Claim, claim_rows
from monitor.store.db import among
from monitor.store.new_item import NewItem, url_hash
from monitor.store.tables import ArticleRow, SourceRow, TombstoneRow

CHUNK = 500  # keeps IN (...) lists under SQLite's variable limit


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


def _chunks(seq: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


@dataclass
class _Plan:
    """What one feed's items do: new URLs to insert, articles to update, counts."""

    source_id: int
    items: Sequence[NewItem]
    fresh: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    dead: int = 0


def upsert_items(
    session: Session, source_id: int, items: Sequence[NewItem], now: datetime, *, extract: bool
) -> UpsertResult:
    """Insert new items, update changed ones, leave the rest; safe against a parallel writer."""
    return upsert_many(session, [(source_id, items)], now, extract=extract)[0]


def upsert_many(
    session: Session,
    feeds: Sequence[tuple[int, Sequence[NewItem]]],
    now: datetime,
    *,
    extract: bool,
) -> list[UpsertResult]:
    """`upsert_items` for several feeds in a few statements (one lookup, one INSERT, one UPDATE batch).

    Feeds are taken in order: a URL a feed has already brought in this call is "existing" for the
    feeds after it, exactly as if each feed were upserted on its own.
    """
    wanted: dict[str, NewItem] = {}
    for _, items in feeds:
        for item in items:
            wanted.setdefault(item.canonical_url, item)
    urls = list(wanted)
    dead: set[str] = set()
    known: dict[str, tuple[int | None, str]] = {}  # url → (article id, content hash) as of now
    if urls:
        for cond in among(session, TombstoneRow.canonical_url, urls, String):
            dead.update(session.scalars(select(TombstoneRow.canonical_url).where(cond)))
        hashes = [wanted[u].canonical_hash for u in urls]
        # By canonical URL, and by feed URL: extraction may have moved an article to its rel=canonical.
        # Two queries, one index each (an OR of both scans far worse on PostgreSQL); the hash finds the
        # rows, the URL itself decides.
        cols = (ArticleRow.canonical_url, ArticleRow.url, ArticleRow.id, ArticleRow.content_hash)
        for hash_col, url_pos in ((ArticleRow.canonical_hash, 0), (ArticleRow.url_hash, 1)):
            for cond in among(session, hash_col, hashes, BigInteger):
                for row in session.execute(select(*cols).where(cond)):
                    if row[url_pos] in wanted:
                        known[row[url_pos]] = (row[2], row[3])
    plans: list[_Plan] = []
    latest: dict[str, NewItem] = {}  # url → the item whose content an update writes
    for source_id, items in feeds:
        plan = _Plan(source_id, items)
        seen: set[str] = set()
        for item in items:
            url = item.canonical_url
            if url in seen:
                continue
            seen.add(url)
            if url in dead:
                plan.dead += sum(1 for it in items if it.canonical_url == url)
            elif url not in known:
                known[url] = (None, item.content_hash)
                plan.fresh.append(url)
            elif known[url][1] != item.content_hash:
                known[url] = (known[url][0], item.content_hash)
                latest[url] = item
                plan.updated.append(url)
        plans.append(plan)
    ids = _insert_fresh(session, plans, now, extract)
    for url, (article_id, _) in known.items():
        if article_id is not None:
            ids.setdefault(url, article_id)
    _update_changed(session, latest, ids, now, extract)
    results = []
    for plan in plans:
        new_ids = tuple(ids[u] for u in plan.fresh if u in ids)
        updated_ids = tuple(dict.fromkeys(ids[u] for u in plan.updated if u in ids))
        unchanged = len(plan.items) - len(new_ids) - len(updated_ids) - plan.dead
        results.append(UpsertResult(new_ids, updated_ids, unchanged, plan.dead))
    return results


def _insert_fresh(session: Session, plans: Sequence[_Plan], now: datetime, extract: bool) -> dict[str, int]:
    """Insert every plan's new URLs in one multi-row INSERT; url → id of the rows this call inserted."""
    status = "pending" if extract else "none"
    rows: list[tuple[Any, ...]] = []  # in _NEW_COLUMNS order
    for plan in plans:
        by_url = {it.canonical_url: it for it in reversed(plan.items)}  # the first item of each URL
        for url in plan.fresh:
            it = by_url[url]
            rows.append(
                (
                    plan.source_id,
                    it.item_key,
                    it.url,
                    it.url_hash,
                    url,
                    it.canonical_hash,
                    it.content_hash,
                    it.title,
                    it.summary,
                    "",  # text
                    it.published_at,
                    now,  # fetched_at
                    now,  # updated_at
                    status,  # extract_status
                    0,  # extract_attempts
                    it.search_doc,
                )
            )
    if not rows:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        return _insert_copy(session, rows)
    return _insert_sqlite(session, rows)


def _insert_sqlite(session: Session, rows: Sequence[tuple[Any, ...]]) -> dict[str, int]:
    """SQLite: multi-row INSERT … ON CONFLICT DO NOTHING RETURNING, sent through the driver.

    ON CONFLICT DO NOTHING: a parallel writer that inserted the same URL first wins, silently. The
    statement goes to sqlite3 directly with each value bound by its column type's own processor (only
    the datetimes have one, and a pass repeats the same few): SQLAlchemy's insertmanyvalues path cost
    twice the insert itself.
    """
    table = table_of(ArticleRow)
    dialect = session.get_bind().dialect
    procs = [(i, p) for i, c in enumerate(_NEW_COLUMNS) if (p := table.c[c].type.bind_processor(dialect))]
    bound: dict[tuple[int, Any], Any] = {}
    row_marks = "(" + ", ".join("?" * len(_NEW_COLUMNS)) + ")"
    conn = session.connection().connection.driver_connection
    assert conn is not None
    ids: dict[str, int] = {}
    for part in _chunks(rows, CHUNK):
        params: list[Any] = []
        for row in part:
            values = list(row)
            for i, proc in procs:
                key = (i, values[i])
                if key not in bound:
                    bound[key] = proc(values[i])
                values[i] = bound[key]
            params += values
        cur = conn.execute(
            f"INSERT INTO articles ({_NEW_COLUMN_LIST}) VALUES {', '.join([row_marks] * len(part))} "
            "ON CONFLICT (canonical_hash) DO NOTHING RETURNING id, canonical_url",
            params,
        )
        ids.update({url: i for i, url in cur.fetchall()})
    return ids


# The columns of a new article row and their PostgreSQL types (the staging table of `_insert_copy`).
_NEW_COLUMNS = {
    "source_id": "int",
    "item_key": "text",
    "url": "text",
    "url_hash": "bigint",
    "canonical_url": "text",
    "canonical_hash": "bigint",
    "content_hash": "text",
    "title": "text",
    "summary": "text",
    "text": "text",
    "published_at": "timestamptz",
    "fetched_at": "timestamptz",
    "updated_at": "timestamptz",
    "extract_status": "text",
    "extract_attempts": "int",
    "search_doc": "text",
}
_NEW_COLUMN_LIST = ", ".join(_NEW_COLUMNS)
# Per connection, emptied at every commit; IF NOT EXISTS makes it safe behind a transaction pooler too.
_PG_STAGE = (
    "CREATE TEMP TABLE IF NOT EXISTS articles_stage ("
    + ", ".join(f"{c} {t}" for c, t in _NEW_COLUMNS.items())
    + ") ON COMMIT DELETE ROWS"
)


def _insert_copy(session: Session, rows: Sequence[tuple[Any, ...]]) -> dict[str, int]:
    """PostgreSQL: COPY the new rows into a temporary staging table, then one INSERT … SELECT.

    A multi-row VALUES list has a placeholder per cell, and psycopg rewrites that query text on every
    call (it cost more than the server's work); COPY streams rows in psycopg's C code.
    """
    conn = session.connection().connection.driver_connection
    assert conn is not None
    with conn.cursor() as cur:
        cur.execute(_PG_STAGE)
        with cur.copy(f"COPY articles_stage ({_NEW_COLUMN_LIST}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute(
            f"INSERT INTO articles ({_NEW_COLUMN_LIST}) SELECT {_NEW_COLUMN_LIST} FROM articles_stage "
            "ON CONFLICT (canonical_hash) DO NOTHING RETURNING id, canonical_url"
        )
        inserted = cur.fetchall()
        cur.execute("DELETE FROM articles_stage")
    return {url: i for i, url in inserted}


def _update_changed(
    session: Session, latest: dict[str, NewItem], ids: dict[str, int], now: datetime, extract: bool
) -> None:
    """Write the outlets' edits: new title/summary/hash, analysis (and extraction) to be redone."""
    rows = [
        dict(
            _id=ids[url],
            title=item.title,
            summary=item.summary,
            new_title=item.title,
            new_summary=item.summary,
            content_hash=item.content_hash,
            updated_at=now,
            published_at=item.published_at,
            analysed_at=None,
        )
        # in id order: two writers at once lock the rows they share in one order, never in a cycle
        for url, item in sorted(latest.items(), key=lambda kv: ids.get(kv[0], 0))
        if url in ids
    ]
    if not rows:
        return
    table = table_of(ArticleRow)
    # the article's extracted text (if any) stays: its folded search document is recomputed in SQL
    doc = func.monitor_fold(
        bindparam("new_title", type_=String)
        + " "
        + func.coalesce(func.nullif(table.c.text, ""), bindparam("new_summary", type_=String))
    )
    stmt = update(table).where(table.c.id == bindparam("_id")).values(search_doc=doc)
    if extract:
        stmt = stmt.values(extract_status="pending", extract_attempts=0, next_extract_at=None)
    session.execute(stmt, rows)


def _page_due(now: datetime) -> list[ColumnElement[bool]]:
    """The only definition of "page still to fetch": pending extraction whose retry time has come."""
    return [
        ArticleRow.extract_status == "pending",
        ArticleRow.url.is_not(None),
        or_(ArticleRow.next_extract_at.is_(None), ArticleRow.next_extract_at <= now),
    ]


def awaiting_page(now: datetime) -> ColumnElement[bool]:
    """Whether an article's page is to be fetched now (its analysis had better wait for the text)."""
    return and_(*_page_due(now))


def _pages(session: Session, conditions: Sequence[ColumnElement[bool]], limit: int) -> list[PendingPage]:
    q = (
        select(ArticleRow.id, ArticleRow.url, SourceRow.key, ArticleRow.extract_attempts)
        .join(SourceRow, SourceRow.id == ArticleRow.source_id)
        .where(*conditions)
        .order_by(ArticleRow.id)
        .limit(limit)
    )
    return [PendingPage(i, u, k, a) for i, u, k, a in session.execute(q)]


def pending_pages(session: Session, now: datetime, limit: int) -> list[PendingPage]:
    """Pages still to fetch (see `_page_due`), oldest article first."""
    return _pages(session, _page_due(now), limit)


def claim_pages(session: Session, claim: Claim, now: datetime, limit: int) -> list[PendingPage]:
    """Claim up to `limit` pages still to fetch that no other worker holds."""
    ids = claim_rows(session, ArticleRow, _page_due(now), (ArticleRow.id,), limit, claim, now)
    return _pages(session, [ArticleRow.id.in_(ids)], limit) if ids else []


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
            select(ArticleRow.id).where(
                ArticleRow.canonical_hash == url_hash(canonical_url),
                ArticleRow.canonical_url == canonical_url,
            )
        ).first()
        if owner is None:
            row.canonical_url = canonical_url
        elif not _in_story(session, article_id):
            add_tombstone(session, row.canonical_url, f"trùng bài {owner} (cùng địa chỉ chuẩn)", now)
            session.execute(delete(ArticleRow).where(ArticleRow.id == article_id))
            return owner
        # else: already part of a story (analysed on its feed summary): keep it rather than break the story
    row.text, row.extract_status, row.extract_error = text, "ok", None
    row.claimed_by = row.claimed_until = None
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
    row.claimed_by = row.claimed_until = None
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
    Only the columns those lookups use: the row count comes with any ANALYZE, and sampling the text
    columns too cost 30× more. A column list leaves autovacuum's own count of changes as it is, so its
    full ANALYZE still follows.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE articles (canonical_hash, url_hash)"))
