"""Import every table module so the metadata knows all tables (used by Alembic's env)."""

from monitor.store import outbox_tables, queue_tables, response_tables, tables, web_tables  # noqa: F401
