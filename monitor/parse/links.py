"""Article links on a press section page (sources of kind "html": no feed, a list of stories)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from monitor.parse.charset import decode_body
from monitor.parse.page import scan_page
from monitor.parse.urls import canonical_url, site_of

# Path segments of listing pages, not stories (Vietnamese and English slugs).
NON_ARTICLE_SEGMENTS = frozenset(
    [
        "tag",
        "tags",
        "chu-de",
        "topic",
        "topics",
        "category",
        "categories",
        "danh-muc",
        "chuyen-muc",
        "chuyen-de",
        "tac-gia",
        "author",
        "authors",
        "search",
        "tim-kiem",
        "lien-he",
        "contact",
        "gioi-thieu",
        "about",
        "login",
        "dang-nhap",
        "dang-ky",
        "register",
        "rss",
        "feed",
        "page",
        "trang",
        "su-kien",
        "event",
        "events",
    ]
)
_FILE_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|pdf|mp3|mp4|zip|rar|docx?|xlsx?)$", re.I)
_PAGE_EXT = re.compile(r"\.(?:html?|aspx?|php|vnp|ldo|chn|tpo)$", re.I)
_LONG_NUMBER = re.compile(r"\d{5,}")
_ID_PARAM = re.compile(r"(?:^|&)(?:id|newsid|articleid|nid|news_id)=\d+", re.I)


def looks_like_article(url: str) -> bool:
    """Heuristic: a story URL ends in a long slug or carries a numeric id; listing pages do not."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if not segments or _FILE_EXT.search(parts.path):
        return False
    if any(s.lower() in NON_ARTICLE_SEGMENTS for s in segments):
        return False
    if _ID_PARAM.search(parts.query):
        return True
    last = _PAGE_EXT.sub("", segments[-1])
    return bool(_LONG_NUMBER.search(last)) or last.count("-") >= 3


def find_article_links(
    body: bytes, headers: Mapping[str, str], base_url: str, *, max_links: int = 100
) -> tuple[str, ...]:
    """Same-site article URLs found on a section page: canonical, de-duplicated, navigation filtered out."""
    info = scan_page(decode_body(body, headers))
    base = canonical_url(info.base_href, base_url) if info.base_href else None
    base = base or base_url
    site = site_of(base_url)
    own = {canonical_url(base_url), canonical_url(info.canonical or "", base_url)}
    found: dict[str, None] = {}
    for href, in_navigation in info.links:
        if in_navigation:
            continue
        url = canonical_url(href, base)
        if url is None or url in own or url in found or site_of(url) != site:
            continue
        if looks_like_article(url):
            found[url] = None
            if len(found) >= max_links:
                break
    return tuple(found)
