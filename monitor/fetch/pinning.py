"""Connect only to addresses the guard has checked, so a second DNS answer cannot sneak in.

Without this, the guard would resolve a name, approve the answer, and then httpcore would resolve it
again to connect: a DNS-rebinding server can answer "public" first and "127.0.0.1" second. The
fetcher puts the approved addresses of the current hop in a context variable; the network backend
below connects to those addresses only (TLS still verifies the certificate against the host name,
because httpcore passes the name as SNI separately). A host without a pin is resolved and checked
here, strictly, so nothing connects unchecked.

Residual risk: a kept-alive connection is reused by origin (scheme, host, port). It was checked when
it was opened, but under the policy of the fetch that opened it: a source allowed to reach a private
host shares that connection with a later fetch of the same origin. The later fetch still passes the
guard on a fresh DNS answer first, so only a host that *changes* answers between the two fetches
could profit, and only towards a host some source was explicitly allowed to reach.
"""

from __future__ import annotations

import contextvars
import functools
import ssl
import typing
from dataclasses import dataclass

import httpcore
import httpx

from monitor.fetch.guard import Resolver, resolve_checked


@dataclass(frozen=True)
class Pin:
    """The approved addresses for one host, for the hop being fetched."""

    host: str
    addresses: tuple[str, ...]


PIN: contextvars.ContextVar[Pin | None] = contextvars.ContextVar("monitor_fetch_pin", default=None)


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects to pinned, checked addresses only."""

    def __init__(self, resolver: Resolver) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._resolver = resolver

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Open a TCP stream to the first pinned address that answers."""
        pin = PIN.get()
        if pin is not None and pin.host == host:
            addresses = pin.addresses
        else:
            addresses = await resolve_checked(host, port, self._resolver, allow_private=False)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Refused: fetches never go through a Unix socket."""
        raise httpcore.ConnectError("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        """Sleep (used by httpcore between connection retries)."""
        await self._inner.sleep(seconds)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The verifying TLS context every fetcher of this process shares (httpx's default: certifi's CAs).

    Built once: loading the CA bundle cost ~0.1 s per pass, a tenth of a pass where every feed answers 304.
    """
    return httpx.create_ssl_context(verify=True, trust_env=False)


def pinned_transport(resolver: Resolver, limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """An HTTP/1.1 transport whose connections go to pinned addresses only."""
    transport = httpx.AsyncHTTPTransport(
        verify=tls_context(), http1=True, http2=False, limits=limits, trust_env=False
    )
    # httpx has no public hook for the network backend; httpcore's pool has one but httpx builds the
    # pool itself. Swap it in, and fail loudly (not silently unpinned) if the internals ever change.
    pool = getattr(transport, "_pool", None)
    if not isinstance(pool, httpcore.AsyncConnectionPool) or not hasattr(pool, "_network_backend"):
        raise RuntimeError("httpx internals changed: cannot pin connection addresses")
    pool._network_backend = PinnedBackend(resolver)
    return transport
