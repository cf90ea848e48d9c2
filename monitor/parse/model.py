"""The frozen values the parse stage hands to the rest of the pipeline (never feedparser objects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FeedItem:
    """One feed entry, cleaned: plain-text title, sanitised summary, canonical http(s) URL or None."""

    key: str  # stable identity within the source: guid, else link, else a hash of (title, published, summary)
    url: str | None
    title: str
    summary_html: str
    summary_text: str
    published_at: datetime | None  # timezone-aware UTC
    author: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: its items in document order and what was wrong with it (English, for logs)."""

    title: str | None
    items: tuple[FeedItem, ...]
    bozo: bool  # malformed but recovered
    warnings: tuple[str, ...]
