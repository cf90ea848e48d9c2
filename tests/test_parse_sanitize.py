"""Summary HTML is re-cleaned with our nh3 allowlist: known sanitizer-bypass payloads must come out inert."""

from __future__ import annotations

import html
import random
import re
from html.parser import HTMLParser

import pytest

from monitor.parse import parse_feed
from monitor.parse.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    html_to_text,
    sanitize_html,
    sanitize_with_text,
)

# (id, payload): each of these has got through some sanitizer, feedparser's included.
PAYLOADS = [
    ("entity-hex-scheme", '<a href="jav&#x61;script:alert(1)">Xem thêm</a>'),
    (
        "entity-decimal-scheme",
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">Xem</a>',
    ),
    ("entity-colon", '<a href="javascript&colon;alert(1)">Xem</a>'),
    ("tab-in-scheme", '<a href="java\tscript:alert(1)">Xem</a>'),
    ("newline-in-scheme", '<a href="java\nscript:alert(1)">Xem</a>'),
    ("entity-tab-in-scheme", '<a href="jav&#x09;ascript:alert(1)">Xem</a>'),
    ("uppercase-scheme", '<a href="JaVaScRiPt:alert(1)">Xem</a>'),
    ("leading-space-and-control", '<a href=" &#14;  javascript:alert(1)">Xem</a>'),
    ("data-text-html", '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">Xem</a>'),
    ("vbscript", '<a href="vbscript:msgbox(1)">Xem</a>'),
    ("svg-xlink-href", '<svg><a xlink:href="javascript:alert(1)"><text x="0" y="20">Xem</text></a></svg>'),
    ("svg-onload", '<svg onload="alert(1)"><circle r="4"/></svg>Ảnh'),
    ("img-onerror", '<img src="x" onerror="alert(1)">Ảnh minh họa'),
    ("img-javascript-src", '<img src="javascript:alert(1)">'),
    ("img-data-src", '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">'),
    ("script", "<script>alert(1)</script>Tin nóng"),
    ("split-script", "<scr<script>ipt>alert(1)</script>"),
    ("iframe", '<iframe src="javascript:alert(1)"></iframe>'),
    ("object-data", '<object data="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"></object>'),
    (
        "form-action",
        '<form action="javascript:alert(1)"><button formaction="javascript:alert(2)">Gửi</button></form>',
    ),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    ("style-attribute", '<p style="background:url(javascript:alert(1))">Đoạn văn</p>'),
    ("style-element", '<style>@import "javascript:alert(1)";</style>Nội dung'),
    ("base-href", '<base href="javascript:alert(1)//">'),
    ("noscript-mutation", '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'),
    ("math-mutation", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"),
    (
        "handlers-on-allowed-tag",
        '<a href="https://baomau.example.vn/" onclick="alert(1)" onmouseover="alert(2)">Xem</a>',
    ),
    ("link-element", '<link rel="stylesheet" href="javascript:alert(1)">'),
]
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def assert_inert(fragment: str) -> None:
    """Only allowlisted tags and attributes, no handlers, every URL http(s)/mailto or relative."""
    assert "<script" not in fragment.lower()
    collector = _Collector()
    collector.feed(fragment)
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), name
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, (tag, name)
            if name in {"href", "src"}:
                # What a browser would see: entities decoded, whitespace and controls ignored.
                url = re.sub(r"[\x00-\x20]", "", html.unescape(value)).lower()
                m = _SCHEME.match(url)
                assert m is None or m.group(1) in {"http", "https", "mailto"}, value


@pytest.mark.parametrize("payload", [p for _, p in PAYLOADS], ids=[i for i, _ in PAYLOADS])
def test_sanitize_html_neutralises_payload(payload: str) -> None:
    assert_inert(sanitize_html(payload))


@pytest.mark.parametrize("payload", [p for _, p in PAYLOADS], ids=[i for i, _ in PAYLOADS])
def test_payload_in_feed_summary_is_neutralised(payload: str) -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Báo Mẫu</title>'
        "<item><title>Tin kiểm thử</title><guid>bai-1</guid>"
        f"<description><![CDATA[{payload}]]></description></item></channel></rss>"
    ).encode()
    item = parse_feed(body, {}, "https://baomau.example.vn/rss").items[0]
    assert_inert(item.summary_html)
    assert "<" not in item.summary_text


def test_sanitize_keeps_ordinary_press_markup() -> None:
    out = sanitize_html(
        '<p class="sapo">Sáng 20/11, <b>Kon Tum</b> ra quân.</p>'
        '<a href="https://baomau.example.vn/a.html"><img src="https://img.baomau.example.vn/a.jpg" alt="Ảnh"></a>'
    )
    assert "<b>Kon Tum</b>" in out
    assert 'href="https://baomau.example.vn/a.html"' in out
    assert 'src="https://img.baomau.example.vn/a.jpg"' in out
    assert 'rel="noopener noreferrer nofollow"' in out
    assert "class=" not in out


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("<p>Đoạn một</p><p>Đoạn hai</p>", "Đoạn một Đoạn hai"),
        ("Dòng một<br>Dòng hai", "Dòng một Dòng hai"),
        ("<b>Hà</b> <i>Nội</i>", "Hà Nội"),
        ("Tom &amp;amp; Jerry", "Tom &amp; Jerry"),  # entities decoded exactly once
        ("17 &lt; 20 độ C", "17 < 20 độ C"),
        ("<script>alert(1)</script><style>p{}</style>Tin", "Tin"),
        ("Giá &lt;b&gt;tăng&lt;/b&gt; mạnh", "Giá tăng mạnh"),  # double-escaped tags still dropped
        ("", ""),
    ],
)
def test_html_to_text(fragment: str, expected: str) -> None:
    assert html_to_text(fragment) == expected


# Markup where a pattern could go wrong on nh3's output: '>' inside attribute values, tables that the
# parser rearranges, raw-text elements, entities, invisible and non-breaking spaces.
TRICKY = [
    '<p title="a>b">Kon</p>Tum',
    '<img alt="1 > 0" src="https://img.baomau.example.vn/a.jpg">Ảnh',
    '<a title="<b>" href="https://baomau.example.vn/?a=1&b=2">l&amp;m</a>',
    '<img title=\'a"b\' alt="c">d',
    "<table>trước<tr><td>ô</td></tr></table>sau",
    "<table><select><option>q</select><tr><td>w",
    "<pre>\n  mã</pre>",
    "<textarea><b>t</b></textarea>",
    "<xmp><b>x</b></xmp><plaintext><b>y",
    "<ul><span>t</span><li>u</li></ul><p>a<p>b",
    "&nbsp;x&nbsp;<p>\u00a0</p>A\u200bB",
    "x &lt;b&gt;y&lt;/b&gt; &amp;lt;i&amp;gt;",
]
_PIECES = (
    "<p>", "</p>", "<b>", "</b>", "<table>", "</table>", "<tr>", "<td>", "</td>", "<br>", "<ul>", "<li>",
    '<a href="https://x.vn/y?q=1&z=2" title="a>b">', "</a>", '<img src="https://i.vn/j.png" alt="x>y">',
    "<script>", "</script>", "<style>", "<select>", "<option>", "<pre>", "<!--", "-->", "<svg>", "<math>",
    "<noscript>", "<textarea>", "<caption>", "&amp;", "&lt;", "&gt;", "&nbsp;", "&quot;", '"', "'", "<", ">",
    "&", "Kon Tum ", "đường ", " ", "\n",
)  # fmt: skip


def _fragments() -> list[str]:
    rng = random.Random(20261201)
    made = ["".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 14))) for _ in range(2000)]
    return [p for _, p in PAYLOADS] + TRICKY + made


def test_sanitize_with_text_is_sanitize_then_html_to_text() -> None:
    """One parse instead of two gives the same HTML and the same text, on hostile and broken markup."""
    for fragment in _fragments():
        clean = sanitize_html(fragment)
        assert sanitize_with_text(fragment) == (clean, html_to_text(clean)), fragment
