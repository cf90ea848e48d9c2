"""The safe HTTP client: one bounded pool, per-host slots, SSRF guard on every hop, hard limits."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from types import MappingProxyType, TracebackType
from typing import Self

import httpx

from monitor import __version__
from monitor.errors import FailureKind, FetchError
from monitor.fetch import failures
from monitor.fetch.body import ACCEPT_ENCODING, declared_too_large, read_capped, too_large
from monitor.fetch.guard import (
    Resolver,
    canonical_host,
    check_literal_host,
    is_allowed_scheme,
    resolve_checked,
    system_resolver,
)
from monitor.fetch.model import FetchLimits, FetchResult, Validators
from monitor.fetch.pinning import PIN, Pin, pinned_transport
from monitor.fetch.status import is_redirect, is_success, status_error

DEFAULT_USER_AGENT = f"monitor/{__version__} (Vietnamese press monitoring; httpx)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, "
    "text/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)
MAX_VISITS = 2  # a URL may be seen twice (cookie-setting bounce A→B→A); a third time is a loop


def conditional_headers(validators: Validators | None, unconditional: bool) -> dict[str, str]:
    """If-None-Match / If-Modified-Since for a conditional GET (RFC 9110 §13.1.2, §13.1.3)."""
    if validators is None or unconditional:
        return {}
    headers = {}
    # Send both: a server that honours If-None-Match ignores If-Modified-Since (§13.2.2), and
    # servers that only know dates still answer 304.
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


KEEPALIVE = 20  # idle connections kept for reuse (article pages of one outlet reuse them)


def timeout_for(limits: FetchLimits) -> httpx.Timeout:
    """Per-operation httpx timeouts (the wall-clock deadline is enforced separately)."""
    return httpx.Timeout(
        connect=limits.connect_timeout,
        read=limits.read_timeout,
        write=limits.read_timeout,
        pool=limits.pool_timeout,
    )


class HostSlots:
    """A semaphore per host, so one slow outlet holds at most `per_host` connections of the pool."""

    def __init__(self, per_host: int) -> None:
        self._per_host = per_host
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._users: Counter[str] = Counter()

    @contextlib.asynccontextmanager
    async def hold(self, host: str) -> AsyncIterator[None]:
        """Wait for, then hold, one slot for `host`."""
        slot = self._slots.setdefault(host, asyncio.Semaphore(self._per_host))
        self._users[host] += 1
        try:
            async with slot:
                yield
        finally:
            self._users[host] -= 1
            if not self._users[host]:  # forget idle hosts so the table stays small
                del self._users[host], self._slots[host]


class Fetcher:
    """Async context manager around one httpx.AsyncClient that fetches URLs safely."""

    def __init__(
        self,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        max_connections: int = 100,
        per_host: int = 4,
        limits: FetchLimits = FetchLimits(),
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self._user_agent = user_agent
        self._max_connections = max_connections
        self._limits = limits
        self._transport = transport  # injected (tests): used as is, addresses are checked but not pinned
        self._resolver = resolver or system_resolver
        self._slots = HostSlots(per_host)
        self._admission: asyncio.Semaphore | None = None
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Self:
        # Few idle connections: httpcore scans every pooled connection on each request (quadratic in
        # the pool size), and a pass over hundreds of outlets would otherwise keep hundreds idle.
        pool = httpx.Limits(max_connections=self._max_connections, max_keepalive_connections=KEEPALIVE)
        transport = self._transport or pinned_transport(self._resolver, pool)
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,  # we follow ourselves so every hop passes the guard
            trust_env=False,  # no proxies or .netrc from the environment: they would bypass the guard
            timeout=timeout_for(self._limits),
            headers={"User-Agent": self._user_agent, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING},
        )
        await self._client.__aenter__()
        # Callers may start thousands of fetches at once: they queue here, without a timeout, rather
        # than in httpx's pool, whose pool timeout would then fail healthy fetches of a long pass.
        self._admission = asyncio.Semaphore(self._max_connections)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the pool."""
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    async def get(
        self,
        url: str,
        *,
        validators: Validators | None = None,
        allow_private: bool = False,
        private_host: str | None = None,
        limits: FetchLimits | None = None,
        unconditional: bool = False,
    ) -> FetchResult:
        """Fetch `url` (conditionally, following checked redirects) or raise a FetchError.

        `allow_private` lets the requested host itself resolve to a private address (a source the
        user explicitly trusts, or tests on 127.0.0.1); redirects to any other host are still checked.
        `private_host` instead names the one host that may be private (an article page of a trusted
        source: only the source's own host, never a host the feed content names).
        """
        if self._client is None or self._admission is None:
            raise RuntimeError("use `async with Fetcher() as fetcher:` before fetching")
        lim = limits or self._limits
        headers = conditional_headers(validators, unconditional)
        deadline = asyncio.timeout(None)  # armed in _follow once the first host slot is ours
        try:
            async with deadline:
                trusted = canonical_host(private_host) if private_host else None
                if not allow_private:
                    check_literal_host(url, trusted=trusted)
                return await self._follow(
                    url, headers, validators, lim, deadline, allow_private=allow_private, trusted=trusted
                )
        except TimeoutError as exc:
            if not deadline.expired():  # not ours: some lower layer timed out on its own
                raise FetchError(
                    "Máy chủ không trả lời kịp", detail=repr(exc), kind=FailureKind.TRANSIENT
                ) from exc
            raise failures.deadline_exceeded(lim.deadline, url) from exc

    async def _follow(
        self,
        url: str,
        headers: dict[str, str],
        validators: Validators | None,
        lim: FetchLimits,
        deadline: asyncio.Timeout,
        *,
        allow_private: bool,
        trusted: str | None = None,
    ) -> FetchResult:
        """Walk the redirect chain, checking every hop, until a usable answer."""
        loop = asyncio.get_running_loop()
        started: float | None = None
        visits: Counter[str] = Counter()
        current, origin = url, None
        for _hop in range(lim.max_redirects + 1):
            target = self._check_url(current)
            host = target.raw_host.decode("ascii")  # IDNA-encoded and lower-cased by httpx
            origin = origin or host
            visits[str(target)] += 1
            if visits[str(target)] > MAX_VISITS:
                raise failures.redirect_loop(str(target))
            async with self._slots.hold(host), self._admitted():
                if started is None:
                    # The deadline starts when the first slots are ours: queueing behind our own limits
                    # is not the outlet's slowness. Later hops wait inside the deadline.
                    started = loop.time()
                    deadline.reschedule(started + lim.deadline)
                port = target.port or (443 if target.scheme == "https" else 80)
                # Only the host the caller asked for may be private; a redirect elsewhere is checked.
                private_ok = (allow_private and host == origin) or canonical_host(host) == trusted
                addresses = await resolve_checked(host, port, self._resolver, allow_private=private_ok)
                token = PIN.set(Pin(host, addresses))
                try:
                    outcome = await self._hop(target, headers, lim)
                finally:
                    PIN.reset(token)
            if isinstance(outcome, httpx.URL):
                current = str(outcome)
                continue
            status, answer, body = outcome
            return self._result(url, str(target), status, answer, body, validators, loop.time() - started)
        raise failures.too_many_redirects(url, lim.max_redirects)

    @contextlib.asynccontextmanager
    async def _admitted(self) -> AsyncIterator[None]:
        """Hold one of the `max_connections` admission slots."""
        assert self._admission is not None
        async with self._admission:
            yield

    def _check_url(self, url: str) -> httpx.URL:
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise failures.bad_url(url, str(exc)) from exc
        if not is_allowed_scheme(target.scheme):
            raise failures.bad_scheme(url)
        if not target.raw_host:
            raise failures.bad_url(url, "no host")
        return target

    async def _hop(
        self, target: httpx.URL, headers: dict[str, str], lim: FetchLimits
    ) -> httpx.URL | tuple[int, dict[str, str], bytes]:
        """One request: a redirect target, or (status, headers, body) of a usable answer."""
        assert self._client is not None
        timeout = timeout_for(lim)
        try:
            return await self._exchange(target, headers, lim, timeout)
        except httpx.HTTPError as exc:
            raise failures.from_httpx(exc, str(target), timeout) from exc

    async def _exchange(
        self, target: httpx.URL, headers: dict[str, str], lim: FetchLimits, timeout: httpx.Timeout
    ) -> httpx.URL | tuple[int, dict[str, str], bytes]:
        assert self._client is not None
        request = self._client.build_request("GET", target, headers=headers, timeout=timeout)
        response = await self._client.send(request, stream=True)
        try:
            status = response.status_code
            answer = dict(response.headers.items())  # lower-case keys, repeated headers joined by ", "
            if is_redirect(status):
                location = answer.get("location", "").strip()
                if not location:
                    raise FetchError(
                        f"Máy chủ chuyển hướng ({status}) mà không cho địa chỉ mới",
                        detail=f"HTTP {status} without Location from {target}",
                        kind=FailureKind.HARD,
                    )
                try:
                    return target.join(location)  # relative references resolve per RFC 3986 §5
                except httpx.InvalidURL as exc:
                    raise failures.bad_url(location, str(exc)) from exc
            if status == 304:
                return status, answer, b""
            if not is_success(status):
                raise status_error(status, answer, str(target))
            if declared_too_large(answer, lim.max_bytes):
                raise too_large(lim.max_bytes)  # refuse before reading a byte
            body = await read_capped(response.aiter_raw(), answer.get("content-encoding", ""), lim.max_bytes)
            return status, answer, body
        finally:
            await response.aclose()  # an unread body closes the connection instead of draining it

    @staticmethod
    def _result(
        url: str,
        final_url: str,
        status: int,
        headers: dict[str, str],
        body: bytes,
        sent: Validators | None,
        elapsed: float,
    ) -> FetchResult:
        etag, modified = headers.get("etag"), headers.get("last-modified")
        if status == 304:
            # RFC 9110 §15.4.5: a 304 may carry refreshed validators; otherwise ours still hold.
            sent = sent or Validators()
            validators = Validators(etag=etag or sent.etag, last_modified=modified or sent.last_modified)
        else:
            validators = Validators(etag=etag, last_modified=modified)
        return FetchResult(
            url=url,
            final_url=final_url,
            status=status,
            headers=MappingProxyType(headers),
            body=body,
            not_modified=status == 304,
            elapsed=elapsed,
            validators=validators,
        )
