"""Alembic environment: runs on a connection handed in by monitor.store.db, or on MONITOR_DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from monitor.store import models  # noqa: F401  (registers every table on the metadata)
from monitor.store.base import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: batch mode copies the table
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from monitor.store.db import make_engine

    url = os.environ.get("MONITOR_DATABASE_URL", "sqlite:///monitor.db")
    engine = make_engine(url)
    with engine.begin() as conn:
        _run(conn)
