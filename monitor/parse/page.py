"""One pass over an HTML page with the stdlib parser: its links (and whether they sit in navigation) and
the metadata an article page declares (canonical URL, title, publication time)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

NAV_TAGS = frozenset({"nav", "header", "footer", "aside", "menu"})
# class/id words that mark site chrome rather than content (Vietnamese CMSes use English names here too).
_NAV_WORDS = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|breadcrumbs?|footer|sidebar|tags?|topics?)(?:$|[\s_-])", re.I
)
# Only elements that are always closed: an unclosed <p class="tags"> would otherwise hide the rest of the page.
_CONTAINERS = frozenset({"div", "ul", "ol", "section"})


@dataclass
class PageInfo:
    """What one scan of a page found; links are (href, in_navigation) in document order."""

    links: list[tuple[str, bool]] = field(default_factory=list)
    base_href: str | None = None
    canonical: str | None = None
    og_url: str | None = None
    title: str | None = None
    og_title: str | None = None
    published: str | None = None


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.info = PageInfo()
        self._regions: list[tuple[str, int]] = []  # open navigation regions: (tag, nesting depth of that tag)
        self._title: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if self._regions and self._regions[-1][0] == tag:
            self._regions[-1] = (tag, self._regions[-1][1] + 1)
        if tag in NAV_TAGS or (
            tag in _CONTAINERS and _NAV_WORDS.search(f"{a.get('class', '')} {a.get('id', '')}")
        ):
            self._regions.append((tag, 1))
        info = self.info
        if tag == "a":
            href = a.get("href", "").strip()
            if href:
                chrome = bool(self._regions) or "tag" in a.get("rel", "").lower().split()
                info.links.append((href, chrome or bool(_NAV_WORDS.search(a.get("class", "")))))
        elif tag == "link" and "canonical" in a.get("rel", "").lower().split() and info.canonical is None:
            info.canonical = a.get("href") or None
        elif tag == "meta":
            name = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            content = a.get("content", "").strip()
            if name == "og:url" and info.og_url is None:
                info.og_url = content or None
            elif name == "og:title" and info.og_title is None:
                info.og_title = content or None
            elif name in {"article:published_time", "datepublished", "pubdate"} and info.published is None:
                info.published = content or None
        elif tag == "time" and info.published is None and "datepublished" in a.get("itemprop", "").lower():
            info.published = a.get("datetime") or None
        elif tag == "base" and info.base_href is None:
            info.base_href = a.get("href") or None
        elif tag == "title" and info.title is None:
            self._title = []

    def handle_endtag(self, tag: str) -> None:
        if self._regions and self._regions[-1][0] == tag:
            self._regions[-1] = (tag, self._regions[-1][1] - 1)
            if self._regions[-1][1] == 0:
                self._regions.pop()
        if tag == "title" and self._title is not None:
            self.info.title = "".join(self._title)
            self._title = None

    def handle_data(self, data: str) -> None:
        if self._title is not None:
            self._title.append(data)


def scan_page(html_text: str) -> PageInfo:
    """Scan decoded HTML once; never raises on broken markup."""
    scanner = _Scanner()
    try:
        scanner.feed(html_text)
        scanner.close()
    except (AssertionError, ValueError):  # old html.parser edge cases on broken markup: keep what was read
        pass
    return scanner.info
