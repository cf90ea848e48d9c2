"""Concurrency: one slow outlet never delays another; fetches queue; a full pool is our fault."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest

from monitor.errors import FailureKind, PoolExhaustedError
from monitor.fetch import Fetcher, FetchLimits
from tests.servers import LocalServer, Reply


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        srv.route("/slow", Reply(hang=True))
        srv.route("/fast", Reply(body=b"ok"))
        yield srv


async def loopback(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


async def slow_outlet_and_fast_outlet(server: LocalServer, per_host: int) -> float:
    """Start 6 fetches that hang on slow.test (0.3 s deadline), then time one fetch of fast.test."""
    limits = FetchLimits(deadline=0.3, read_timeout=5)
    async with Fetcher(max_connections=3, per_host=per_host, limits=limits, resolver=loopback) as fetcher:
        slow = [
            asyncio.create_task(fetcher.get(server.url("/slow", host="slow.test"), allow_private=True))
            for _ in range(6)
        ]
        try:
            while server.hits["/slow"] < min(per_host, 3):
                await asyncio.sleep(0.01)
            started = time.monotonic()
            result = await fetcher.get(server.url("/fast", host="fast.test"), allow_private=True)
            assert result.body == b"ok"
            return time.monotonic() - started
        finally:
            for task in slow:
                task.cancel()
            await asyncio.gather(*slow, return_exceptions=True)


def test_one_slow_host_does_not_delay_another(server: LocalServer) -> None:
    assert asyncio.run(slow_outlet_and_fast_outlet(server, per_host=2)) < 0.25
    assert server.hits["/slow"] == 2  # the other four wait for their host's slots, not for the pool


def test_without_a_per_host_limit_the_slow_host_holds_up_the_fast_one(server: LocalServer) -> None:
    # The control experiment: with per_host ≥ pool size, the fast outlet waits for slow deadlines.
    assert asyncio.run(slow_outlet_and_fast_outlet(server, per_host=10)) >= 0.25


def test_fetches_queue_for_the_pool_instead_of_failing(server: LocalServer) -> None:
    server.route("/page", Reply(body=b"ok", delay=0.1))

    async def run() -> list[bytes]:
        limits = FetchLimits(deadline=1, pool_timeout=0.05)
        async with Fetcher(max_connections=2, limits=limits, resolver=loopback) as fetcher:
            urls = [server.url("/page", host=f"outlet{i}.test") for i in range(8)]
            return [r.body for r in await asyncio.gather(*(fetcher.get(u, allow_private=True) for u in urls))]

    assert asyncio.run(run()) == [b"ok"] * 8  # 0.4 s of queueing, far past the pool timeout


def test_pool_exhaustion_is_reported_as_ours(server: LocalServer) -> None:
    # A transport with a smaller pool than the fetcher admits: httpx's pool times out, and that
    # is our configuration's fault, never the outlet's.
    async def run() -> None:
        small = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=1))
        limits = FetchLimits(deadline=5, pool_timeout=0.2)
        async with Fetcher(max_connections=4, limits=limits, transport=small) as fetcher:
            hanging = asyncio.create_task(fetcher.get(server.url("/slow"), allow_private=True))
            try:
                while not server.hits["/slow"]:
                    await asyncio.sleep(0.01)
                await fetcher.get(server.url("/fast"), allow_private=True)
            finally:
                hanging.cancel()
                await asyncio.gather(hanging, return_exceptions=True)

    with pytest.raises(PoolExhaustedError) as info:
        asyncio.run(run())
    assert info.value.kind is FailureKind.OURS
    assert info.value.message.startswith("Hết kết nối trống")


def test_many_fetches_share_one_pool(server: LocalServer) -> None:
    async def run() -> list[bytes]:
        async with Fetcher(per_host=4, limits=FetchLimits(deadline=5), resolver=loopback) as fetcher:
            urls = [server.url("/fast", host=f"outlet{i % 5}.test") for i in range(40)]
            results = await asyncio.gather(*(fetcher.get(u, allow_private=True) for u in urls))
            return [r.body for r in results]

    assert asyncio.run(run()) == [b"ok"] * 40


def test_queueing_behind_our_own_per_host_limit_does_not_eat_the_deadline(server: LocalServer) -> None:
    server.route("/page", Reply(body=b"ok", delay=0.15))

    async def run() -> list[float]:
        async with Fetcher(per_host=1, limits=FetchLimits(deadline=0.5)) as fetcher:
            results = await asyncio.gather(
                *(fetcher.get(server.url("/page"), allow_private=True) for _ in range(5))
            )
            return [r.elapsed for r in results]

    elapsed = asyncio.run(run())  # 5 × 0.15 s in a row: the last waits 0.6 s, longer than its deadline
    assert len(elapsed) == 5 and max(elapsed) < 0.5  # elapsed counts from getting the slot
