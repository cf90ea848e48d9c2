"""Vietnamese survives wrong and missing charsets: each lie a server tells, at the decode and the feed level."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from monitor.parse import decode_body, parse_feed

TITLE = "Công an tỉnh Kon Tum điều tra vụ khai thác cát trái phép ở huyện Đắk Hà"
SUMMARY = "Người dân xã Hà Mòn phản ánh tình trạng xe chở cát chạy suốt đêm, làm hư hỏng đường liên thôn."
BASE = "https://baomau.example.vn/rss/phap-luat.rss"


def encode_cp1258(text: str) -> bytes:
    """Real windows-1258 bytes: a base letter (maybe with its circumflex/breve/horn) plus a combining tone mark."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        for i, mark in enumerate(marks):
            head = unicodedata.normalize("NFC", base + mark)
            rest = "".join(marks[:i] + marks[i + 1 :])
            try:
                out.append(head.encode("cp1258") + rest.encode("cp1258"))
                break
            except UnicodeEncodeError:
                continue
        else:
            out.append((base + "".join(marks)).encode("cp1258"))
    return b"".join(out)


def feed_bytes(encode, decl: str | None) -> bytes:
    prolog = f'<?xml version="1.0" encoding="{decl}"?>' if decl else '<?xml version="1.0"?>'
    return (
        prolog.encode("ascii")
        + b'<rss version="2.0"><channel><title>'
        + encode("Pháp luật - Báo Mẫu")
        + b"</title><item><title>"
        + encode(TITLE)
        + b"</title><description>"
        + encode(SUMMARY)
        + b"</description><guid>bai-204512</guid></item></channel></rss>"
    )


def utf8(s: str) -> bytes:
    return s.encode("utf-8")


def nfd_utf8(s: str) -> bytes:
    return unicodedata.normalize("NFD", s).encode("utf-8")


CASES = [
    # (id, body, headers)
    ("utf8-declared-windows-1258", feed_bytes(utf8, "windows-1258"), {}),
    ("utf8-header-iso-8859-2", feed_bytes(utf8, None), {"Content-Type": "text/xml; charset=iso-8859-2"}),
    (
        "utf8-header-and-decl-iso-8859-2",
        feed_bytes(utf8, "iso-8859-2"),
        {"content-type": "application/rss+xml; charset=ISO-8859-2"},
    ),
    (
        "utf8-header-latin1-decl-cp1258",
        feed_bytes(utf8, "cp1258"),
        {"Content-Type": "text/xml; charset=latin-1"},
    ),
    ("windows-1258-declared", feed_bytes(encode_cp1258, "windows-1258"), {}),
    (
        "windows-1258-header-only",
        feed_bytes(encode_cp1258, None),
        {"Content-Type": "text/xml; charset=windows-1258"},
    ),
    ("windows-1258-undeclared", feed_bytes(encode_cp1258, None), {}),
    (
        "windows-1258-declared-utf8",
        feed_bytes(encode_cp1258, "utf-8"),
        {"Content-Type": "text/xml; charset=utf-8"},
    ),
    ("windows-1258-declared-latin1", feed_bytes(encode_cp1258, "iso-8859-1"), {}),
    ("utf8-no-charset-anywhere", feed_bytes(utf8, None), {"Content-Type": "application/xml"}),
    ("utf8-bom", codecs.BOM_UTF8 + feed_bytes(utf8, "utf-8"), {}),
    ("utf8-bom-declared-windows-1258", codecs.BOM_UTF8 + feed_bytes(utf8, "windows-1258"), {}),
    (
        "utf16-le-bom",
        codecs.BOM_UTF16_LE + feed_bytes(utf8, "utf-16").decode("utf-8").encode("utf-16-le"),
        {},
    ),
    ("nfd-utf8", feed_bytes(nfd_utf8, "utf-8"), {}),
    ("nfd-utf8-declared-windows-1258", feed_bytes(nfd_utf8, "windows-1258"), {}),
]


@pytest.mark.parametrize(("body", "headers"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_feed_text_survives_charset(body: bytes, headers: dict[str, str]) -> None:
    feed = parse_feed(body, headers, BASE)
    assert feed.title == "Pháp luật - Báo Mẫu"
    (item,) = feed.items
    assert item.title == TITLE
    assert item.summary_text == SUMMARY
    assert unicodedata.is_normalized("NFC", item.title + item.summary_text + item.summary_html)


def test_wrong_declaration_is_reported() -> None:
    feed = parse_feed(feed_bytes(utf8, "windows-1258"), {}, BASE)
    assert any("charset" in w and "cp1258" in w for w in feed.warnings)


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (TITLE.encode("utf-8"), {"Content-Type": "text/html; charset=windows-1258"}),
        (encode_cp1258(TITLE), {}),
        (
            b'<html><head><meta charset="windows-1258"></head><body>'
            + encode_cp1258(TITLE)
            + b"</body></html>",
            {},
        ),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
            + encode_cp1258(TITLE),
            {},
        ),
        (TITLE.encode("utf-16"), {}),
        # A UTF-8 page with one stray Latin-1 byte stays UTF-8 (the byte becomes U+FFFD), not mojibake.
        (TITLE.encode("utf-8") + b" \xe9 " + SUMMARY.encode("utf-8"), {}),
    ],
    ids=[
        "utf8-header-cp1258",
        "cp1258-undeclared",
        "cp1258-meta-charset",
        "cp1258-http-equiv",
        "utf16-bom",
        "utf8-one-bad-byte",
    ],
)
def test_decode_body(body: bytes, headers: dict[str, str]) -> None:
    text = unicodedata.normalize("NFC", decode_body(body, headers))
    assert TITLE in text


def test_decode_body_lowercase_header_names_and_unknown_charset() -> None:
    assert decode_body(TITLE.encode(), {"content-type": "text/html; charset=x-unknown-42"}) == TITLE


def test_control_characters_and_nul_are_stripped_from_items() -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Báo\x00 Mẫu</title><item>'
        "<title>Tin\x00 nóng\x01 về\x1b Kon\x85 Tum\x7f</title>"
        "<description><![CDATA[<p>Nội\x00 dung\x0b có\x0c ký tự\x9f điều khiển</p>]]></description>"
        "<author>toasoan@baomau.example.vn (Minh\x02 Anh)</author>"
        "<guid>bai\x00-1</guid></item></channel></rss>"
    ).encode()
    feed = parse_feed(body, {}, BASE)
    (item,) = feed.items
    assert item.title == "Tin nóng về Kon Tum"
    assert item.summary_text == "Nội dung có ký tự điều khiển"
    fields = [feed.title or "", item.key, item.title, item.summary_html, item.summary_text, item.author or ""]
    for value in fields:
        assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in value), repr(value)


def test_character_references_to_controls_are_stripped() -> None:
    # &#1; is illegal in XML 1.0: expat refuses it, feedparser's lenient parser recovers, we clean.
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Báo Mẫu</title>'
        "<item><title>Tin&#1; nóng&#x1F;</title><guid>bai-1</guid></item></channel></rss>"
    ).encode()
    (item,) = parse_feed(body, {}, BASE).items
    assert item.title == "Tin nóng"
