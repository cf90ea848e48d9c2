"""extract_article: main text without reader comments or navigation, canonical URL, title, date."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import ParseError
from monitor.extract import ExtractedArticle, extract_article, parse_datetime

FIXTURES = Path(__file__).parent / "fixtures" / "parse"
URL = "https://baomau.example.vn/thoi-su/kon-tum-ra-quan-204512.html?utm_source=rss"
CANONICAL = (
    "https://baomau.example.vn/thoi-su/kon-tum-ra-quan-bao-dam-an-toan-giao-thong-dip-cuoi-nam-204512.html"
)
HEADERS = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture(scope="module")
def page() -> str:
    return (FIXTURES / "article_kontum.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def article(page: str) -> ExtractedArticle:
    return extract_article(page.encode("utf-8"), HEADERS, URL)


def test_main_text_is_extracted(article: ExtractedArticle) -> None:
    assert "tăng cường tuần tra trên quốc lộ 14 và quốc lộ 24" in article.text
    assert "phát miễn phí mũ bảo hiểm đạt chuẩn" in article.text
    assert unicodedata.is_normalized("NFC", article.text)


@pytest.mark.parametrize(
    "unwanted",
    [
        "BÌNH_LUẬN_ĐỘC_GIẢ",
        "Ý kiến bạn đọc",
        "Nguyễn Văn Bình",
        "Trang chủ",
        "dataLayer",
        "color: red",
        "Tin liên quan",
        "bộ kiểm thử",
    ],
)
def test_comments_navigation_and_code_are_not_in_text(article: ExtractedArticle, unwanted: str) -> None:
    assert unwanted not in article.text


def test_metadata(article: ExtractedArticle) -> None:
    assert article.title == "Kon Tum ra quân bảo đảm an toàn giao thông dịp cuối năm"
    assert article.canonical_url == CANONICAL  # rel=canonical wins over og:url; utm_source/zarsrc stripped
    assert article.published_at == datetime(2026, 11, 20, 1, 15, tzinfo=UTC)


def test_og_url_when_no_rel_canonical(page: str) -> None:
    without = "\n".join(line for line in page.splitlines() if 'rel="canonical"' not in line)
    got = extract_article(without.encode(), HEADERS, URL)
    assert got.canonical_url == "https://baomau.example.vn/og-khong-dung-204512.html"


def test_relative_canonical_is_resolved(page: str) -> None:
    relative = page.replace("https://baomau.example.vn/thoi-su/", "/thoi-su/", 1)
    assert extract_article(relative.encode(), HEADERS, URL).canonical_url == CANONICAL


def test_no_canonical_at_all(page: str) -> None:
    bare = "\n".join(line for line in page.splitlines() if "canonical" not in line and "og:url" not in line)
    assert extract_article(bare.encode(), HEADERS, URL).canonical_url is None


def test_javascript_canonical_is_ignored(page: str) -> None:
    bad = page.replace(CANONICAL.split("?")[0], "javascript:alert(1)", 1)
    got = extract_article(bad.encode(), HEADERS, URL)
    assert got.canonical_url == "https://baomau.example.vn/og-khong-dung-204512.html"


def test_windows_1258_nfd_and_nul_in_page(page: str) -> None:
    # A page whose text arrives decomposed and with a NUL, declared windows-1258 though it is UTF-8.
    odd = unicodedata.normalize("NFD", page).replace("Theo kế hoạch", "Theo\x00 kế hoạch")
    got = extract_article(odd.encode("utf-8"), {"Content-Type": "text/html; charset=windows-1258"}, URL)
    assert "Theo kế hoạch, từ nay đến hết tháng Giêng" in got.text
    assert "\x00" not in got.text
    assert got.title == "Kon Tum ra quân bảo đảm an toàn giao thông dịp cuối năm"


def test_date_only_page_falls_back_to_trafilatura(page: str) -> None:
    no_meta = page.replace('<meta property="article:published_time" content="2026-11-20T08:15:00+07:00">', "")
    got = extract_article(no_meta.encode(), HEADERS, URL)
    # trafilatura finds the date only; a bare date is midnight in Vietnam.
    assert got.published_at == datetime(2026, 11, 19, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "body",
    [b"", b"   \n", b"<html><head><script>var a = 1;</script></head><body></body></html>"],
    ids=["empty", "whitespace", "no-text"],
)
def test_pages_without_text_raise_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError) as info:
        extract_article(body, HEADERS, URL)
    assert str(info.value).startswith("parse: ")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20T08:15:00+07:00", datetime(2026, 11, 20, 1, 15, tzinfo=UTC)),
        ("2026-11-20T01:15:00Z", datetime(2026, 11, 20, 1, 15, tzinfo=UTC)),
        ("2026-11-20 08:15:00", datetime(2026, 11, 20, 1, 15, tzinfo=UTC)),  # naive = Vietnam time
        ("2026-11-20", datetime(2026, 11, 19, 17, 0, tzinfo=UTC)),
        ("20/11/2026", None),
        ("", None),
    ],
)
def test_parse_datetime(value: str, expected: datetime | None) -> None:
    assert parse_datetime(value) == expected


def test_title_is_not_repeated_as_first_line(article: ExtractedArticle) -> None:
    assert not article.text.startswith(article.title or "")


@pytest.mark.parametrize(
    "headers",
    [{}, {"Content-Type": "text/html"}, {"Content-Type": "text/html; charset=utf-8"}],
    ids=["meta-only", "no-charset", "header-lies-utf8"],
)
def test_real_windows_1258_page(headers: dict[str, str]) -> None:
    body = (FIXTURES / "article_kontum_cp1258.html").read_bytes()  # the same article, encoded windows-1258
    got = extract_article(body, headers, URL)
    assert got.title == "Kon Tum ra quân bảo đảm an toàn giao thông dịp cuối năm"
    assert "các huyện Đắk Hà, Sa Thầy, Ngọc Hồi tổ chức tuyên truyền" in got.text
    assert "BÌNH_LUẬN_ĐỘC_GIẢ" not in got.text
    assert unicodedata.is_normalized("NFC", got.text)


def test_xhtml_page_with_xml_declaration(page: str) -> None:
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + page.encode()
    assert "quốc lộ 14" in extract_article(body, HEADERS, URL).text


def test_importing_the_stage_loads_no_extractor() -> None:
    code = "import sys, monitor.parse, monitor.extract; print('trafilatura' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "False"
