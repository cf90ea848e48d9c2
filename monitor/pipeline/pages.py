"""Pages stage: fetch the article page of new items and extract the main text.

An item whose page fails keeps its feed summary and is retried later (with growing delays, up to a
limit); a page whose rel=canonical names an article we already have is folded into it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from monitor.config import Config
from monitor.errors import BlockedAddressError, FetchError, MonitorError, ParseError
from monitor.extract import ExtractedArticle, extract_article
from monitor.fetch import Fetcher
from monitor.parse import canonical_url, plausible_canonical
from monitor.pipeline.ingest import fetch_limits
from monitor.store import articles as store_articles
from monitor.store.claims import Claim, release_articles
from monitor.store.db import Database

log = logging.getLogger(__name__)


@dataclass
class PagesReport:
    """Counts of one pages pass."""

    extracted: int = 0
    failed: int = 0
    merged: int = 0
    refused: int = 0


def trusted_hosts(config: Config) -> dict[str, str | None]:
    """Per source key, the one host its article pages may reach on a private address (its own host).

    `allow_private` trusts the source's own host (an intranet mirror, a test server), never a private
    address that the feed content names in an item link.
    """
    return {s.key: (urlsplit(s.url).hostname if s.allow_private else None) for s in config.sources}


async def fetch_pages(
    db: Database,
    config: Config,
    *,
    limit: int | None = None,
    on_page: Callable[[], object] | None = None,
    fetcher_factory: Callable[..., Fetcher] = Fetcher,
    stop: Callable[[], bool] | None = None,
    claim: Claim | None = None,
) -> PagesReport:
    """Fetch and extract pending article pages (at most `limit`, default [fetch].max_article_pages).

    With a `claim` (`monitor worker`), the pages are claimed first so no other worker fetches them;
    pages left undone when stopping are handed back.
    """
    now = datetime.now(UTC)
    size = limit or config.fetch.max_article_pages
    if claim is not None:
        with db.write() as session:
            pending = store_articles.claim_pages(session, claim, now, size)
    else:
        with db.read() as session:
            pending = store_articles.pending_pages(session, now, size)
    report = PagesReport()
    if not pending:
        return report
    try:
        await _fetch_all(db, config, pending, report, on_page, fetcher_factory, stop)
    finally:
        if claim is not None:  # saved pages cleared their claim; the rest go back at once
            with db.write() as session:
                release_articles(session, [p.id for p in pending], claim.holder)
    return report


async def _fetch_all(
    db: Database,
    config: Config,
    pending: list[store_articles.PendingPage],
    report: PagesReport,
    on_page: Callable[[], object] | None,
    fetcher_factory: Callable[..., Fetcher],
    stop: Callable[[], bool] | None,
) -> None:
    trusted = trusted_hosts(config)

    async with fetcher_factory(
        user_agent=config.fetch.user_agent,
        max_connections=config.fetch.concurrency,
        per_host=config.fetch.per_host,
        limits=fetch_limits(config),
    ) as fetcher:

        async def one(page: store_articles.PendingPage) -> None:
            if stop is not None and stop():  # stopping: the page stays pending for the next pass
                return
            extracted: ExtractedArticle | None = None
            error: MonitorError | None = None
            try:
                res = await fetcher.get(page.url, private_host=trusted.get(page.source_key))
                extracted = await asyncio.to_thread(
                    extract_article, res.body, dict(res.headers), res.final_url
                )
            except (FetchError, ParseError) as exc:
                error = exc
            except Exception as exc:  # one odd page must not stop the pass: recorded as a failed page
                log.exception("page extraction crashed article_id=%s", page.id)
                error = ParseError("Lỗi không mong đợi khi trích xuất bài viết.", detail=repr(exc))
            try:
                await asyncio.to_thread(_save, db, config, page, extracted, error, report)
            except Exception:  # e.g. a concurrent pass changed the row: the next pass retries it
                log.exception("saving page failed article_id=%s", page.id)
                report.failed += 1
            if on_page:
                on_page()

        await asyncio.gather(*(one(p) for p in pending))


def _save(
    db: Database,
    config: Config,
    page: store_articles.PendingPage,
    extracted: ExtractedArticle | None,
    error: MonitorError | None,
    report: PagesReport,
) -> None:
    now = datetime.now(UTC)
    with db.write() as session:
        if isinstance(error, BlockedAddressError):  # refused for good: retrying would knock again
            store_articles.save_extraction_refused(session, page.id, error.message, now)
            report.refused += 1
            log.warning("page refused article_id=%s url=%s error=%s", page.id, page.url, error.detail)
            return
        if extracted is None or not extracted.text.strip():
            message = error.message if error else "Không trích xuất được nội dung bài viết."
            store_articles.save_extraction_failure(
                session,
                page.id,
                message,
                now,
                retry=timedelta(minutes=config.fetch.extract_retry_minutes),
                max_attempts=config.fetch.max_extract_attempts,
            )
            report.failed += 1
            log.info("page failed article_id=%s error=%s", page.id, error)
            return
        canon = canonical_url(extracted.canonical_url, page.url) if extracted.canonical_url else None
        if canon is not None and not plausible_canonical(canon, page.url):
            canon = None  # a home page or another site: not this article's identity
        owner = store_articles.save_extraction(
            session,
            page.id,
            extracted.text,
            canon,
            now,
            title=extracted.title,
            published_at=extracted.published_at,
        )
        if owner is not None:
            report.merged += 1
        else:
            report.extracted += 1
