"""The SQLAlchemy models and the Alembic migrations describe the same schema (SQLite and PostgreSQL)."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
import warnings
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, Table

import monitor.store
from monitor.store.base import Base
from monitor.store.db import Database
from monitor.store.search import EXPRESSION_INDEXES, PG_ONLY_INDEXES

ROOT = Path(__file__).resolve().parents[1]


def schema_differences(db: Database) -> list[object]:
    """What Alembic's autogenerate would change to make the migrated database match the models."""
    from monitor.store import models  # noqa: F401  (the same import Alembic's env.py does)

    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                # Expression indexes (full-text search over folded text on PostgreSQL; when an article
                # was seen) have no model; tests/test_web_search.py checks that they exist and are used.
                "include_object": lambda obj, name, kind, reflected, other: (
                    not (kind == "index" and name in PG_ONLY_INDEXES + EXPRESSION_INDEXES)
                ),
            },
        )
        with warnings.catch_warnings():
            # SQLite's reflection cannot describe an expression index; include_object leaves them out anyway
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
            return list(compare_metadata(context, Base.metadata))


def test_migrations_match_models(db: Database) -> None:
    """Tables, columns, types, nullability, defaults, indexes and constraints: no difference at all."""
    assert schema_differences(db) == []


def test_a_model_without_a_migration_is_caught(db: Database) -> None:
    """The comparison is not blind: a table only the models know is reported."""
    extra = Table("zz_model_only", Base.metadata, Column("id", Integer, primary_key=True))
    try:
        diffs = schema_differences(db)
    finally:
        Base.metadata.remove(extra)
    assert [(d[0], d[1].name) for d in diffs if isinstance(d, tuple)] == [("add_table", "zz_model_only")]


def test_models_module_registers_every_store_table() -> None:
    """`monitor.store.models` (what env.py imports) alone registers every table defined in the store."""
    for info in pkgutil.iter_modules(monitor.store.__path__, "monitor.store."):
        importlib.import_module(info.name)
    every_table = sorted(Base.metadata.tables)
    code = (
        "import json, monitor.store.models as m; from monitor.store.base import Base; "
        "print(json.dumps(sorted(Base.metadata.tables)))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    )
    assert json.loads(out.stdout) == every_table
