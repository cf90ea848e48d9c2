"""Bounded decoding of gzip/deflate bodies, and the early size check (pure, no network)."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import AsyncIterator

import pytest

from monitor.errors import BodyTooLargeError, FetchError
from monitor.fetch.body import SLICE, Inflater, declared_too_large, format_size, read_capped
from monitor.fetch.failures import format_seconds
from tests.servers import gzip_bomb

TEXT = "Công an tỉnh Kon Tum triệt phá đường dây đánh bạc qua mạng. ".encode() * 200


async def stream(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def read(data: bytes, coding: str, cap: int = 2**20) -> bytes:
    return asyncio.run(read_capped(stream(data), coding, cap))


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("coding", "encoded"),
    [
        ("", TEXT),
        ("identity", TEXT),
        ("gzip", gzip.compress(TEXT)),
        ("x-gzip", gzip.compress(TEXT)),
        ("GZIP", gzip.compress(TEXT)),
        ("gzip", gzip.compress(TEXT[:500]) + gzip.compress(TEXT[500:])),  # two gzip members
        ("deflate", zlib.compress(TEXT)),  # RFC 9110: zlib format
        ("deflate", raw_deflate(TEXT)),  # what some servers send instead
    ],
)
def test_codings_decode(coding: str, encoded: bytes) -> None:
    assert read(encoded, coding) == TEXT


def test_cap_counts_decoded_bytes() -> None:
    with pytest.raises(BodyTooLargeError):
        read(gzip.compress(TEXT), "gzip", cap=len(TEXT) - 1)
    assert read(gzip.compress(TEXT), "gzip", cap=len(TEXT)) == TEXT


def test_inflater_never_yields_more_than_a_slice() -> None:
    bomb = gzip_bomb(8 * 2**20)
    pieces = list(Inflater("gzip").feed(bomb[:65536]))
    assert pieces and max(map(len, pieces)) <= SLICE


def test_corrupt_gzip_is_a_hard_error() -> None:
    with pytest.raises(FetchError) as info:
        read(b"\x1f\x8b\x08\x00garbage-garbage", "gzip")
    assert info.value.message == "Nội dung nén bị hỏng"


@pytest.mark.parametrize(
    ("headers", "cap", "expected"),
    [
        ({"content-length": "100"}, 100, False),
        ({"content-length": "101"}, 100, True),
        ({"content-length": "abc"}, 100, False),
        ({}, 100, False),
        # compressed bodies get deflate's worst-case overhead as slack
        ({"content-length": str(10 * 2**20 + 1), "content-encoding": "gzip"}, 10 * 2**20, False),
        ({"content-length": str(11 * 2**20), "content-encoding": "gzip"}, 10 * 2**20, True),
    ],
)
def test_declared_too_large(headers: dict[str, str], cap: int, expected: bool) -> None:
    assert declared_too_large(headers, cap) is expected


@pytest.mark.parametrize(
    ("size", "text"),
    [(10 * 2**20, "10 MB"), (1536 * 1024, "1,5 MB"), (512 * 1024, "512 KB"), (900, "900 byte")],
)
def test_format_size(size: int, text: str) -> None:
    assert format_size(size) == text


@pytest.mark.parametrize(("seconds", "text"), [(30.0, "30 giây"), (0.5, "0,5 giây"), (2.25, "2,25 giây")])
def test_format_seconds(seconds: float, text: str) -> None:
    assert format_seconds(seconds) == text
