"""Parse worker processes: light to start, same rows as parsing in line, failures stay with their job."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from monitor.errors import NotAFeedError
from monitor.pipeline.parse_workers import ParseJob, ParseWorkers, parse_rows
from tests.pipeline_helpers import numbered_items, rss

HEADERS = {"content-type": "application/rss+xml"}


def _job(i: int, body: bytes | None = None) -> ParseJob:
    body = body if body is not None else rss(numbered_items(4, prefix=f"f{i}"))
    return ("rss", body, HEADERS, f"https://bao-thu.vn/f{i}.rss", 200, 2048, f"f{i}")


def _values(rows: tuple[object, ...]) -> list[dict[str, object]]:
    return [dict(vars(r)) for r in rows]  # every column, the derived ones (hashes, search document) too


def test_a_worker_imports_neither_the_orm_nor_the_http_client() -> None:
    heavy = ("sqlalchemy", "psycopg", "httpx", "monitor.config", "monitor.store.tables", "monitor.cli")
    code = (
        "import sys, monitor.pipeline.parse_workers; "
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_workers_give_the_rows_parsing_in_line_gives() -> None:
    jobs = [_job(i) for i in range(6)]

    async def main() -> list[tuple[object, ...]]:
        workers = ParseWorkers(2)
        try:
            return list(await asyncio.gather(*(workers.parse(j) for j in jobs)))
        finally:
            await workers.aclose()

    got = asyncio.run(main())
    assert [_values(rows) for rows in got] == [_values(parse_rows(*j)) for j in jobs]
    assert [len(rows) for rows in got] == [4] * 6


def test_a_body_that_is_no_feed_fails_its_own_job_only() -> None:
    page = b"<!DOCTYPE html><html><body><p>Trang ch\xe1\xbb\xa7</p></body></html>"

    async def main() -> tuple[BaseException | tuple[object, ...], ...]:
        workers = ParseWorkers(1)
        try:
            return tuple(
                await asyncio.gather(
                    workers.parse(_job(0, page)), workers.parse(_job(1)), return_exceptions=True
                )
            )
        finally:
            await workers.aclose()

    bad, good = asyncio.run(main())
    assert isinstance(bad, NotAFeedError)  # the error's own type crosses back, with its Vietnamese sentence
    assert bad.message == "Nội dung không phải RSS/Atom (trang HTML)"
    assert isinstance(good, tuple) and len(good) == 4


def test_when_every_worker_has_died_the_pass_parses_in_line() -> None:
    async def main() -> tuple[object, ...]:
        workers = ParseWorkers(2)
        try:
            await workers.parse(_job(0))  # starts them
            for worker in workers._workers:
                worker.proc.kill()
                await worker.proc.wait()
                assert worker.reader is not None
                await worker.reader  # sees the end of its output
            return await workers.parse(_job(1))
        finally:
            await workers.aclose()

    assert _values(asyncio.run(main())) == _values(parse_rows(*_job(1)))


def test_jobs_pending_in_a_killed_worker_fail_instead_of_hanging() -> None:
    async def main() -> BaseException | tuple[object, ...]:
        workers = ParseWorkers(1)
        try:
            await workers.parse(_job(0))
            worker = workers._workers[0]
            worker.proc.send_signal(19)  # SIGSTOP: the job below stays pending in its pipe
            pending = asyncio.ensure_future(workers.parse(_job(1)))
            await asyncio.sleep(0.2)
            worker.proc.kill()
            done = await asyncio.gather(pending, return_exceptions=True)
            return done[0]
        finally:
            await workers.aclose()

    result = asyncio.run(main())
    assert isinstance(result, RuntimeError)
    assert "exited" in str(result)


@pytest.mark.parametrize("count", [1, 2])
def test_closing_ends_the_worker_processes(count: int) -> None:
    async def main() -> list[int | None]:
        workers = ParseWorkers(count)
        await workers.parse(_job(0))
        await workers.aclose()
        return [w.proc.returncode for w in workers._workers]

    assert asyncio.run(main()) == [0] * count


def test_when_no_worker_can_start_the_pass_parses_in_line(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "executable", "/nonexistent/python3")

    async def main() -> tuple[object, ...]:
        workers = ParseWorkers(2)
        try:
            return await workers.parse(_job(0))
        finally:
            await workers.aclose()

    assert _values(asyncio.run(main())) == _values(parse_rows(*_job(0)))
