"""The SSRF guard: schemes, address classes, checks after DNS and on every redirect hop, pinning."""

from __future__ import annotations

import asyncio
import ipaddress
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from monitor.errors import BlockedAddressError, FailureKind, FetchError
from monitor.fetch import Fetcher, FetchLimits, FetchResult
from monitor.fetch.guard import embedded_ipv4, is_blocked_address
from tests.servers import LocalServer, Reply, redirect

FAST = FetchLimits(deadline=3.0, connect_timeout=1, read_timeout=1, pool_timeout=1)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


def table_resolver(table: dict[str, list[str]], calls: list[str] | None = None) -> Any:
    """A resolver answering from a table; unknown names fail like a real NXDOMAIN."""

    async def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    return resolve


def get(
    url: str, *, resolver: Any = None, transport: httpx.AsyncBaseTransport | None = None, **kw: Any
) -> FetchResult:
    async def run() -> FetchResult:
        async with Fetcher(limits=FAST, resolver=resolver, transport=transport) as fetcher:
            return await fetcher.get(url, **kw)

    return asyncio.run(run())


class RecordingTransport(httpx.AsyncBaseTransport):
    """Wraps a transport and records every URL it was asked to reach."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner, self.urls = inner, []  # type: ignore[var-annotated]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


BLOCKED = [
    "10.0.0.5",
    "172.16.0.1",
    "192.168.1.1",
    "127.0.0.1",
    "127.8.9.10",
    "169.254.169.254",
    "0.0.0.0",
    "100.64.0.1",
    "192.0.2.1",
    "198.18.0.1",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "fec0::1",
    "ff02::1",
    "2001:db8::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "2002:7f00:1::",  # 6to4 wrapping 127.0.0.1
    "2002:a9fe:a9fe::",  # 6to4 wrapping 169.254.169.254
    "64:ff9b::a00:1",  # NAT64 wrapping 10.0.0.1
]
PUBLIC = [
    "93.184.216.34",
    "8.8.8.8",
    "1.1.1.1",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "64:ff9b::808:808",
]  # the last: NAT64 of 8.8.8.8 on a DNS64 network


@pytest.mark.parametrize("address", BLOCKED)
def test_non_public_addresses_are_blocked(address: str) -> None:
    assert is_blocked_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert not is_blocked_address(ipaddress.ip_address(address))


def test_embedded_ipv4_is_unwrapped() -> None:
    assert embedded_ipv4(ipaddress.ip_address("::ffff:10.0.0.1")) == ipaddress.ip_address("10.0.0.1")
    assert embedded_ipv4(ipaddress.ip_address("2002:7f00:1::")) == ipaddress.ip_address("127.0.0.1")
    assert embedded_ipv4(ipaddress.ip_address("8.8.8.8")) is None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/feed",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/plain,hi",
        "vnexpress.net/rss",
    ],
)
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(FetchError) as info:
        get(url)
    assert info.value.kind is FailureKind.HARD and info.value.message.startswith(
        "Chỉ hỗ trợ địa chỉ http/https"
    )


def test_loopback_is_refused_unless_allowed(server: LocalServer) -> None:
    server.route("/feed", Reply(body=b"ok"))
    with pytest.raises(BlockedAddressError) as info:
        get(server.url("/feed"))
    assert info.value.message == "Địa chỉ nội bộ bị chặn: 127.0.0.1" and info.value.kind is FailureKind.HARD
    assert get(server.url("/feed"), allow_private=True).body == b"ok"
    assert server.hits["/feed"] == 1


def test_ipv4_mapped_ipv6_loopback_is_refused(server: LocalServer) -> None:
    with pytest.raises(BlockedAddressError):
        get(f"http://[::ffff:127.0.0.1]:{server.port}/feed")
    assert not server.requests


def test_name_is_checked_after_dns(server: LocalServer) -> None:
    resolver = table_resolver(
        {"intranet.test": ["93.184.216.34", "10.0.0.5"], "mapped.test": ["::ffff:127.0.0.1"]}
    )
    with pytest.raises(BlockedAddressError) as info:
        get("http://intranet.test/feed", resolver=resolver)
    assert info.value.message == "Địa chỉ nội bộ bị chặn: intranet.test (10.0.0.5)"
    with pytest.raises(BlockedAddressError):
        get(f"http://mapped.test:{server.port}/feed", resolver=resolver)


def test_localhost_through_the_system_resolver_is_refused(server: LocalServer) -> None:
    with pytest.raises(BlockedAddressError):
        get(server.url("/feed", host="localhost"))
    assert not server.requests


def test_dns_failure_has_kind_dns() -> None:
    with pytest.raises(FetchError) as info:
        get("http://nowhere.test/feed", resolver=table_resolver({}))
    assert (
        info.value.kind is FailureKind.DNS
        and info.value.message == "Không phân giải được tên miền: nowhere.test"
    )


@pytest.mark.parametrize(
    "target", ["http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/"]
)
def test_redirect_to_private_address_is_refused_without_connecting(server: LocalServer, target: str) -> None:
    server.route("/feed", redirect(target))
    spy = RecordingTransport(httpx.AsyncHTTPTransport())
    with pytest.raises(BlockedAddressError):
        get(server.url("/feed"), allow_private=True, transport=spy)  # the source host itself is allowed
    assert spy.urls == [server.url("/feed")]  # the private hop never reached the transport


def test_redirect_to_private_address_is_refused_by_the_default_transport(server: LocalServer) -> None:
    server.route("/feed", redirect("http://169.254.169.254/latest/meta-data/"))
    with pytest.raises(BlockedAddressError):
        get(server.url("/feed"), allow_private=True)


def test_redirect_to_another_name_on_a_private_address_is_refused(server: LocalServer) -> None:
    resolver = table_resolver({"feeds.test": ["127.0.0.1"], "admin.test": ["127.0.0.1"]})
    server.route("/feed", redirect(server.url("/admin", host="admin.test")))
    with pytest.raises(BlockedAddressError):
        get(server.url("/feed", host="feeds.test"), resolver=resolver, allow_private=True)
    assert server.hits == {"/feed": 1}


def test_redirect_to_another_scheme_is_refused(server: LocalServer) -> None:
    server.route("/feed", redirect("file:///etc/passwd"))
    with pytest.raises(FetchError) as info:
        get(server.url("/feed"), allow_private=True)
    assert info.value.message.startswith("Chỉ hỗ trợ địa chỉ http/https")


def test_connection_goes_to_the_checked_address(server: LocalServer) -> None:
    # DNS rebinding: a second lookup would answer differently. The fetch must use the first, checked
    # answer; 127.0.0.2 has no server, so a second lookup would make the fetch fail.
    calls: list[str] = []
    answers = iter([["127.0.0.1"], ["127.0.0.2"], ["127.0.0.2"]])

    async def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return next(answers)

    server.route("/feed", Reply(body=b"ok"))
    assert get(server.url("/feed", host="feeds.test"), resolver=rebinding, allow_private=True).body == b"ok"
    assert calls == ["feeds.test"]


def test_mock_transport_sees_the_guard_too() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://metadata.test/"})

    resolver = table_resolver({"news.test": ["93.184.216.34"], "metadata.test": ["169.254.169.254"]})
    with pytest.raises(BlockedAddressError):
        get("http://news.test/rss", resolver=resolver, transport=httpx.MockTransport(handler))
    assert seen == ["http://news.test/rss"]


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    """A server TLS context with a self-signed certificate for feeds.test (made by the openssl CLI)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl CLI not available")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=feeds.test",
            "-addext",
            "subjectAltName=DNS:feeds.test",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def test_https_through_pinned_addresses_still_verifies_the_host_name(self_signed: ssl.SSLContext) -> None:
    # The pinned backend connects to 127.0.0.1, but TLS must still be spoken to "feeds.test":
    # the server sees that name as SNI, and the (untrusted) certificate is checked and refused.
    with LocalServer(tls=self_signed) as srv:
        srv.route("/feed", Reply(body=b"ok"))
        resolver = table_resolver({"feeds.test": ["127.0.0.1"]})
        with pytest.raises(FetchError) as info:
            get(srv.url("/feed", host="feeds.test"), resolver=resolver, allow_private=True)
    assert (
        info.value.kind is FailureKind.HARD and info.value.message == "Chứng chỉ TLS của máy chủ không hợp lệ"
    )
    assert srv.sni == ["feeds.test"]


@pytest.mark.parametrize("host", ["2130706433", "127.1", "0x7f.0.0.1", "0", "[::]", "[::ffff:a00:1]"])
def test_odd_spellings_of_internal_addresses_are_refused(host: str) -> None:
    # getaddrinfo reads these numeric forms itself (no DNS query); the guard checks what it returns.
    with pytest.raises(BlockedAddressError):
        get(f"http://{host}/feed")
