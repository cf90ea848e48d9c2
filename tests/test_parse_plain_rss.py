"""The plain RSS 2.0 fast path gives exactly what feedparser gives, and refuses what it cannot reproduce.

Every document below is parsed twice: as shipped (fast path when `read_plain_rss` accepts it) and with the
fast path switched off (feedparser always). The ParsedFeeds must be equal, warnings included, and the raw
fields the item builder reads must be equal too (so a difference hidden by later cleaning is still seen).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import feedparser
import pytest

from monitor.parse import feed as feed_module
from monitor.parse import parse_feed
from monitor.parse.charset import xml_as_utf8
from monitor.parse.plain_rss import read_plain_rss

FIXTURES = Path(__file__).parent / "fixtures" / "parse"
BASE = "https://baomau.example.vn/rss/phap-luat.rss"
FIELDS = ("link", "id", "guidislink", "title", "summary", "published_parsed", "updated_parsed", "author")


def rss(
    items: str, *, channel: str = "<title>Báo Mẫu</title><link>https://baomau.example.vn/</link>"
) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/" '
        'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">'
        f"<channel>{channel}{items}</channel></rss>"
    ).encode()


def item(*parts: str) -> str:
    return "<item>" + "".join(parts) + "</item>"


T = "<title>Kon Tum ra quân bảo đảm an toàn giao thông</title>"
L = "<link>https://baomau.example.vn/thoi-su/ra-quan-204512.html</link>"
D = "<description><![CDATA[<p>Lực lượng chức năng <b>tỉnh Kon Tum</b> ra quân.</p>]]></description>"
P = "<pubDate>Fri, 20 Nov 2026 08:15:00 +0700</pubDate>"

# Documents the fast path takes: each is a case feedparser treats in a particular way.
PLAIN = {
    "bench-shape": rss(
        "".join(
            item(
                f"<title>Tin {j}: Kon Tum tăng cường tuần tra ban đêm</title>",
                f"<link>https://o1.bench.test/bai-{j}.html?utm_source=rss</link>",
                f"<guid>https://o1.bench.test/bai-{j}.html?utm_source=rss</guid>",
                "<pubDate>Thu, 26 Nov 2026 08:00:00 +0000</pubDate>",
                '<description><![CDATA[<p>Công an tỉnh</p><img src="https://img.bench.test/1.jpg">]]></description>',
            )
            for j in range(5)
        )
    ),
    "guid-before-link": rss(item(T, "<guid>https://baomau.example.vn/a-1.html</guid>", L, D, P)),
    "guid-relative-permalink": rss(item(T, "<guid>bai-204512</guid>", D)),
    "guid-relative-then-link": rss(item(T, "<guid>bai-9</guid>", "<link>/phap-luat/bai-9.html</link>")),
    "guid-not-permalink": rss(item(T, '<guid isPermaLink="false">https://baomau.example.vn/x.html</guid>')),
    "guid-permalink-True": rss(item(T, '<guid isPermaLink="True">https://baomau.example.vn/x.html</guid>')),
    "guid-empty": rss(item(T, "<guid></guid>", D)),
    "guid-empty-then-link": rss(item(T, "<guid/>", L)),
    "link-empty-then-guid": rss(item(T, "<link></link>", "<guid>https://baomau.example.vn/g.html</guid>")),
    "link-relative": rss(item(T, "<link>\n  /phap-luat/dak-ha-204498.html \n</link>")),
    "link-query-entities": rss(item(T, "<link>https://baomau.example.vn/a?x=1&amp;amp;y=2&amp;z;=3</link>")),
    "link-extra-slashes": rss(item(T, "<link>https:////baomau.example.vn//a.html</link>")),
    "link-javascript": rss(item(T, "<link>javascript:alert(1)</link>")),
    "link-bad-ipv6": rss(item(T, "<link>http://[::1/a</link>")),
    "title-cdata-html": rss(item("<title><![CDATA[<b>Hà Nội</b> mưa &amp; lớn]]></title>", L)),
    "title-escaped-twice": rss(
        item("<title>Giá vàng &amp;amp; ngoại tệ &lt;b&gt;hôm nay&lt;/b&gt;</title>", L)
    ),
    "title-latin1-mojibake": rss(item("<title>CafÃ© sÃ¡ng</title>", L)),
    "title-c1-charref": rss(item("<title>Mắt bão &#150; &#147;Quảng Ngãi&#148;</title>", L)),
    "title-empty": rss(item("<title></title>", L)),
    "title-whitespace": rss(item("<title>\n   Kon Tum\t mưa   to\n  </title>", L)),
    "title-comment-inside": rss(item("<title>Kon <!-- x -->Tum</title>", L)),
    "description-plain": rss(item(T, L, "<description>17 &lt; 20 độ C &amp; mưa</description>")),
    "description-empty": rss(item(T, L, "<description/>")),
    "description-script": rss(item(T, L, "<description><![CDATA[<script>x()</script>Tin]]></description>")),
    "no-title-no-link": rss(item(D) + item(T, L)),
    "date-gmt": rss(item(T, L, "<pubDate>Fri, 20 Nov 2026 01:15:00 GMT</pubDate>")),
    "date-iso": rss(item(T, L, "<pubDate>2026-11-20T08:15:00+07:00</pubDate>")),
    "date-invalid": rss(item(T, L, "<pubDate>không phải ngày</pubDate>")),
    "date-empty": rss(item(T, L, "<pubDate></pubDate>")),
    "date-lowercase-tag": rss(item(T, L, "<pubdate>Fri, 20 Nov 2026 08:15:00 +0700</pubdate>")),
    "author": rss(item(T, L, "<author>toasoan@baomau.example.vn (Minh Anh)</author>")),
    "dc-creator": rss(item(T, L, "<dc:creator>Thu Trang</dc:creator>")),
    "extras": rss(
        item(
            T,
            L,
            '<category domain="x">Pháp luật</category><category>Kon Tum</category>',
            '<enclosure url="https://img.baomau.example.vn/a.jpg" length="1" type="image/jpeg"/>',
            "<comments>https://baomau.example.vn/a#binh-luan</comments><slash:comments>2</slash:comments>",
        )
    ),
    "duplicate-guids": rss(
        item("<title>Bản đầu</title><guid>bai-7</guid>") + item("<title>Sau</title><guid>bai-7</guid>")
    ),
    "no-items": rss(""),
    "channel-extras": rss(
        item(T, L),
        channel="<title>Báo &amp; Mẫu</title><description>d</description><language>vi</language>"
        '<atom:link href="https://baomau.example.vn/rss" rel="self" type="application/rss+xml"/>'
        "<image><url>https://baomau.example.vn/logo.png</url><title>Logo</title><link>https://baomau.example.vn/</link>"
        "</image><pubDate>Fri, 20 Nov 2026 08:15:00 +0700</pubDate><generator>CMS</generator><ttl>5</ttl>",
    ),
    "channel-title-after-items": rss(item(T, L), channel="<link>https://baomau.example.vn/</link>")[
        : -len(b"</channel></rss>")
    ]
    + "<title>Tiêu đề sau</title></channel></rss>".encode(),
    "no-version": rss(item(T, L)).replace(b' version="2.0"', b""),
    "version-091": rss(item(T, L)).replace(b'version="2.0"', b'version="0.91"'),
}

# Documents the fast path must leave to feedparser (and then nothing changes either).
REFUSED = {
    "duplicate-title": rss(item(T, T, L)),
    "author-and-creator": rss(item(T, L, "<author>A</author><dc:creator>B</dc:creator>")),
    "markup-in-description": rss(item(T, L, "<description><p>Hai tỉnh <b>ký</b></p></description>")),
    "xml-base-item": rss(
        item(T, "<link>/a.html</link>").replace("<item>", '<item xml:base="https://khac.vn/">')
    ),
    "xml-base-channel": rss(item(T, "<link>/a.html</link>")).replace(
        b"<channel>", b'<channel xml:base="https://khac.vn/">'
    ),
    "base-attr-on-leaf": rss(
        item(T, '<category base="https://khac.vn/">x</category>', "<link>a.html</link>")
    ),
    "doctype-entities": b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY ten "Kon Tum">]>'
    + rss(item("<title>&ten; mưa</title>", L)).split(b"?>", 1)[1],
    "stylesheet-pi": rss(item(T, L)).replace(b"?>", b'?><?xml-stylesheet href="rss.xsl"?>', 1),
    "media-content": rss(item(T, L, '<media:content url="https://img.baomau.example.vn/a.jpg"/>')),
    "media-title": rss(item(L, "<media:title>Tiêu đề media</media:title>")),
    "unknown-element": rss(item(T, L, "<source url='https://khac.vn/rss'>Khác</source>")),
    "content-encoded": rss(item(T, L, D))
    .replace(b"<rss ", b'<rss xmlns:content="http://purl.org/rss/1.0/modules/content/" ')
    .replace(b"</item>", "<content:encoded><![CDATA[<p>Toàn văn</p>]]></content:encoded></item>".encode()),
    "item-attribute": rss(
        item(T, L).replace(
            "<item>", '<item rdf:about="x" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        )
    ),
    "link-href-attribute": rss(item(T, '<link href="https://baomau.example.vn/h.html"/>')),
    "title-type-attribute": rss(item('<title type="html">&lt;b&gt;A&lt;/b&gt;</title>', L)),
    "two-channel-titles": rss(item(T, L), channel="<title>Một</title><title>Hai</title>"),
    "image-with-extra": rss(
        item(T, L), channel="<title>A</title><image><title>B</title><foo>c</foo></image>"
    ),
    "entry-in-channel": rss("<entry><title>Atom?</title></entry>"),
    "default-namespace": rss(item(T, L)).replace(b"<rss ", b'<rss xmlns="http://backend.userland.com/rss2" '),
    "undefined-entity": rss(item("<title>Kon&nbsp;Tum</title>", L)),
    "unescaped-ampersand": rss(item("<title>Kon Tum & Gia Lai</title>", L)),
    "truncated": rss(item(T, L))[:-20],
}

FIXTURE_FILES = ["rss20_kontum.xml", "atom_kontum.xml", "rss10_rdf.xml", "rss091.xml", "malformed.xml"]


def _slow(monkeypatch: pytest.MonkeyPatch, body: bytes, headers: dict[str, str]) -> Any:
    with monkeypatch.context() as m:
        m.setattr(feed_module, "read_plain_rss", lambda data: None)
        return parse_feed(body, headers, BASE)


def _raw_fields(entries: list[Any]) -> list[dict[str, Any]]:
    out = []
    for e in entries:
        row = {k: dict.get(e, k) for k in FIELDS}
        detail = dict.get(e, "summary_detail")
        row["summary_type"] = dict.get(detail, "type") if detail else None
        out.append(row)
    return out


def _same_as_feedparser(monkeypatch: pytest.MonkeyPatch, body: bytes) -> bool:
    """Assert both paths agree on `body`; True if the fast path took it."""
    headers = {"content-type": "application/rss+xml; charset=utf-8"}
    fast = parse_feed(body, headers, BASE)
    assert fast == _slow(monkeypatch, body, headers)
    data, _ = xml_as_utf8(body.decode("utf-8"))
    plain = read_plain_rss(data)
    if plain is None:
        return False
    parsed = feedparser.parse(
        io.BytesIO(data),
        response_headers={"content-type": "application/xml; charset=utf-8"},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    assert not parsed.bozo
    assert _raw_fields(plain[1]) == _raw_fields(parsed.entries)
    assert dict.get(plain[0], "title") == dict.get(parsed.feed, "title")
    return True


@pytest.mark.parametrize("name", list(PLAIN))
def test_plain_feeds_take_the_fast_path_with_feedparsers_result(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    assert _same_as_feedparser(monkeypatch, PLAIN[name])


@pytest.mark.parametrize("name", list(REFUSED))
def test_other_feeds_are_left_to_feedparser(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    assert not _same_as_feedparser(monkeypatch, REFUSED[name])


@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_fixture_feeds_agree(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    body = (FIXTURES / name).read_bytes()
    fast = parse_feed(body, {}, BASE)
    assert fast == _slow(monkeypatch, body, {})
    assert fast.items


def test_the_vnexpress_shaped_fixture_takes_the_fast_path() -> None:
    data, _ = xml_as_utf8((FIXTURES / "rss20_kontum.xml").read_text(encoding="utf-8"))
    plain = read_plain_rss(data)
    assert plain is not None and len(plain[1]) == 3


@pytest.mark.shared
def test_real_vnexpress_snapshots_agree(monkeypatch: pytest.MonkeyPatch, shared_data: Path) -> None:
    path = shared_data / "rss_samples"
    if not path.is_dir():
        pytest.skip(f"VnExpress RSS snapshots not found at {path}")
    taken = 0
    for sample in sorted(path.glob("*.xml")):
        body = sample.read_bytes()
        fast = parse_feed(body, {}, "http://vnexpress.net/rss/thoi-su.rss")
        assert fast == _slow(monkeypatch, body, {})
        taken += read_plain_rss(xml_as_utf8(body.decode("utf-8"))[0]) is not None
    assert taken >= 2  # the two well-formed snapshots; the malformed one goes to feedparser
