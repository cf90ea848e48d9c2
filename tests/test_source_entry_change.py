"""A failing, backed-off source whose sources.toml entry is fixed gets a fresh start at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select

from monitor.pipeline.ingest import ingest
from monitor.store.db import Database
from monitor.store.tables import SourceRow
from tests.pipeline_helpers import config_for, numbered_items, rss
from tests.servers import LocalServer, Reply


def _row(db: Database) -> SourceRow:
    with db.read() as s:
        return s.scalars(select(SourceRow)).one()


def test_a_changed_entry_resets_the_backoff(db: Database) -> None:
    with LocalServer() as srv:
        srv.route("/cu.rss", Reply(status=404, body=b"khong co"))
        srv.route("/moi.rss", Reply(body=rss(numbered_items(3)), content_type="application/rss+xml"))
        broken = config_for({"bao": srv.url("/cu.rss")})
        for _ in range(3):  # three hard failures: the source backs off for hours
            asyncio.run(ingest(db, broken))
        paused = _row(db)
        assert paused.consecutive_failures == 3 and paused.next_fetch_at > datetime.now(UTC)
        asyncio.run(ingest(db, broken, only_due=True))  # unchanged entry: still paused, nothing fetched
        assert srv.hits["/cu.rss"] == 3
        fixed = config_for({"bao": srv.url("/moi.rss")})
        report = asyncio.run(ingest(db, fixed, only_due=True))
    assert srv.hits["/moi.rss"] == 1  # fetched in the very next pass, not after the backoff
    assert sum(r.new for r in report) == 3
    row = _row(db)
    assert row.consecutive_failures == 0 and row.last_success_at is not None


def test_an_unchanged_entry_keeps_its_backoff(db: Database) -> None:
    with LocalServer() as srv:
        srv.route("/cu.rss", Reply(status=404, body=b"khong co"))
        config = config_for({"bao": srv.url("/cu.rss")})
        asyncio.run(ingest(db, config))
        again = config_for({"bao": srv.url("/cu.rss")})  # the same entry, loaded again
        asyncio.run(ingest(db, again, only_due=True))
    assert srv.hits["/cu.rss"] == 1 and _row(db).consecutive_failures == 1
