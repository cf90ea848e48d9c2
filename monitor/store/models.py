"""Import every table module so the metadata knows all tables (used by Alembic's env)."""

from monitor.store import tables  # noqa: F401

try:  # the queue's tables arrive with the queue stage
    from monitor.store import queue_tables  # noqa: F401
except ImportError:  # pragma: no cover - only before the queue stage exists
    pass
