"""Truncated and garbage bodies (a body cut at the size cap, a binary blob) end in a value or a ParseError."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from monitor.errors import ParseError
from monitor.extract import extract_article
from monitor.parse import find_article_links, parse_feed

FIXTURES = Path(__file__).parent / "fixtures" / "parse"
BASE = "https://baomau.example.vn/rss"


def _bodies() -> list[tuple[str, bytes]]:
    rng = random.Random(20261127)
    out: list[tuple[str, bytes]] = [("random-bytes", rng.randbytes(3000)), ("nul-bytes", b"\x00" * 100)]
    for name in ("rss20_kontum.xml", "atom_kontum.xml", "article_kontum.html", "section_phap_luat.html"):
        data = (FIXTURES / name).read_bytes()
        for cut in (7, 60, len(data) // 3, len(data) // 2, len(data) - 9):
            out.append((f"{name}[:{cut}]", data[:cut]))
        out.append((f"{name}-flipped", bytes(b ^ 0x20 if i % 97 == 0 else b for i, b in enumerate(data))))
    return out


BODIES = _bodies()


@pytest.mark.parametrize("body", [b for _, b in BODIES], ids=[n for n, _ in BODIES])
def test_every_parser_ends_cleanly(body: bytes) -> None:
    for call in (
        lambda: parse_feed(body, {}, BASE),
        lambda: find_article_links(body, {}, BASE),
        lambda: extract_article(body, {}, BASE + "/bai-1.html"),
    ):
        try:
            call()
        except ParseError as exc:
            assert exc.message  # a Vietnamese sentence for the user
