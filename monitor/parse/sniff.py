"""Tell a feed from what servers send instead: nothing, an HTML page, a bot challenge."""

from __future__ import annotations

import re

from monitor.errors import NotAFeedError

_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_FIRST_TAG = re.compile(r"<([A-Za-z][\w:.-]*)")
_DOCTYPE_HTML = re.compile(r"<!doctype\s+html", re.I)
FEED_ROOTS = frozenset({"rss", "feed", "rdf:rdf", "rdf", "channel"})
# Bot walls answer 200 (or 403/503) with a page; these markers are specific enough not to hit real pages.
_CHALLENGE = re.compile(
    r"<title>\s*(?:just a moment|attention required|checking your browser|ddos-guard|access denied|"
    r"verifying you are human|one more step)"
    r"|cf-browser-verification|challenge-platform|cf_chl_opt|__cf_chl_|cf-turnstile|g-recaptcha|h-captcha"
    r"|/captcha|sucuri website firewall|_incapsula_resource",
    re.I,
)


def strip_leading_junk(text: str) -> tuple[str, bool]:
    """Drop anything before the XML declaration (blank lines, PHP warnings); True if non-blank text was dropped."""
    # expat refuses a declaration that is not at the very start, and feedparser's fallback parser is slow.
    start = text.find("<?xml", 0, 4096)
    if start <= 0:
        return text, False
    return text[start:], bool(text[:start].strip())


def root_element(text: str) -> str | None:
    """Lower-cased name of the document's first element, skipping the prolog and comments."""
    head = _COMMENT.sub("", text[:4096])
    m = _FIRST_TAG.search(head)
    return m.group(1).lower() if m else None


def check_feed(text: str, source: str) -> None:
    """Raise NotAFeedError unless `text` plausibly is an RSS/Atom document."""
    if not text.strip():
        raise NotAFeedError("Nguồn trả về nội dung rỗng, không phải RSS/Atom", detail=f"empty body: {source}")
    root = root_element(text)
    if root in FEED_ROOTS:
        return
    if _CHALLENGE.search(text[:65536]):
        raise NotAFeedError(
            "Nguồn trả về trang kiểm tra chống bot (Cloudflare/captcha), không phải RSS/Atom",
            detail=f"challenge page: {source}",
        )
    if root in {"html", "head", "body"} or _DOCTYPE_HTML.search(text[:1024]):
        raise NotAFeedError("Nội dung không phải RSS/Atom (trang HTML)", detail=f"html page: {source}")
    # Anything else (JSON, plain text, an unknown XML root) goes to feedparser, which has the last word.
