"""Engine, sessions and migrations: the only place that knows how to open a database.

SQLite gets WAL, a busy timeout, foreign keys and — for write transactions — `BEGIN IMMEDIATE`:
a deferred read-then-write transaction fails at once with "database is locked" when another writer
got there first, busy timeout or not, because SQLite cannot upgrade a read lock it may have to give up.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection, CursorResult, Engine, Result, Table, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as Session  # re-exported: the type of a session above the store
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from monitor.errors import SchemaVersionError
from monitor.store.base import Base

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

from monitor.store.search_fold import fold_for_search, folded_words

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"  # shipped inside the package
SQLITE_BUSY_TIMEOUT_MS = 30_000
# First key of the PostgreSQL advisory lock taken while migrating ("moni"); the second is the schema's
# hash, so databases sharing a server but not a schema never wait for each other.
MIGRATION_LOCK_KEY = 0x6D6F6E69


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
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
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
    def _on_begin(conn: Connection) -> None:
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
        """Bring the schema to `revision` by running the Alembic migrations, once, under a lock.

        Several processes starting at once on a fresh database take turns: PostgreSQL holds a
        transaction-level advisory lock (per schema) around the upgrade, SQLite the write lock of
        `BEGIN IMMEDIATE`; whoever comes second finds the schema up to date. A schema at a revision
        this code does not know (migrated by a newer monitor) is refused with SchemaVersionError.
        """
        from alembic import command

        with self.engine.begin() as conn:
            if self.dialect == "postgresql":
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key, hashtext(current_schema()))"),
                    {"key": MIGRATION_LOCK_KEY},
                )
            cfg = alembic_config(conn)
            refuse_unknown_revision(conn, cfg)
            command.upgrade(cfg, revision)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def upsert_insert(session: Session, target: type[Base] | Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT for the session's dialect that supports ON CONFLICT (SQLite and PostgreSQL alike)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(target)
    return sqlite.insert(target)


def affected_rows(result: Result[Any]) -> int:
    """How many rows an INSERT/UPDATE/DELETE touched (Session.execute types every result as Result)."""
    assert isinstance(result, CursorResult)
    return result.rowcount


def database_error(exc: BaseException) -> tuple[Literal["url", "connect"], str] | None:
    """A database error the user can fix: ("url", detail) for a malformed URL, ("connect", the driver's
    first line) for a database that cannot be reached or written; None for anything else (a real bug)."""
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, sa_exc.ArgumentError):
        return "url", str(exc)
    if isinstance(exc, sa_exc.OperationalError):
        return "connect", str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    return None


IN_CHUNK = 500  # keeps SQLite's IN (...) lists under its bound-parameter limit


def among(session: Session, column: Any, values: Sequence[Any], item_type: Any) -> Iterator[Any]:
    """`column IN values` as conditions: one `= ANY(array)` on PostgreSQL, chunked IN lists on SQLite.

    One array parameter keeps the statement text constant, so psycopg and the server reuse its plan;
    an IN list of N placeholders is a new statement for every N. Run one query per condition yielded.
    """
    from sqlalchemy import any_, bindparam
    from sqlalchemy.dialects import postgresql

    if session.get_bind().dialect.name == "postgresql":
        yield column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(item_type)))
        return
    for i in range(0, len(values), IN_CHUNK):
        yield column.in_(values[i : i + IN_CHUNK])


def head_revision() -> str:
    """The newest revision this code knows (the head of the migration chain)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migration chain has one head"
    return head


def refuse_unknown_revision(conn: Connection, cfg: AlembicConfig) -> None:
    """Raise SchemaVersionError when the database is at a revision this code does not know."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(cfg)
    known = {rev.revision for rev in script.walk_revisions()}
    unknown = [rev for rev in MigrationContext.configure(conn).get_current_heads() if rev not in known]
    if unknown:
        raise SchemaVersionError(
            f"Cơ sở dữ liệu đang ở phiên bản cấu trúc {', '.join(unknown)}, mới hơn (hoặc khác) phiên bản "
            f"mà bản monitor này biết ({script.get_current_head()}). Hãy cập nhật monitor rồi chạy lại.",
            detail=f"unknown schema revision {', '.join(unknown)}",
        )


def alembic_config(connection: Connection | None = None) -> AlembicConfig:
    """An Alembic Config pointing at the project's migrations (and a live connection, if given)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg
