"""Engine, sessions and migrations: the only place that knows how to open a database.

SQLite gets WAL, a busy timeout, foreign keys and — for write transactions — `BEGIN IMMEDIATE`:
a deferred read-then-write transaction fails at once with "database is locked" when another writer
got there first, busy timeout or not, because SQLite cannot upgrade a read lock it may have to give up.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session as Session  # re-exported: the type of a session above the store
from sqlalchemy.orm import sessionmaker

from monitor.store.search_fold import fold_for_search, folded_words

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"  # shipped inside the package
SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the per-backend settings this project relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    """WAL, busy timeout, foreign keys; take the write lock up front unless asked not to."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy (not the sqlite3 module) emit BEGIN, so we choose its kind.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()
        # Search folds text in Python on SQLite (PostgreSQL has monitor_fold in SQL; see store/search.py).
        dbapi_conn.create_function("monitor_fold", 1, fold_for_search, deterministic=True)
        dbapi_conn.create_function("monitor_words", 1, folded_words, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """A database handle: one engine, read and write sessions, migrations."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.dialect = self.engine.dialect.name
        self._write = sessionmaker(self.engine, expire_on_commit=False)
        reader = self.engine.execution_options(sqlite_begin="DEFERRED")
        self._read = sessionmaker(reader, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction (BEGIN IMMEDIATE on SQLite), committed on success."""
        with self._write() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction that never takes the SQLite write lock."""
        with self._read() as session, session.begin():
            yield session

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to `revision` by running the Alembic migrations."""
        from alembic import command

        with self.engine.begin() as conn:
            command.upgrade(alembic_config(conn), revision)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def upsert_insert(session: Session, target: Any) -> Any:
    """An INSERT for the session's dialect that supports ON CONFLICT (SQLite and PostgreSQL alike)."""
    from sqlalchemy.dialects import postgresql, sqlite

    return (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(target)


def database_error(exc: BaseException) -> tuple[Literal["url", "connect"], str] | None:
    """A database error the user can fix: ("url", detail) for a malformed URL, ("connect", the driver's
    first line) for a database that cannot be reached or written; None for anything else (a real bug)."""
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, sa_exc.ArgumentError):
        return "url", str(exc)
    if isinstance(exc, sa_exc.OperationalError):
        return "connect", str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    return None


def alembic_config(connection: Any = None) -> Any:
    """An Alembic Config pointing at the project's migrations (and a live connection, if given)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg
