"""Fetcher against a real server on 127.0.0.1: conditional GET, limits, redirects, errors."""

from __future__ import annotations

import asyncio
import socket
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from monitor.errors import (
    BodyTooLargeError,
    DeadlineExceededError,
    FailureKind,
    FetchError,
    HttpStatusError,
    TooManyRedirectsError,
)
from monitor.fetch import Fetcher, FetchLimits, FetchResult, Validators
from tests.servers import LocalServer, Reply, Request, filler, gzip_bomb, redirect

FAST = FetchLimits(
    deadline=3.0, max_bytes=2**20, max_redirects=5, connect_timeout=1, read_timeout=1, pool_timeout=1
)
FEED = "<rss><channel><title>Công an tỉnh Kon Tum</title></channel></rss>".encode()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


async def loopback(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


async def fetch(url: str, *, limits: FetchLimits = FAST, **kw: Any) -> FetchResult:
    async with Fetcher(limits=limits, resolver=loopback) as fetcher:
        return await fetcher.get(url, allow_private=True, **kw)


def get(url: str, **kw: Any) -> FetchResult:
    return asyncio.run(fetch(url, **kw))


def fails(url: str, expected: type[FetchError] = FetchError, **kw: Any) -> FetchError:
    with pytest.raises(expected) as info:
        get(url, **kw)
    return info.value


def test_200_gives_body_lowercase_headers_and_validators(server: LocalServer) -> None:
    validators = {"ETag": '"v1"', "Last-Modified": "Fri, 27 Nov 2026 01:00:00 GMT"}
    server.route("/feed", Reply(body=FEED, gzip=True, headers=validators))
    result = get(server.url("/feed"))
    assert (result.status, result.body, result.not_modified) == (200, FEED, False)
    assert result.headers["etag"] == '"v1"' and result.headers["content-encoding"] == "gzip"
    assert result.validators == Validators('"v1"', "Fri, 27 Nov 2026 01:00:00 GMT")
    assert result.final_url == result.url == server.url("/feed")
    assert server.requests[0].headers["accept-encoding"] == "gzip, deflate"


def test_second_fetch_is_304_with_validators_sent(server: LocalServer) -> None:
    def feed(req: Request) -> Reply:
        if req.headers.get("if-none-match") == '"v1"':
            return Reply(status=304, headers={"ETag": '"v1"'})
        return Reply(body=FEED, headers={"ETag": '"v1"', "Last-Modified": "Fri, 27 Nov 2026 01:00:00 GMT"})

    server.route("/feed", feed)
    first = get(server.url("/feed"))
    second = get(server.url("/feed"), validators=first.validators)
    assert (second.status, second.not_modified, second.body) == (304, True, b"")
    assert second.validators == first.validators
    sent = server.requests[1].headers
    assert sent["if-none-match"] == '"v1"' and sent["if-modified-since"] == "Fri, 27 Nov 2026 01:00:00 GMT"


def test_stale_etag_is_caught_by_an_unconditional_fetch(server: LocalServer) -> None:
    # A broken server: answers 304 to any If-None-Match although the feed changed.
    def feed(req: Request) -> Reply:
        if "if-none-match" in req.headers:
            return Reply(status=304)
        return Reply(body=b"<rss>new</rss>", headers={"ETag": '"v2"'})

    server.route("/feed", feed)
    stale = Validators(etag='"v1"', last_modified="Thu, 26 Nov 2026 01:00:00 GMT")
    assert get(server.url("/feed"), validators=stale).not_modified
    fresh = get(server.url("/feed"), validators=stale, unconditional=True)
    assert (fresh.status, fresh.body, fresh.validators.etag) == (200, b"<rss>new</rss>", '"v2"')
    assert "if-none-match" not in server.requests[-1].headers
    assert "if-modified-since" not in server.requests[-1].headers


def test_429_with_retry_after_seconds(server: LocalServer) -> None:
    server.route("/feed", Reply(status=429, headers={"Retry-After": "120"}))
    error = fails(server.url("/feed"), HttpStatusError)
    assert isinstance(error, HttpStatusError)
    assert (error.status, error.kind, error.retry_after) == (429, FailureKind.TRANSIENT, 120.0)
    assert "429 (gửi yêu cầu quá dày)" in error.message and "Too Many" in (error.detail or "")


def test_503_with_retry_after_http_date(server: LocalServer) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    server.route("/feed", Reply(status=503, headers={"Retry-After": later}))
    error = fails(server.url("/feed"), HttpStatusError)
    assert error.message == "Máy chủ trả về lỗi 503 (dịch vụ tạm ngừng)"
    assert error.retry_after is not None and 3590 <= error.retry_after <= 3600


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (500, FailureKind.TRANSIENT),
        (502, FailureKind.TRANSIENT),
        (408, FailureKind.TRANSIENT),
        (404, FailureKind.HARD),
        (403, FailureKind.HARD),
        (410, FailureKind.HARD),
    ],
)
def test_error_status_kinds(server: LocalServer, status: int, kind: FailureKind) -> None:
    server.route("/feed", Reply(status=status, headers={"Retry-After": "5"}))
    error = fails(server.url("/feed"), HttpStatusError)
    assert error.kind is kind and error.retry_after is None  # Retry-After only counts on 429/503


def test_server_that_never_answers_hits_the_deadline(server: LocalServer) -> None:
    server.route("/feed", Reply(hang=True))
    started = time.monotonic()
    error = fails(
        server.url("/feed"), DeadlineExceededError, limits=FetchLimits(deadline=0.3, read_timeout=10)
    )
    assert time.monotonic() - started < 2
    assert error.kind is FailureKind.TRANSIENT and error.message == "Quá thời gian tải (0,3 giây)"


def test_slow_drip_body_hits_the_deadline_although_each_read_is_fast(server: LocalServer) -> None:
    server.route("/feed", Reply(body=b"x" * 200, chunk_size=1, drip=0.02))  # 4 s in all, 20 ms per read
    started = time.monotonic()
    fails(server.url("/feed"), DeadlineExceededError, limits=FetchLimits(deadline=0.4, read_timeout=0.5))
    assert time.monotonic() - started < 2


def test_deadline_covers_every_redirect_hop(server: LocalServer) -> None:
    server.route(
        "/hop/*", lambda req: Reply(status=302, headers={"Location": f"/hop/{req.path[5:]}x"}, delay=0.1)
    )
    fails(server.url("/hop/a"), DeadlineExceededError, limits=FetchLimits(deadline=0.35, max_redirects=20))


def test_declared_50_mb_body_is_refused_before_reading(server: LocalServer) -> None:
    server.route("/big", Reply(body=filler(50 * 2**20), length=50 * 2**20))
    error = fails(server.url("/big"), BodyTooLargeError)
    assert error.message == "Nội dung vượt quá giới hạn 1 MB" and error.kind is FailureKind.HARD


def test_streamed_50_mb_body_stops_at_the_cap_with_low_memory(server: LocalServer) -> None:
    server.route("/big", Reply(body=filler(50 * 2**20)))  # chunked: no length to refuse early
    tracemalloc.start()
    try:
        fails(server.url("/big"), BodyTooLargeError)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 6 * 2**20


def test_gzip_bomb_stops_at_the_cap_after_decompression(server: LocalServer) -> None:
    bomb = gzip_bomb(200 * 2**20)
    assert len(bomb) < 250 * 1024
    server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    tracemalloc.start()
    try:
        error = fails(server.url("/bomb"), BodyTooLargeError, limits=FetchLimits(max_bytes=2 * 2**20))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error.message == "Nội dung vượt quá giới hạn 2 MB"
    assert peak < 8 * 2**20  # inflating a whole 64 KB network chunk at once would take 64 MB


def test_redirects_are_followed_and_reported(server: LocalServer) -> None:
    server.route("/old", redirect("/new", 301))
    server.route("/new", Reply(body=FEED))
    result = get(server.url("/old"))
    assert result.url == server.url("/old") and result.final_url == server.url("/new") and result.body == FEED


def test_redirect_loop_is_detected(server: LocalServer) -> None:
    server.route("/a", redirect("/b"))
    server.route("/b", redirect("/a"))
    error = fails(server.url("/a"), TooManyRedirectsError, limits=FetchLimits(max_redirects=10))
    assert error.message.startswith("Vòng lặp chuyển hướng") and error.kind is FailureKind.HARD
    assert server.hits["/a"] == 2


def test_redirect_cap(server: LocalServer) -> None:
    server.route("/r/*", lambda req: redirect(f"/r/{int(req.path[3:]) + 1}"))
    error = fails(server.url("/r/0"), TooManyRedirectsError, limits=FetchLimits(max_redirects=3))
    assert error.message == "Chuyển hướng quá nhiều lần (quá 3 lần)"
    assert sum(server.hits.values()) == 4


def test_redirect_without_location_is_hard(server: LocalServer) -> None:
    server.route("/feed", Reply(status=302))
    assert fails(server.url("/feed")).kind is FailureKind.HARD


def test_connection_refused_is_transient() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = fails(f"http://127.0.0.1:{port}/feed")
    assert error.kind is FailureKind.TRANSIENT and error.message == "Không kết nối được tới máy chủ"


def test_unsupported_content_encoding_is_refused(server: LocalServer) -> None:
    server.route("/feed", Reply(body=b"\x00\x01", headers={"Content-Encoding": "br"}))
    assert "không hỗ trợ" in fails(server.url("/feed")).message


def test_fetcher_must_be_entered() -> None:
    with pytest.raises(RuntimeError):
        asyncio.run(Fetcher().get("http://127.0.0.1/"))


def test_fetchers_share_one_verifying_tls_context() -> None:
    import ssl

    import httpx

    from monitor.fetch.guard import system_resolver
    from monitor.fetch.pinning import pinned_transport, tls_context

    first = pinned_transport(system_resolver, httpx.Limits())
    second = pinned_transport(system_resolver, httpx.Limits())
    # Built once per process (the CA bundle is not reloaded every pass), and still verifying.
    assert first._pool._ssl_context is second._pool._ssl_context is tls_context()
    assert tls_context().verify_mode == ssl.CERT_REQUIRED and tls_context().check_hostname
    assert tls_context().cert_store_stats()["x509_ca"] > 0
