"""A feed item ready to store, and the derived columns computed with it: plain Python, no SQLAlchemy.

The ingest's parse workers build these rows; they import this module and the parse stage only (not the
ORM, not the driver), so a worker starts in a fraction of the time the whole program takes to import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from monitor.store.search_fold import fold_for_search


def url_hash(url: str | None) -> int | None:
    """The indexed stand-in of a URL: the first 8 bytes of its MD5 as a signed 64-bit integer.

    Migration 0009 computes the same number in SQL on PostgreSQL. Lookups by hash always compare the
    URL itself too, so a collision can only refuse a new URL (odds ~1e-7 at ten million articles).
    """
    if url is None:
        return None
    return int.from_bytes(hashlib.md5(url.encode(), usedforsecurity=False).digest()[:8], "big", signed=True)


def search_doc(title: str | None, text: str | None, summary: str | None) -> str:
    """What the article search index covers: the folded title and text (the feed summary until then).

    Computed here, once per write, instead of in the index expression: PostgreSQL's translate() over a
    500-letter table for every inserted row made a first ingest pass eight times slower.
    """
    return fold_for_search(f"{title or ''} {text or summary or ''}")


@dataclass(frozen=True)
class NewItem:
    """A feed item ready to store, with the derived columns computed where it is built.

    The derived columns (URL hashes, folded search document) cost more than the insert itself; built
    in the ingest's parse workers, they are computed there instead of in the one writing process.
    """

    item_key: str
    url: str | None
    canonical_url: str
    title: str
    summary: str
    published_at: datetime | None
    content_hash: str
    url_hash: int | None = field(init=False, compare=False)
    canonical_hash: int = field(init=False, compare=False)
    search_doc: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "url_hash", url_hash(self.url))
        object.__setattr__(self, "canonical_hash", url_hash(self.canonical_url))
        object.__setattr__(self, "search_doc", search_doc(self.title, "", self.summary))

    def __reduce__(self) -> tuple[Callable[[tuple[Any, ...]], NewItem], tuple[tuple[Any, ...]]]:
        """Pickle as one tuple of values: rows cross back from the parse workers by the tens of thousands,
        and the default (a state dict per row) cost the one writing process 3× more to unpickle."""
        return _new_item_from, (tuple(self.__dict__[name] for name in _NEW_ITEM_FIELDS),)


_NEW_ITEM_FIELDS = tuple(f.name for f in fields(NewItem))


def _new_item_from(values: tuple[Any, ...]) -> NewItem:
    """A pickled NewItem back, derived columns included (not recomputed)."""
    item = object.__new__(NewItem)
    item.__dict__.update(zip(_NEW_ITEM_FIELDS, values, strict=True))
    return item
