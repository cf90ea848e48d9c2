"""Safe wrappers around native NLP calls: never let a Rust panic or bad input end a batch.

pyo3 turns a Rust panic into ``PanicException``, which derives from ``BaseException`` and so slips
through ``except Exception``. We catch BaseException here, but re-raise KeyboardInterrupt and
SystemExit so that Ctrl-C and interpreter shutdown keep working.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def safe_call(fn: Callable[[], T]) -> tuple[T | None, str | None]:
    """Run fn(); return (result, None) or (None, short error text) for any failure incl. Rust panics."""
    try:
        return fn(), None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        return None, f"{type(exc).__name__}: {str(exc)[:200]}"


class Budget:
    """A wall-clock budget: ask `left()` before optional work, skip it when the budget is spent."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds remaining (may be negative)."""
        return self.deadline - time.monotonic()

    def spent(self) -> bool:
        """True once the budget has run out."""
        return self.left() <= 0
