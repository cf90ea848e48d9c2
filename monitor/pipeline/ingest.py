"""Ingest stage: due sources → fetch → parse → store, concurrently, one transaction per batch of sources.

Each source's items, validators and health are committed together, so a crash (kill -9) mid-pass
loses nothing already stored and the next pass neither skips nor duplicates anything.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from monitor.config import Config, Source
from monitor.errors import FetchError, MonitorError, ParseError
from monitor.fetch import Fetcher, FetchLimits, FetchResult, Validators
from monitor.fetch import health as fhealth
from monitor.pipeline.parse_workers import ParseJob, ParseWorkers, parse_rows
from monitor.store import articles as store_articles
from monitor.store import sources as store_sources
from monitor.store.claims import Claim
from monitor.store.db import Database
from monitor.store.new_item import NewItem

log = logging.getLogger(__name__)

PARALLEL_PARSE_MIN_SOURCES = 8  # below this, worker processes cost more than they save
PARSE_WORKERS = 2
WRITE_BATCH = 32
WRITE_LINGER = 0.1  # seconds a write waits for more finished sources to join its transaction
# Transactions writing at once. PostgreSQL does the index work (the full-text index most) in one server
# process per connection: two writers use both cores once parsing is done, where one left a tail of
# writes after the last fetch. SQLite has one writer at a time anyway.
PG_WRITERS = 2
MAX_CLAIM = 100_000  # due sources one pass claims when not told otherwise: all of them
ANALYZE_AFTER = 2000  # new articles in one pass after which PostgreSQL's statistics are refreshed


@dataclass
class SourceReport:
    """What one source did in a pass (rendered by the CLI as one table row)."""

    key: str
    name: str
    status: str = "pending"  # ok | not_modified | failed
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    elapsed: float = 0.0
    error: str | None = None
    error_kind: str | None = None  # FailureKind value of a failed source: "dns", "transient", "hard"…
    new_ids: tuple[int, ...] = ()
    updated_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class _Fetched:
    state: store_sources.SourceState
    source: Source
    started: datetime
    result: FetchResult | None
    items: tuple[NewItem, ...]
    error: MonitorError | None
    elapsed: float
    unconditional: bool


def fetch_limits(config: Config) -> FetchLimits:
    """FetchLimits from the [fetch] table."""
    f = config.fetch
    return FetchLimits(deadline=f.deadline, max_bytes=int(f.max_body_mb * 2**20))


async def _fetch_one(
    fetcher: Fetcher,
    config: Config,
    state: store_sources.SourceState,
    src: Source,
    now: datetime,
    workers: ParseWorkers | None,
) -> _Fetched:
    health = fhealth.Health(**state.health)
    unconditional = fhealth.wants_unconditional(
        health, now, timedelta(hours=config.fetch.unconditional_hours)
    )
    t0 = time.perf_counter()
    result: FetchResult | None = None
    items: tuple[NewItem, ...] = ()
    error: MonitorError | None = None
    try:
        result = await fetcher.get(
            src.url,
            validators=Validators(state.etag, state.last_modified),
            allow_private=src.allow_private,
            unconditional=unconditional,
        )
        if not result.not_modified:
            job: ParseJob = (
                src.kind,
                result.body,
                dict(result.headers),
                result.final_url,
                config.fetch.max_items,
                config.fetch.max_url_len,
                src.key,
            )
            items = parse_rows(*job) if workers is None else await workers.parse(job)
    except (FetchError, ParseError) as exc:
        error = exc
    except Exception as exc:  # a bug in one source must not stop the pass; it is logged and shown
        log.exception("unexpected error source_key=%s", src.key)
        error = ParseError("Lỗi không mong đợi khi xử lý nguồn tin.", detail=repr(exc))
    return _Fetched(state, src, now, result, items, error, time.perf_counter() - t0, unconditional)


def _refresh_statistics(db: Database) -> None:
    with db.write() as session:
        store_articles.refresh_statistics(session)


def _write(db: Database, config: Config, batch: list[_Fetched], rng: random.Random) -> list[SourceReport]:
    """Store a batch of fetched sources in one transaction (items + validators + health + log)."""
    reports = []
    fed = [f for f in batch if f.error is None and f.result is not None and not f.result.not_modified]
    with db.write() as session:
        now = datetime.now(UTC)
        stored = store_articles.upsert_many(
            session,
            [(f.state.id, f.items) for f in fed],
            now,
            extract=config.fetch.article_pages,
        )
        upserted = {f.state.id: res for f, res in zip(fed, stored, strict=True)}
        outcomes = []
        for f in batch:
            rep = SourceReport(key=f.source.key, name=f.source.name, elapsed=f.elapsed)
            health = fhealth.Health(**f.state.health)
            interval = timedelta(minutes=config.interval_of(f.source))
            etag, last_modified = f.state.etag, f.state.last_modified
            http_status = f.result.status if f.result else getattr(f.error, "status", None)
            if f.error is not None:
                # A parse error is a hard failure of the source (not a feed, broken feed).
                err = (
                    f.error
                    if isinstance(f.error, FetchError)
                    else FetchError(f.error.message, detail=f.error.detail)
                )
                health = fhealth.on_failure(health, err, now, interval, rng)
                rep.status, rep.failed, rep.error = "failed", 1, f.error.message
                rep.error_kind = err.kind.value
                log.warning("source failed source_key=%s error=%s", f.source.key, f.error)
            else:
                assert f.result is not None
                etag, last_modified = f.result.validators.etag, f.result.validators.last_modified
                health = fhealth.on_success(health, now, interval, unconditional=f.unconditional)
                if f.result.not_modified:
                    rep.status = "not_modified"
                else:
                    res = upserted[f.state.id]
                    rep.status, rep.new, rep.updated, rep.unchanged = (
                        "ok",
                        len(res.new_ids),
                        len(res.updated_ids),
                        res.unchanged,
                    )
                    rep.new_ids, rep.updated_ids = res.new_ids, res.updated_ids
            outcomes.append(
                store_sources.FetchOutcome(
                    f.state.id,
                    dataclasses.asdict(health),
                    etag=etag,
                    last_modified=last_modified,
                    log=dict(
                        started_at=f.started,
                        elapsed=f.elapsed,
                        status=rep.status,
                        http_status=http_status,
                        new=rep.new,
                        updated=rep.updated,
                        unchanged=rep.unchanged,
                        error=rep.error,
                    ),
                )
            )
            reports.append(rep)
        store_sources.save_fetch_outcomes(session, outcomes)
    return reports


async def ingest(
    db: Database,
    config: Config,
    *,
    keys: Sequence[str] | None = None,
    only_due: bool = False,
    on_report: Callable[[SourceReport], object] | None = None,
    on_start: Callable[[int], object] | None = None,
    fetcher_factory: Callable[..., Fetcher] = Fetcher,
    claim: Claim | None = None,
    claim_limit: int | None = None,
    sync: bool = True,
) -> list[SourceReport]:
    """Fetch, parse and store sources (all enabled, the given keys, or only the due ones).

    With a `claim` (several processes on one database), the due sources are claimed instead (at most
    `claim_limit`), so other workers fetch the rest. `sync`: sources.toml → database first (a worker
    does it once at start, not every pass).
    """
    now = datetime.now(UTC)
    with db.write() as session:
        if sync:
            store_sources.sync_sources(session, config.sources, now)
        if claim is not None:
            states = store_sources.claim_due_sources(session, claim, now, claim_limit or MAX_CLAIM)
        elif only_due:
            states = store_sources.due_sources(session, now, keys)
        else:
            states = [
                s
                for s in store_sources.list_sources(session, enabled_only=keys is None)
                if keys is None or s.key in keys
            ]
    by_key = {s.key: s for s in config.sources}
    states = [s for s in states if s.key in by_key]
    if on_start:
        on_start(len(states))
    if not states:
        return []
    rng = random.Random()
    # feedparser and the sanitiser hold the GIL: big passes parse in worker processes (started by the
    # first body to parse). `monitor worker` processes parse in line: they run in parallel already.
    workers = (
        ParseWorkers(PARSE_WORKERS)
        if len(states) >= PARALLEL_PARSE_MIN_SOURCES and claim_limit is None
        else None
    )
    done: asyncio.Queue[_Fetched | None] = asyncio.Queue()
    reports: list[SourceReport] = []
    stored = 0

    # Canonical URLs of the batches being written: two writers never write the same URL at once, so
    # neither waits on a row the other inserted or updated (no lock cycle, no deadlock).
    writing: set[str] = set()
    turn = asyncio.Condition()

    async def write(batch: list[_Fetched]) -> list[SourceReport]:
        urls = {item.canonical_url for f in batch for item in f.items}
        async with turn:
            await turn.wait_for(lambda: writing.isdisjoint(urls))
            writing.update(urls)
        try:
            return await asyncio.to_thread(_write, db, config, batch, rng)
        finally:
            async with turn:
                writing.difference_update(urls)
                turn.notify_all()

    async def writer() -> None:
        while True:
            first = await done.get()
            if first is None:
                await done.put(None)  # for the other writers
                return
            batch = [first]
            # Sources finish one by one: wait a little for more rather than commit a transaction each.
            until = asyncio.get_running_loop().time() + WRITE_LINGER
            while len(batch) < WRITE_BATCH:
                if done.empty():
                    if asyncio.get_running_loop().time() >= until:
                        break
                    await asyncio.sleep(WRITE_LINGER / 10)
                    continue
                nxt = done.get_nowait()
                if nxt is None:
                    await done.put(None)
                    break
                batch.append(nxt)
            for rep in await write(batch):
                reports.append(rep)
                if on_report:
                    on_report(rep)
            nonlocal stored
            before, stored = stored, stored + sum(r.new for r in reports[-len(batch) :])
            if before < ANALYZE_AFTER <= stored:  # once per pass, when it has grown the table a lot
                await asyncio.to_thread(_refresh_statistics, db)

    try:
        async with fetcher_factory(
            user_agent=config.fetch.user_agent,
            max_connections=config.fetch.concurrency,
            per_host=config.fetch.per_host,
            limits=fetch_limits(config),
        ) as fetcher:
            writers = [
                asyncio.create_task(writer()) for _ in range(PG_WRITERS if db.dialect == "postgresql" else 1)
            ]

            async def run(state: store_sources.SourceState) -> None:
                await done.put(await _fetch_one(fetcher, config, state, by_key[state.key], now, workers))

            try:
                await asyncio.gather(*(run(s) for s in states))
                await done.put(None)
                await asyncio.gather(*writers)
            finally:
                for task in writers:  # a failed writer's siblings stop too (a no-op once they are done)
                    task.cancel()
    finally:
        if workers is not None:
            await workers.aclose()
    return reports
