"""The database layer: migrations on both backends, SQLite locking behaviour."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, select

from monitor.store.db import Database
from monitor.store.tables import SourceRow
from tests.pipeline_helpers import run_together


def test_migrations_create_every_table(db: Database) -> None:
    names = set(inspect(db.engine).get_table_names())
    assert {"sources", "articles", "tombstones", "fetch_log", "leases", "analyses", "mentions"} <= names


def test_datetimes_round_trip_as_aware_utc(db: Database) -> None:
    now = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    with db.write() as s:
        s.add(SourceRow(key="a", name="A", url="https://a.vn/rss", kind="rss", created_at=now))
    with db.read() as s:
        row = s.scalars(select(SourceRow)).one()
    assert row.created_at == now and row.created_at.tzinfo is not None


def test_sqlite_read_then_write_transactions_wait_instead_of_failing(sqlite_db: Database) -> None:
    """Two read-then-write transactions: BEGIN IMMEDIATE serialises them, neither gets 'locked'."""
    now = datetime(2026, 11, 27, tzinfo=UTC)
    with sqlite_db.write() as s:
        s.add(
            SourceRow(key="c", name="C", url="https://c.vn/rss", kind="rss", created_at=now, failure_score=0)
        )

    def bump() -> None:
        for _ in range(20):
            with sqlite_db.write() as s:
                row = s.scalars(select(SourceRow).where(SourceRow.key == "c")).one()
                row.failure_score = row.failure_score + 1

    errors = run_together(bump, 4)
    assert errors == []
    with sqlite_db.read() as s:
        assert s.scalars(select(SourceRow.failure_score)).one() == 80
