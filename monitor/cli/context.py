"""What every command receives: settings, and the config and database opened on first use."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from monitor.settings import Settings

if TYPE_CHECKING:
    from monitor.config import Config
    from monitor.store.db import Database


@dataclass
class AppContext:
    """Per-invocation state shared by the commands (opened lazily: --help does no work)."""

    settings: Settings
    _config: Config | None = None
    _db: Database | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def config(self) -> Config:
        """The validated sources.toml (a ConfigError becomes a Vietnamese message)."""
        if self._config is None:
            from monitor.config import load_config

            self._config = load_config(self.settings.config_path)
            for notice in self._config.notices:  # e.g. no [[watch]]: the shipped default targets are used
                print(f"Lưu ý: {notice}", file=sys.stderr)
        return self._config

    @property
    def db(self) -> Database:
        """The database, migrated to the latest schema on first use."""
        if self._db is None:
            from monitor.store.db import Database

            self._db = Database(self.settings.database_url)
            self._db.migrate()
        return self._db

    def __post_init__(self) -> None:
        # `monitor train` looks this hook up: it adds collaborators' verdicts and corrections.
        self.extras.setdefault("labelled_from_db", self.labelled_examples)

    def get(self, key: str, default: Any = None) -> Any:
        """Dict-style access to extras (hooks other commands may use)."""
        return self.extras.get(key, default)

    def labelled_examples(self) -> list[Any]:
        """Training examples from decided cases (verdicts and corrections) in the database."""
        from monitor.nlp.train import LabelledExample
        from monitor.store.corrections import labelled_examples

        with self.db.read() as session:
            rows = labelled_examples(session)
        return [
            LabelledExample(text=r["text"], topic=r["topic"], tone=r["tone"], source=r["source"])
            for r in rows
        ]
