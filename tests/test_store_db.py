"""The database layer: migrations on both backends, SQLite locking behaviour."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, inspect, select, text
from sqlalchemy.exc import DBAPIError

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


def test_a_read_scope_shares_one_read_transaction_and_gives_it_back(db: Database) -> None:
    checkouts: list[object] = []
    event.listen(db.engine.pool, "checkout", lambda *a: checkouts.append(a))
    with db.read() as a, db.read() as b:  # no scope: each read is its own transaction
        assert a is not b
    checkouts.clear()
    with db.read_scope():
        with db.read() as first:
            first.execute(text("SELECT 1"))
        with db.read() as second:
            second.execute(text("SELECT 1"))
            with db.read() as nested:
                assert nested is first
        assert second is first
        assert len(checkouts) == 1  # one connection for the whole scope
    assert db.engine.pool.checkedout() == 0  # the scope's end gave the connection back
    with db.read() as after:
        assert after is not first


def test_a_read_scope_starts_afresh_after_an_error(db: Database) -> None:
    """A failed statement aborts a PostgreSQL transaction: the scope's next read must not inherit it."""
    with db.read_scope():
        with pytest.raises(DBAPIError), db.read() as s:
            s.execute(text("SELECT * FROM no_such_table"))
        with db.read() as s:
            assert s.execute(text("SELECT 1")).scalar() == 1
    assert db.engine.pool.checkedout() == 0


def test_read_scopes_of_two_threads_are_apart(db: Database) -> None:
    seen: dict[str, object] = {}
    both = threading.Barrier(2)

    def page(name: str) -> None:
        with db.read_scope(), db.read() as s:
            s.execute(text("SELECT 1"))
            seen[name] = s
            both.wait(timeout=10)

    errors = run_together(lambda: page(threading.current_thread().name), 2)
    assert errors == [] and len(seen) == 2
    first, second = seen.values()
    assert first is not second
