"""One log format for every process: `time level logger message key=value …`.

Log calls pass their fields with `extra=` and the same snake_case keys everywhere (`source_key`,
`article_id`, `case_id`, `error`); this formatter writes each of them after the message, so a line can be
grepped by field. Values with spaces, quotes or `=` are JSON-quoted. Logs are for developers: English.
"""

from __future__ import annotations

import json
import logging

# Attributes every LogRecord has: anything else on a record came from `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
FORMAT_TIME = "%Y-%m-%dT%H:%M:%S"


def _value(value: object) -> str:
    text = str(value)
    if not text or any(c.isspace() or c in '"=' for c in text):
        return json.dumps(text, ensure_ascii=False)
    return text


class KeyValueFormatter(logging.Formatter):
    """`2026-12-01T10:00:00 INFO monitor.store.cases case transition case_id=12 action=claim`."""

    def __init__(self) -> None:
        super().__init__(datefmt=FORMAT_TIME)

    def fields(self, record: logging.LogRecord) -> dict[str, object]:
        """The `extra=` fields of a record, in the order they were given."""
        return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}

    def format(self, record: logging.LogRecord) -> str:
        """One line (plus the traceback, if any, on the lines after it)."""
        line = (
            f"{self.formatTime(record, self.datefmt)} {record.levelname} {record.name} {record.getMessage()}"
        )
        line += "".join(f" {key}={_value(value)}" for key, value in self.fields(record).items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return line


def setup_logging(verbose: bool) -> None:
    """Log to stderr in the key=value format: INFO and up when verbose, else errors only.

    Like `logging.basicConfig`, it leaves a process whose logging is already set up alone (a test runner).
    """
    handler = logging.StreamHandler()
    handler.setFormatter(KeyValueFormatter())
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR, handlers=[handler])
