"""The plain values fetch hands to the rest of the pipeline (no httpx objects leave `monitor.fetch`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class FetchLimits:
    """Bounds for one fetch; the deadline covers every redirect hop and the whole body."""

    deadline: float = 30.0  # wall clock, seconds: httpx timeouts are per read, a drip defeats them
    max_bytes: int = 10 * 2**20  # counted after decompression
    max_redirects: int = 5
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    pool_timeout: float = 5.0


@dataclass(frozen=True)
class Validators:
    """Cache validators for a conditional GET (RFC 9110 §8.8, §13.1)."""

    etag: str | None = None
    last_modified: str | None = None

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)


@dataclass(frozen=True)
class FetchResult:
    """A successful fetch: a 2xx body or a 304 Not Modified."""

    url: str  # as requested
    final_url: str  # after redirects
    status: int  # 200 (or another 2xx) or 304
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # lower-case keys
    body: bytes = b""  # decompressed; b"" on 304
    not_modified: bool = False
    elapsed: float = 0.0  # seconds from getting a connection slot to the last byte
    validators: Validators = Validators()
