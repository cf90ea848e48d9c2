"""First start: several processes migrating a fresh database at once; a schema newer than the code is refused."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from monitor.errors import SchemaVersionError
from monitor.store.db import Database, head_revision
from tests.conftest import _require_pg, drop_pg_schema, make_pg_database

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = 4

# Each child imports everything first, then waits for the same instant before migrating.
CHILD = """
import sys, time
from monitor.store.db import Database
db = Database(sys.argv[1])
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
db.migrate()
db.dispose()
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database nobody has migrated yet (a new SQLite file, or an empty PG schema)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'monitor.db'}"
        return
    _require_pg()
    database, schema = make_pg_database()
    url = database.url
    database.dispose()
    try:
        yield url
    finally:
        drop_pg_schema(schema)


def test_processes_starting_at_once_on_a_fresh_database_migrate_it_once(fresh_url: str) -> None:
    """The first start migrates under a lock (advisory on PostgreSQL, the write lock on SQLite)."""
    start = time.time() + 3.0  # after every child has imported sqlalchemy and alembic
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, fresh_url, str(start)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    outcomes = [(c.wait(timeout=120), c.stderr.read() if c.stderr else "") for c in children]
    assert [code for code, _ in outcomes] == [0] * PROCESSES, "\n".join(err for _, err in outcomes)
    db = Database(fresh_url)
    try:
        with db.engine.connect() as conn:
            versions = list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
        assert versions == [head_revision()]
        assert "cases" in inspect(db.engine).get_table_names()
    finally:
        db.dispose()


def test_a_schema_newer_than_the_code_is_refused(db: Database) -> None:
    """A database migrated by a newer monitor: no command runs on it (and nothing is changed)."""
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with pytest.raises(SchemaVersionError) as caught:
        db.migrate()
    assert "9999_from_the_future" in caught.value.message and "mới hơn" in caught.value.message


def test_the_cli_refuses_a_newer_schema_with_a_sentence(db_url: str, tmp_path: Path) -> None:
    """`monitor sources` on such a database: one Vietnamese sentence, exit code 1, no traceback."""
    db = Database(db_url)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    db.dispose()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(ROOT / "sources.toml"), "--db", db_url, "sources"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("Lỗi: Cơ sở dữ liệu") and "Traceback" not in proc.stderr
