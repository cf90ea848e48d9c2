"""Import every table module so the metadata knows all tables (used by Alembic's env)."""

from monitor.store import queue_tables, response_tables, tables  # noqa: F401
