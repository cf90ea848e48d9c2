"""RSS 0.9x/1.0/2.0 and Atom → ParsedFeed, through feedparser (plain RSS 2.0 through `plain_rss` first).

feedparser is given clean UTF-8 bytes in a BytesIO (a bytes or str argument may be taken for a file name or
a URL and opened), with its sanitizer and URI resolution off: we sanitise with nh3 and resolve links ourselves,
which is also faster. A well-formed plain RSS 2.0 feed is read by `plain_rss.read_plain_rss` instead, which
gives the same fields four to five times faster; anything else falls back to feedparser.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import io
from collections.abc import Mapping
from datetime import UTC, datetime
from time import struct_time
from typing import Any

import feedparser

from monitor.errors import NotAFeedError, ParseError
from monitor.parse.charset import declared_charsets, detect_and_decode, xml_as_utf8
from monitor.parse.model import FeedItem, ParsedFeed
from monitor.parse.plain_rss import read_plain_rss
from monitor.parse.sanitize import html_to_text, sanitize_with_text
from monitor.parse.sniff import check_feed, strip_leading_junk
from monitor.parse.text import clean_text
from monitor.parse.urls import MAX_URL_LEN, canonical_url

MAX_KEY_LEN = 512
_UTF8_XML = {"content-type": "application/xml; charset=utf-8"}


def parse_feed(
    body: bytes,
    headers: Mapping[str, str],
    base_url: str,
    *,
    max_items: int = 200,
    max_url_len: int = MAX_URL_LEN,
) -> ParsedFeed:
    """Parse feed bytes (as fetched, with their response headers) into cleaned, capped FeedItems."""
    warnings: list[str] = []
    text, codec = detect_and_decode(body, headers)
    check_feed(text, base_url)  # first: an HTML page with inline SVG also contains "<?xml"
    text, had_junk = strip_leading_junk(text)
    if had_junk:
        warnings.append("feed: dropped text before the XML declaration")
    declared = declared_charsets(body, headers)
    if declared and codec not in declared:
        warnings.append(f"charset: declared {', '.join(declared)}, decoded as {codec}")
    data, dropped = xml_as_utf8(text)
    if dropped:
        warnings.append(f"feed: removed {dropped} control characters")
    plain = read_plain_rss(data)
    if plain is not None:
        feed_fields, entries = plain
        bozo = False
    else:
        feed_fields, entries, bozo = _feedparser(data, base_url, warnings)
    if len(entries) > max_items:
        warnings.append(f"feed: {len(entries)} items, kept the first {max_items}")
        entries = entries[:max_items]
    items: list[FeedItem] = []
    seen: set[str] = set()
    for entry in entries:
        item = _item(entry, base_url, max_url_len, warnings)
        if item.url is None and not item.title:  # nothing to show or to open: not an article
            warnings.append(f"item: dropped, no usable link and no title (key {item.key[:60]!r})")
            continue
        if item.key in seen:
            warnings.append(f"item: duplicate key {item.key[:100]!r}, kept the first")
            continue
        seen.add(item.key)
        items.append(item)
    title = html_to_text(dict.get(feed_fields, "title") or "") or None
    return ParsedFeed(title=title, items=tuple(items), bozo=bozo, warnings=tuple(warnings))


def _feedparser(
    data: bytes, base_url: str, warnings: list[str]
) -> tuple[dict[str, Any], list[dict[str, Any]], bool]:
    """(feed fields, entries, bozo) from feedparser, for every feed the plain RSS path refuses."""
    # Headers rewritten on purpose: the bytes are now UTF-8, whatever the server said.
    try:
        parsed = feedparser.parse(
            io.BytesIO(data), response_headers=_UTF8_XML, sanitize_html=False, resolve_relative_uris=False
        )
    except Exception as exc:
        detail = f"feedparser failed: {base_url}: {exc!r}"
        raise ParseError("Không đọc được nội dung RSS/Atom", detail=detail) from exc
    entries = parsed.entries
    if not parsed.get("version") and not entries:
        raise NotAFeedError(
            "Nội dung không phải RSS/Atom",
            detail=f"unrecognised document: {base_url}: {parsed.get('bozo_exception')}",
        )
    bozo = bool(parsed.get("bozo"))
    if bozo:
        warnings.append(
            f"feed: malformed, recovered what could be read: {str(parsed.get('bozo_exception'))[:200]}"
        )
    return parsed.feed, entries, bozo


def _item(entry: dict[str, Any], base_url: str, max_url_len: int, warnings: list[str]) -> FeedItem:
    # dict.get, not FeedParserDict.get: its key aliasing costs more than the rest of the item.
    link = dict.get(entry, "link")
    if link and "://" not in link and link == dict.get(entry, "id") and dict.get(entry, "guidislink"):
        link = None  # RSS guids default to isPermaLink=true; "bai-204512" is an id, not a relative URL
    url = canonical_url(link, base_url, max_len=max_url_len) if link else None
    if link and url is None:
        warnings.append(f"item: link dropped (not http/https or too long): {link[:100]!r}")
    title = html_to_text(dict.get(entry, "title") or "")
    summary_html, summary_text = sanitize_with_text(_summary(entry))
    published_at = _utc(dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed"))
    author = html_to_text(dict.get(entry, "author") or "") or None
    guid = clean_text(dict.get(entry, "id") or "")
    key = guid or url or _fallback_key(title, published_at, summary_text)
    if len(key) > MAX_KEY_LEN:
        key = "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()
    return FeedItem(key, url, title, summary_html, summary_text, published_at, author)


def _summary(entry: dict[str, Any]) -> str:
    """The entry's HTML description: summary, else the first content block; plain text is escaped."""
    detail = dict.get(entry, "summary_detail")
    value = dict.get(entry, "summary")
    if not value:
        content = dict.get(entry, "content") or ()
        detail = content[0] if content else None
        value = dict.get(detail, "value") if detail else None
    if not value:
        return ""
    if detail and dict.get(detail, "type") == "text/plain":
        return html.escape(value, quote=False)  # Atom type="text": '<' is a character, not a tag
    return str(value)


def _fallback_key(title: str, published_at: datetime | None, summary_text: str) -> str:
    """Stable identity for an item with neither guid nor link: same content, same key, on every fetch."""
    stamp = published_at.isoformat() if published_at else ""
    digest = hashlib.sha256("\x1f".join((title, stamp, summary_text)).encode("utf-8")).hexdigest()
    return f"sha256:{digest[:40]}"


def _utc(parsed_time: struct_time | None) -> datetime | None:
    """feedparser's UTC struct_time → aware datetime; None when missing or out of range."""
    if not parsed_time:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed_time), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None
