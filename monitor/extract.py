"""Article page HTML → main text, title, canonical URL, publication time (trafilatura; the only module
importing it, and only when first called: it takes ~0.1 s to import)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from monitor.errors import ParseError
from monitor.parse.charset import decode_body
from monitor.parse.page import scan_page
from monitor.parse.text import clean_text
from monitor.parse.urls import canonical_url

log = logging.getLogger(__name__)
# Vietnamese press pages give local times without an offset; Vietnam has one zone and no DST.
VIETNAM = timezone(timedelta(hours=7))


@dataclass(frozen=True)
class ExtractedArticle:
    """The main text of an article page (NFC, no reader comments, no navigation) and its metadata."""

    text: str
    title: str | None
    canonical_url: str | None  # from <link rel=canonical>, else og:url; resolved and canonicalised
    published_at: datetime | None  # timezone-aware UTC


def extract_article(body: bytes, headers: Mapping[str, str], url: str) -> ExtractedArticle:
    """Extract an article page's main text and metadata; raises ParseError when there is no text."""
    html_text = decode_body(body, headers)
    if not html_text.strip():
        raise ParseError("Trang bài viết rỗng", detail=f"empty article page: {url}")
    info = scan_page(html_text)
    text, title, date = _trafilatura(html_text, url)
    if not text:
        raise ParseError("Không trích xuất được nội dung bài viết", detail=f"no main text: {url}")
    canonical = None
    for candidate in (info.canonical, info.og_url):  # rel=canonical is the site's own answer: prefer it
        canonical = canonical_url(candidate, url) if candidate else None
        if canonical:
            break
    title = clean_text(info.og_title or title or info.title or "") or None
    published = parse_datetime(info.published or "") or parse_datetime(date or "")
    text = clean_text(text, multiline=True)
    first_line, _, rest = text.partition("\n")
    if title and first_line == title and rest.strip():
        text = rest.strip()  # the <h1> repeats the title: counting it twice would skew matching downstream
    return ExtractedArticle(text, title, canonical, published)


def _trafilatura(html_text: str, url: str) -> tuple[str, str | None, str | None]:
    """(text, title, date) from trafilatura, falling back to its baseline extractor; ('', None, None) if nothing."""
    import trafilatura  # heavy: imported on first use, never at import time
    from trafilatura.settings import Document

    try:
        doc = trafilatura.bare_extraction(
            html_text, url=url, include_comments=False, with_metadata=True, include_tables=True
        )
    except Exception as exc:
        log.warning("extract: trafilatura failed", extra={"url": url, "error": str(exc)})
        doc = None
    if isinstance(doc, Document) and doc.text and doc.text.strip():
        return doc.text, doc.title, doc.date
    try:
        # The baseline keeps all paragraph text, comments included: degraded, but better than no text.
        _, text, _ = trafilatura.baseline(html_text)
    except Exception as exc:
        log.warning("extract: baseline failed", extra={"url": url, "error": str(exc)})
        return "", None, None
    return text or "", None, None


def parse_datetime(value: str) -> datetime | None:
    """ISO 8601 date or datetime → aware UTC; naive values are Vietnam time; None if unparseable."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=VIETNAM)
    return parsed.astimezone(UTC)
