"""find_article_links: story links on a section page, without navigation, tags, paging or other sites."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.parse import find_article_links
from monitor.parse.links import looks_like_article

FIXTURES = Path(__file__).parent / "fixtures" / "parse"
SECTION = "https://baomau.example.vn/phap-luat"


def test_section_page_links() -> None:
    body = (FIXTURES / "section_phap_luat.html").read_bytes()
    assert find_article_links(body, {"Content-Type": "text/html"}, SECTION) == (
        "https://baomau.example.vn/phap-luat/dak-ha-xu-ly-12-truong-hop-khai-thac-cat-trai-phep-204498.html",
        "https://baomau.example.vn/phap-luat/sa-thay-tuyen-truyen-phong-chong-lua-dao-204470.html",
        "https://baomau.example.vn/phap-luat/bat-doi-tuong-trom-cap-xe-may-o-ngoc-hoi-204466.html",
        "https://video.baomau.example.vn/clip-canh-sat-giao-thong-tuan-tra-dem-204460.html",
        "https://baomau.example.vn/tin.aspx?id=204455",
    )


def test_section_page_link_cap() -> None:
    body = (FIXTURES / "section_phap_luat.html").read_bytes()
    assert len(find_article_links(body, {}, SECTION, max_links=2)) == 2


def test_section_page_in_windows_1258() -> None:
    title = "Bắt đối tượng trộm cắp"
    html = (
        '<html><head><meta charset="windows-1258"></head><body><a href="/phap-luat/bat-doi-tuong-trom-cap-204466.html">'
        + title
        + "</a></body></html>"
    )
    body = html.encode("cp1258", "ignore")  # the href is ASCII; only its text is lossy here
    assert find_article_links(body, {}, SECTION) == (
        "https://baomau.example.vn/phap-luat/bat-doi-tuong-trom-cap-204466.html",
    )


def test_base_href_is_honoured() -> None:
    body = (
        b'<html><head><base href="https://baomau.example.vn/kinh-te/"></head><body>'
        b'<a href="gia-ca-phe-tang-manh-204521.html">C\xc3\xa0 ph\xc3\xaa</a></body></html>'
    )
    expected = ("https://baomau.example.vn/kinh-te/gia-ca-phe-tang-manh-204521.html",)
    assert find_article_links(body, {}, SECTION) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://baomau.example.vn/phap-luat/dak-ha-xu-ly-khai-thac-cat-204498.html", True),
        ("https://vnexpress.net/israel-noi-got-my-roi-hoi-dong-nhan-quyen-lhq-4846612.html", True),
        ("https://cand.com.vn/Phap-luat/bat-doi-tuong-i700001/", True),
        ("https://baomau.example.vn/tin.aspx?id=204455", True),
        ("https://tuoitre.vn/kon-tum-mua-lon-20261120101010123.htm", True),
        ("https://baomau.example.vn/", False),
        ("https://baomau.example.vn/phap-luat", False),
        ("https://baomau.example.vn/tag/khai-thac-cat", False),
        ("https://baomau.example.vn/chu-de/an-toan-giao-thong-12.html", False),
        ("https://baomau.example.vn/phap-luat/trang-2", False),
        ("https://baomau.example.vn/tac-gia/minh-anh-nguyen-van-b", False),
        ("https://baomau.example.vn/anh/kon-tum-mua-lon-204498.jpg", False),
    ],
)
def test_looks_like_article(url: str, expected: bool) -> None:
    assert looks_like_article(url) is expected


def test_unclosed_paragraph_with_tag_class_does_not_hide_later_links() -> None:
    body = (
        '<html><body><p class="tags">Chủ đề: <a href="/tag/kon-tum">Kon Tum</a>'
        '<div><a href="/phap-luat/bat-doi-tuong-trom-cap-204466.html">Bắt đối tượng</a></div>'
        "</body></html>"
    ).encode()
    assert find_article_links(body, {}, SECTION) == (
        "https://baomau.example.vn/phap-luat/bat-doi-tuong-trom-cap-204466.html",
    )
