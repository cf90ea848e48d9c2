"""clean_text: NFC, no NUL/control characters or lone surrogates, whitespace collapsed."""

from __future__ import annotations

import unicodedata

import pytest

from monitor.parse import clean_text

NFC_TITLE = "Công an tỉnh Kon Tum điều tra vụ việc ở huyện Đắk Hà"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (unicodedata.normalize("NFD", NFC_TITLE), NFC_TITLE),
        ("Tin\x00 nóng", "Tin nóng"),  # NUL: PostgreSQL rejects it
        ("Tin\x07\x1b[31m nóng", "Tin[31m nóng"),  # BEL, ESC
        ("Tin\x85\x9f nóng", "Tin nóng"),  # C1 controls
        ("Tin\x7f nóng", "Tin nóng"),
        ("Tin\ud800 nóng\udfff", "Tin nóng"),  # lone surrogates
        ("\ufeffTin\u200b nóng", "Tin nóng"),  # BOM, zero-width space
        ("  Tin \t\n\r  nóng \u00a0 ", "Tin nóng"),
        ("", ""),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_clean_text_multiline_keeps_paragraphs() -> None:
    raw = "Đoạn một,\t  tiếp theo.\r\n\r\n\r\n\r\nĐoạn\x00 hai.\n  \nĐoạn ba.  "
    assert clean_text(raw, multiline=True) == "Đoạn một, tiếp theo.\n\nĐoạn hai.\n\nĐoạn ba."


def test_clean_text_output_is_nfc_and_control_free() -> None:
    out = clean_text(unicodedata.normalize("NFD", "Kỳ họp thứ 8\x00\x01 Quốc hội khóa XV\x1f"))
    assert unicodedata.is_normalized("NFC", out)
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in out)
