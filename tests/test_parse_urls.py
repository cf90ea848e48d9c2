"""canonical_url: one spelling per article (tracking stripped, host lower-cased, relative links resolved)."""

from __future__ import annotations

import pytest

from monitor.parse import canonical_url
from monitor.parse.urls import site_of

BASE = "https://baomau.example.vn/rss/phap-luat.rss"


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("https://baomau.example.vn/a-204512.html", None, "https://baomau.example.vn/a-204512.html"),
        ("HTTPS://BaoMau.Example.VN/A-204512.html", None, "https://baomau.example.vn/A-204512.html"),
        ("https://baomau.example.vn:443/a.html", None, "https://baomau.example.vn/a.html"),
        ("http://baomau.example.vn:80/a.html", None, "http://baomau.example.vn/a.html"),
        ("http://baomau.example.vn:8080/a.html", None, "http://baomau.example.vn:8080/a.html"),
        ("https://baomau.example.vn", None, "https://baomau.example.vn/"),
        ("https://baomau.example.vn/a.html#binh-luan", None, "https://baomau.example.vn/a.html"),
        (
            "https://baomau.example.vn/a.html?utm_source=rss&utm_medium=feed&utm_campaign=x",
            None,
            "https://baomau.example.vn/a.html",
        ),
        (
            "https://baomau.example.vn/a.html?id=5&fbclid=IwAR0&gclid=1&yclid=2&mc_cid=3&mc_eid=4",
            None,
            "https://baomau.example.vn/a.html?id=5",
        ),
        (
            "https://baomau.example.vn/a.html?zarsrc=31&utm_source=zalo&utm_medium=zalo&gidzl=AbC-123",
            None,
            "https://baomau.example.vn/a.html",
        ),
        (
            "https://baomau.example.vn/a.html?igshid=x&_ga=2.1&ref=homepage&source=rss&p=2",
            None,
            "https://baomau.example.vn/a.html?p=2",
        ),
        (
            "https://baomau.example.vn/tim?q=Kon+Tum&UTM_Source=x",
            None,
            "https://baomau.example.vn/tim?q=Kon+Tum",
        ),
        (
            "https://baomau.example.vn/Hà Nội.html",
            None,
            "https://baomau.example.vn/H%C3%A0%20N%E1%BB%99i.html",
        ),
        ("https://baomau.example.vn/a%c3%a0.html", None, "https://baomau.example.vn/a%C3%A0.html"),
        ("https://user:pass@baomau.example.vn/a.html", None, "https://baomau.example.vn/a.html"),
        (
            "\n  https://baomau.example.vn/a.html\n",
            None,
            "https://baomau.example.vn/a.html",
        ),  # VnExpress-style
        ("/phap-luat/a-204498.html", BASE, "https://baomau.example.vn/phap-luat/a-204498.html"),
        ("a-204498.html", BASE, "https://baomau.example.vn/rss/a-204498.html"),
        ("//cdn.baomau.example.vn/a.html", BASE, "https://cdn.baomau.example.vn/a.html"),
        ("?page=2&utm_source=x", BASE, "https://baomau.example.vn/rss/phap-luat.rss?page=2"),
        ("http://[::1]:80/a", None, "http://[::1]/a"),
        # unusable: not http(s), no host, broken
        ("javascript:alert(1)", BASE, None),
        ("JAVASCRIPT:alert(1)", BASE, None),
        ("java\tscript:alert(1)", BASE, None),
        (" \x01javascript:alert(1)", BASE, None),
        ("data:text/html,<script>alert(1)</script>", BASE, None),
        ("vbscript:msgbox(1)", BASE, None),
        ("mailto:toasoan@baomau.example.vn", BASE, None),
        ("ftp://baomau.example.vn/a", None, None),
        ("https:///a.html", None, None),
        ("http://[::1/a", None, None),
        ("https://baomau.example.vn:99999/a", None, None),
        ("", BASE, None),
        ("/a.html", None, None),  # relative without a base
    ],
)
def test_canonical_url(url: str, base: str | None, expected: str | None) -> None:
    assert canonical_url(url, base) == expected


def test_canonical_url_is_idempotent() -> None:
    once = canonical_url("HTTPS://BaoMau.example.vn:443/Hà Nội.html?a=1&utm_source=x#top")
    assert once is not None
    assert canonical_url(once) == once


def test_canonical_url_length_cap() -> None:
    long_url = "https://baomau.example.vn/" + "a" * 3000
    assert canonical_url(long_url) is None
    assert canonical_url("https://baomau.example.vn/" + "a" * 50, max_len=60) is None
    assert canonical_url("https://baomau.example.vn/" + "a" * 20, max_len=60) is not None


@pytest.mark.parametrize(
    ("url", "site"),
    [
        ("https://vnexpress.net/a.html", "vnexpress.net"),
        ("https://kinhdoanh.vnexpress.net/a.html", "vnexpress.net"),
        ("https://cand.com.vn/rss/phap-luat-ct115.rss", "cand.com.vn"),
        ("https://www.baokontum.com.vn/", "baokontum.com.vn"),
        ("https://baoquangngai.vn/rss/home.rss", "baoquangngai.vn"),
    ],
)
def test_site_of(url: str, site: str) -> None:
    assert site_of(url) == site
