"""URL canonicalisation: one spelling per article, so the same story is never stored twice."""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

MAX_URL_LEN = 2048

# Exact query keys that only track the reader (ad clicks, newsletters, share buttons, Zalo's zarsrc/gidzl).
TRACKING_KEYS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "yclid", "msclkid", "twclid", "ttclid", "li_fat_id",
        "mc_cid", "mc_eid", "igshid", "igsh", "_ga", "_gl", "_hsenc", "_hsmi", "zarsrc", "gidzl",
        "ref", "ref_src", "ref_url", "referrer", "source", "src_ref", "share", "spm", "vero_id", "cmpid",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "oly_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# WHATWG URL: tabs and newlines are removed anywhere, C0 controls and spaces trimmed at both ends.
_TAB_NEWLINE = re.compile("[\t\n\r]")
_C0_SPACE = "".join(chr(i) for i in range(0x21))
_PCT = re.compile("%[0-9a-fA-F]{2}")
# Characters percent-encoded in a path or query: all but RFC 3986 reserved + unreserved + '%'.
_UNSAFE = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]")


def _quote(part: str) -> str:
    """Percent-encode what must be (spaces, non-ASCII) and upper-case escapes: one spelling per URL."""
    if _UNSAFE.search(part):
        part = _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8", "ignore")), part)
    return _PCT.sub(lambda m: m.group(0).upper(), part) if "%" in part else part


def is_tracking_key(key: str) -> bool:
    """True for a query parameter that identifies a campaign or a click, not a page."""
    key = key.lower()
    return key in TRACKING_KEYS or key.startswith(TRACKING_PREFIXES)


def _strip_query(query: str) -> str:
    # Filter the raw pairs rather than re-encoding them: '+' vs '%20' and pair order stay as the site wrote.
    kept = [p for p in query.split("&") if p and not is_tracking_key(unquote_plus(p.split("=", 1)[0]))]
    return "&".join(kept)


def canonical_url(url: str, base: str | None = None, *, max_len: int = MAX_URL_LEN) -> str | None:
    """Absolute, canonical http(s) URL for `url` (resolved against `base`), or None if unusable."""
    if not url:
        return None
    url = _TAB_NEWLINE.sub("", url).strip(_C0_SPACE)
    if len(url) > max_len * 2:  # cheap early exit before any parsing
        return None
    try:
        if base:
            url = urljoin(_TAB_NEWLINE.sub("", base).strip(_C0_SPACE), url)
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            return None
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:  # bad IPv6 literal, port out of range…
        return None
    if not host or any(c in host for c in " <>\"'\\{}|^`"):
        return None
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"  # userinfo dropped
    path = _quote(parts.path) or "/"
    query = _quote(_strip_query(parts.query)) if parts.query else ""
    result = urlunsplit((scheme, netloc, path, query, ""))  # fragment dropped: same document
    return result if len(result) <= max_len else None


# Second-level labels under a country TLD that are public suffixes themselves (com.vn, gov.vn, edu.vn…).
_SECOND_LEVEL = frozenset(
    {"com", "net", "org", "gov", "edu", "ac", "co", "info", "int", "biz", "name", "pro", "health"}
)


def plausible_canonical(candidate: str, page_url: str) -> bool:
    """Whether a page's rel=canonical / og:url can be believed: same site, and not the site's home page.

    Some templates put the home page (or another outlet's URL) on every article: following it would fold
    every article of the outlet into one.
    """
    try:
        path = urlsplit(candidate).path
    except ValueError:
        return False
    return (
        path.strip("/") != "" and site_of(candidate) is not None and site_of(candidate) == site_of(page_url)
    )


def site_of(url: str) -> str | None:
    """Registrable domain of `url`, approximately (`kinhdoanh.vnexpress.net` → `vnexpress.net`, `cand.com.vn` kept)."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return None
    labels = host.split(".")
    if len(labels) < 2:
        return host or None
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])
