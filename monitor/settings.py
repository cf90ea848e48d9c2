"""Process settings from the environment and global CLI options, built once and passed in."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

DEFAULT_CONFIG = "sources.toml"
DEFAULT_DATABASE_URL = "sqlite:///monitor.db"  # the one default (CLI, daemon, web, Alembic's env.py)

# The daemon's timing (`monitor run` options and monitor.scheduler.SchedulerOptions share these).
DAEMON_TICK = timedelta(minutes=1)  # how often due sources are looked for
DAEMON_JOB_TIMEOUT = timedelta(minutes=20)  # a hung pass is cut off after this
DAEMON_LEASE_TTL = timedelta(minutes=2)  # one scheduler per database: the lease it renews
DAEMON_MISFIRE_GRACE = timedelta(minutes=10)  # a job late by more than this skips that run


@dataclass(frozen=True)
class Settings:
    """Where the configuration and the database are, and who is acting."""

    config_path: Path
    database_url: str
    user: str | None = None
    models_dir: Path | None = None  # retrained models; None = the models shipped in the package

    @classmethod
    def from_env(
        cls,
        *,
        config: str | None = None,
        database_url: str | None = None,
        user: str | None = None,
        models: str | None = None,
    ) -> Settings:
        """Explicit options win over MONITOR_CONFIG / MONITOR_DATABASE_URL / MONITOR_USER / MONITOR_MODELS_DIR."""
        models = models or os.environ.get("MONITOR_MODELS_DIR")
        return cls(
            config_path=Path(config or os.environ.get("MONITOR_CONFIG") or DEFAULT_CONFIG),
            database_url=database_url or os.environ.get("MONITOR_DATABASE_URL") or DEFAULT_DATABASE_URL,
            user=user or os.environ.get("MONITOR_USER") or None,
            models_dir=Path(models) if models else None,
        )
