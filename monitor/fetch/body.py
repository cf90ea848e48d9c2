"""Read a body under a size cap counted after decompression, with bounded memory.

httpx's own decoders (`aiter_bytes`) inflate each network chunk in one call, so a 64 KB chunk of a
gzip bomb becomes 64 MB before anyone can count it. We read raw bytes and inflate them ourselves with
zlib's `max_length`, so no step ever holds more than one output slice (RFC 9110 §8.4 codings).
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterator, Mapping

from monitor.errors import BodyTooLargeError, FailureKind, FetchError

SLICE = 64 * 1024  # most bytes one inflate step may produce
ACCEPT_ENCODING = "gzip, deflate"  # only what we can inflate with a bound


class Inflater:
    """Incremental gzip/deflate decoder that yields bounded slices (handles multi-member gzip)."""

    def __init__(self, coding: str) -> None:
        self._coding = coding
        self._zlib_fallback = coding == "deflate"  # RFC 9110 says zlib; some servers send raw deflate
        self._obj = self._new()

    def _new(self) -> zlib._Decompress:
        if self._coding == "gzip":
            return zlib.decompressobj(zlib.MAX_WBITS | 16)
        return zlib.decompressobj(zlib.MAX_WBITS if self._zlib_fallback else -zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Inflate `data`, yielding at most SLICE bytes at a time."""
        while data:
            try:
                out = self._obj.decompress(data, SLICE)
            except zlib.error:
                if not self._zlib_fallback:
                    raise
                self._zlib_fallback = False  # retry the same bytes as raw deflate, once
                self._obj = self._new()
                continue
            self._zlib_fallback = False
            if out:
                yield out
            if self._obj.unconsumed_tail:
                data = self._obj.unconsumed_tail
            elif self._obj.eof and self._obj.unused_data and self._coding == "gzip":
                data = self._obj.unused_data  # another gzip member follows (RFC 1952 §2.2)
                self._obj = self._new()
            else:
                data = b""


def too_large(max_bytes: int) -> BodyTooLargeError:
    """The error for a body over the cap."""
    return BodyTooLargeError(
        f"Nội dung vượt quá giới hạn {format_size(max_bytes)}",
        detail=f"body larger than {max_bytes} bytes after decompression",
        kind=FailureKind.HARD,
    )


def format_size(n: int) -> str:
    """A byte count the way a Vietnamese reader writes it: 10 MB, 512 KB, 1,5 MB."""
    for unit, size in (("MB", 2**20), ("KB", 2**10)):
        if n >= size:
            value = n / size
            text = f"{value:.0f}" if value == int(value) else f"{value:.1f}".replace(".", ",")
            return f"{text} {unit}"
    return f"{n} byte"


def declared_too_large(headers: Mapping[str, str], max_bytes: int) -> bool:
    """Whether Content-Length already proves the body is over the cap (so we need not read it)."""
    try:
        declared = int(headers.get("content-length", ""))
    except ValueError:
        return False
    coding = headers.get("content-encoding", "identity").strip().lower()
    if coding in ("", "identity"):
        return declared > max_bytes
    # Compressed: deflate never grows data by more than ~0.1 % plus headers, so a stream this long
    # cannot inflate to less than the cap.
    return declared > max_bytes + max_bytes // 500 + 1024


async def read_capped(raw: AsyncIterator[bytes], coding: str, max_bytes: int) -> bytes:
    """Collect a raw body, decoding gzip/deflate, and stop as soon as it exceeds `max_bytes`."""
    coding = coding.strip().lower()
    coding = "gzip" if coding == "x-gzip" else coding  # RFC 9110 §8.4.1.3: x-gzip is gzip
    inflater = Inflater(coding) if coding in ("gzip", "deflate") else None
    if inflater is None and coding not in ("", "identity"):
        raise FetchError(
            f"Máy chủ dùng kiểu nén không hỗ trợ: {coding}",
            detail=f"unsupported content-encoding {coding!r}",
            kind=FailureKind.HARD,
        )
    parts: list[bytes] = []
    total = 0
    try:
        async for chunk in raw:
            for piece in inflater.feed(chunk) if inflater is not None else (chunk,):
                total += len(piece)
                if total > max_bytes:
                    raise too_large(max_bytes)
                parts.append(piece)
    except zlib.error as exc:
        raise FetchError(
            "Nội dung nén bị hỏng",
            detail=f"cannot decode {coding} body: {exc}",
            kind=FailureKind.HARD,
        ) from exc
    return b"".join(parts)
