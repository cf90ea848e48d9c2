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
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import JSON, Connection, CursorResult, Engine, Result, Table, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as Session  # re-exported: the type of a session above the store
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from monitor.errors import SchemaVersionError, WriteConflictError
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


SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def check_url(url: str) -> None:
    """Refuse, in Vietnamese, a database URL we cannot use (malformed, or not SQLite/PostgreSQL)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from monitor.errors import StoreError

    example = "sqlite:///monitor.db hoặc postgresql+psycopg://người_dùng@máy:5432/tên_csdl"
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError as exc:
        raise StoreError(
            f"Địa chỉ cơ sở dữ liệu không hợp lệ: “{url}”. Ví dụ: {example}.", detail=str(exc)
        ) from None
    if backend not in SUPPORTED_BACKENDS:
        raise StoreError(
            f"Cơ sở dữ liệu “{backend}” không được hỗ trợ: chỉ dùng SQLite hoặc PostgreSQL ({example}).",
            detail=f"unsupported backend {backend!r} in {display_url(url)}",
        )


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the per-backend settings this project relies on."""
    check_url(url)
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


class _SharedRead:
    """The one read transaction of a `Database.read_scope()`, opened at its first read."""

    def __init__(self) -> None:
        self.session: Session | None = None

    def end(self) -> None:
        if self.session is not None:
            self.session.close()  # a read has nothing to commit: rollback, connection back to the pool
            self.session = None


class Database:
    """A database handle: one engine, read and write sessions, migrations."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.dialect = self.engine.dialect.name
        self._write = sessionmaker(self.engine, expire_on_commit=False)
        reader = self.engine.execution_options(sqlite_begin="DEFERRED")
        self._read = sessionmaker(reader, expire_on_commit=False)
        # A read scope on PostgreSQL reads in autocommit: under READ COMMITTED every statement takes its own
        # snapshot inside a transaction too, so BEGIN and its ROLLBACK were two round trips buying nothing.
        # SQLite keeps its deferred transaction (one snapshot for the whole scope).
        scoped = (
            reader.execution_options(isolation_level="AUTOCOMMIT") if self.dialect == "postgresql" else reader
        )
        self._scoped_read = sessionmaker(scoped, expire_on_commit=False)
        # per context (thread, task): the read scope open there, if any
        self._shared: ContextVar[_SharedRead | None] = ContextVar(
            f"monitor_read_scope_{id(self)}", default=None
        )

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction (BEGIN IMMEDIATE on SQLite), committed on success."""
        with self._write() as session, session.begin():
            yield session

    @contextmanager
    def write_contended(self) -> Iterator[Session]:
        """A write transaction that may race other writers for the same rows: a lost race (a unique
        constraint, a deadlock or serialization failure, a lock held past the busy timeout) raises
        WriteConflictError, which the caller retries; other errors pass unchanged."""
        from sqlalchemy.exc import DBAPIError

        try:
            with self.write() as session:
                yield session
        except DBAPIError as exc:
            if not lost_race(exc):
                raise
            raise WriteConflictError(
                "Dữ liệu vừa được một tiến trình khác ghi cùng lúc; hãy thử lại.",
                detail=str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc),
            ) from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction that never takes the SQLite write lock.

        Inside `read_scope()` every `read()` uses the scope's one session (opened at the first).
        """
        shared = self._shared.get()
        if shared is None:
            with self._read() as session, session.begin():
                yield session
            return
        if shared.session is None:
            shared.session = self._scoped_read()
            shared.session.begin()
        try:
            yield shared.session
        except Exception:
            # the caller may handle its error and read again: a database error has aborted the
            # transaction (PostgreSQL refuses every later statement), so the next read starts afresh
            shared.end()
            raise

    @contextmanager
    def read_scope(self) -> Iterator[None]:
        """Let every `read()` of this context share one session and connection until the scope ends.

        For a web page that reads through several application functions: one pooled connection instead
        of one per function, and no BEGIN/ROLLBACK round trips on PostgreSQL (autocommit: under READ
        COMMITTED each statement has its own snapshot either way); SQLite keeps one deferred transaction,
        so the whole page reads one snapshot. Only for work that does not read what it writes itself (a
        page shown by GET): a
        `write()` inside is its own transaction and commits, but the scope's reads may not see it
        (SQLite keeps the snapshot of the scope's first read; the session keeps the rows it loaded).
        """
        shared = _SharedRead()
        token = self._shared.set(shared)
        try:
            yield
        finally:
            self._shared.reset(token)
            shared.end()

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


# PostgreSQL SQLSTATEs of a lost race: serialization failure, deadlock, lock not available.
_RACE_SQLSTATES = ("40001", "40P01", "55P03")


def lost_race(exc: BaseException) -> bool:
    """Whether a driver error means another writer got to the same rows first (worth a retry)."""
    from sqlalchemy.exc import IntegrityError, OperationalError

    if isinstance(exc, IntegrityError):  # a unique key the other writer inserted first
        return True
    if not isinstance(exc, OperationalError):
        return False
    if getattr(exc.orig, "sqlstate", None) in _RACE_SQLSTATES:
        return True
    return "database is locked" in str(exc.orig)  # SQLite: the writer held the lock past busy_timeout


def upsert_insert(session: Session, target: type[Base] | Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT for the session's dialect that supports ON CONFLICT (SQLite and PostgreSQL alike)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(target)
    return sqlite.insert(target)


def _bound(proc: Any, values: list[Any]) -> list[Any]:
    """A column's values through its type's bind processor, once per distinct value (JSON: each one)."""
    if proc is None:
        return values
    if any(isinstance(v, dict | list) for v in values):  # JSON: unhashable, and rarely repeated
        return [proc(v) for v in values]
    once = {v: proc(v) for v in set(values)}
    return [once[v] for v in values]


def insert_new(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]], key: Sequence[str]
) -> None:
    """INSERT many rows (tuples in `columns` order) … ON CONFLICT (key) DO NOTHING, in few round trips.

    PostgreSQL: one statement over one array per column (`unnest`), instead of a row-by-row pipeline.
    SQLite, and tables with JSON columns: the driver's executemany (pipelined by psycopg). Either way each value goes through its column type's bind
    processor (once per distinct hashable value: the same few timestamps repeat through a batch's rows),
    past the ORM's and Core's per-row bookkeeping.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect
    bound_columns = [
        _bound(table.c[c].type.bind_processor(dialect), list(col)) for c, col in zip(columns, zip(*rows))
    ]
    names = ", ".join(columns)
    conflict = ", ".join(key)
    driver = session.connection().connection.driver_connection
    assert driver is not None
    json = any(isinstance(table.c[c].type.dialect_impl(dialect), JSON) for c in columns)
    if dialect.name == "postgresql" and not json:
        types = ", ".join(f"%s::{table.c[c].type.compile(dialect=dialect)}[]" for c in columns)
        with driver.cursor() as cur:
            cur.execute(
                f"INSERT INTO {table.name} ({names}) SELECT * FROM unnest({types}) "
                f"ON CONFLICT ({conflict}) DO NOTHING",
                bound_columns,
            )
        return
    # JSON values in an array literal cost the server four times a pipelined executemany: rows one by one
    marks = ", ".join(["%s" if dialect.name == "postgresql" else "?"] * len(columns))
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks}) ON CONFLICT ({conflict}) DO NOTHING"
    rows_bound = list(zip(*bound_columns, strict=True))
    if dialect.name == "postgresql":
        with driver.cursor() as cur:
            cur.executemany(sql, rows_bound)
        return
    driver.executemany(sql, rows_bound)


def affected_rows(result: Result[Any]) -> int:
    """How many rows an INSERT/UPDATE/DELETE touched (Session.execute types every result as Result)."""
    assert isinstance(result, CursorResult)
    return result.rowcount


DatabaseProblem = Literal["url", "corrupt", "readonly", "cannot_open", "locked", "connect"]

# The driver's words (SQLite, PostgreSQL) → what the user can do about it; first match wins.
_DRIVER_TEXT: tuple[tuple[str, DatabaseProblem], ...] = (
    ("file is not a database", "corrupt"),
    ("database disk image is malformed", "corrupt"),
    ("readonly database", "readonly"),
    ("read-only", "readonly"),
    ("unable to open database file", "cannot_open"),
    ("database is locked", "locked"),
)


def database_error(exc: BaseException) -> tuple[DatabaseProblem, str] | None:
    """A database error the user can fix, as (problem, the driver's first line for the log); None for
    anything else (a real bug). Problems: a malformed URL, a file that is not (or no longer) a SQLite
    database, a read-only database, a file that cannot be opened, a locked database, no connection."""
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, sa_exc.ArgumentError):
        return "url", str(exc)
    if not isinstance(exc, sa_exc.DatabaseError):
        return None
    first = (str(exc.orig).strip().splitlines() or [""])[0] if exc.orig else str(exc)
    for words, problem in _DRIVER_TEXT:
        if words in first.lower():
            return problem, first
    if isinstance(exc, sa_exc.OperationalError):
        return "connect", first
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


def display_url(url: str) -> str:
    """The database URL with its password hidden, for messages."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
