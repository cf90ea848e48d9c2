"""Shared fixtures: a freshly migrated database per test (SQLite and PostgreSQL), ../shared data."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.store.db import Database

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("MONITOR_SHARED_DATA", ROOT.parent / "shared" / "data"))
PG_URL = os.environ.get("MONITOR_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

_pg_checked: dict[str, bool] = {}


def pg_available() -> bool:
    """Whether the test PostgreSQL answers (checked once per session)."""
    if "ok" not in _pg_checked:
        try:
            import psycopg

            psycopg.connect(PG_URL.replace("+psycopg", ""), connect_timeout=3).close()
            _pg_checked["ok"] = True
        except Exception:
            _pg_checked["ok"] = False
    return _pg_checked["ok"]


def _require_pg() -> None:
    if not pg_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but does not answer at {PG_URL}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")


def make_pg_database() -> tuple[Database, str]:
    """A Database bound to a brand-new schema of the test PostgreSQL (caller drops it)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = Database(PG_URL)
    with admin.engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    admin.dispose()
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    return Database(url), schema


def drop_pg_schema(schema: str) -> None:
    """Drop a schema made by make_pg_database."""
    admin = Database(PG_URL)
    with admin.engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a freshly migrated, empty database, once per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'monitor.db'}"
        database = Database(url)
        database.migrate()
        database.dispose()
        yield url
        return
    _require_pg()
    database, schema = make_pg_database()
    database.migrate()
    url = database.url
    database.dispose()
    try:
        yield url
    finally:
        drop_pg_schema(schema)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """A Database handle on a freshly migrated database (SQLite and PostgreSQL)."""
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A freshly migrated SQLite database only (for SQLite-specific behaviour)."""
    database = Database(f"sqlite:///{tmp_path / 'monitor.db'}")
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip when it is absent (the core suite must not need it)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a freshly migrated PostgreSQL schema only (for what needs several writers at once)."""
    _require_pg()
    database, schema = make_pg_database()
    database.migrate()
    url = database.url
    database.dispose()
    try:
        yield url
    finally:
        drop_pg_schema(schema)
