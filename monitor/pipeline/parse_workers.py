"""Parse workers: processes that turn fetched bodies into rows to store, importing only what parsing needs.

feedparser and the sanitiser hold the GIL, so a big pass parses in worker processes. They are plain
subprocesses running this module, not a multiprocessing pool: a spawn or forkserver child first imports
the parent's `__main__` again (for `monitor`, the whole CLI; for a script, everything it imports), about
a second of CPU per worker per pass on two cores shared with the fetching. This module imports the parse
stage and the row type (`monitor.store.new_item`, no SQLAlchemy, no httpx), a fifth of that.

Jobs and answers cross the worker's stdin and stdout as length-prefixed pickles; a worker answers its
jobs in order. A worker ignores Ctrl+C (the parent decides when the pass stops) and exits at the end of
its input, so it never outlives its parent, even one killed with -9.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hashlib
import logging
import os
import pickle
import signal
import struct
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from monitor.errors import MonitorError
from monitor.parse import FeedItem, find_article_links, parse_feed
from monitor.store.new_item import NewItem

log = logging.getLogger(__name__)

# (kind, body, headers, final url, max items, max url length, source key): the arguments of `parse_rows`
ParseJob = tuple[str, bytes, dict[str, str], str, int, int, str]
_HEADER = struct.Struct(">I")  # the length of the pickle that follows
IN_FLIGHT = 2  # jobs sent ahead to one worker: the next is ready when it finishes one
_EXIT_WAIT = 2.0  # seconds an idle worker gets to exit at the end of its input before it is killed


def content_hash(title: str, summary: str) -> str:
    """Fingerprint of what the outlet published for an item (changes mean 'updated')."""
    return hashlib.sha256(f"{title}\n{summary}".encode()).hexdigest()


def to_new_items(source_key: str, items: Sequence[FeedItem]) -> list[NewItem]:
    """Feed items → rows to store; items without a URL get a stable URN as their identity."""
    return [
        NewItem(
            item_key=it.key[:512],
            url=it.url,
            canonical_url=it.url or f"urn:monitor:{source_key}:{it.key}"[:2048],
            title=it.title,
            summary=it.summary_text,
            published_at=it.published_at,
            content_hash=content_hash(it.title, it.summary_text),
        )
        for it in items
    ]


def parse_items(
    kind: str, body: bytes, headers: dict[str, str], url: str, max_items: int, max_url_len: int
) -> tuple[FeedItem, ...]:
    """Parse a fetched body into items: a feed's entries, or a section page's article links."""
    if kind == "html":
        links = find_article_links(body, headers, url, max_links=max_items)
        return tuple(
            FeedItem(key=link, url=link, title="", summary_html="", summary_text="", published_at=None)
            for link in links
        )
    return parse_feed(body, headers, url, max_items=max_items, max_url_len=max_url_len).items


def parse_rows(
    kind: str,
    body: bytes,
    headers: dict[str, str],
    url: str,
    max_items: int,
    max_url_len: int,
    source_key: str,
) -> tuple[NewItem, ...]:
    """Parse a fetched body into rows to store (hashes and search document included)."""
    return tuple(to_new_items(source_key, parse_items(kind, body, headers, url, max_items, max_url_len)))


class _Worker:
    """One worker process and the futures of the jobs it has been sent, oldest first."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.pending: collections.deque[asyncio.Future[tuple[NewItem, ...]]] = collections.deque()
        self.alive = True
        self.reader: asyncio.Task[None] | None = None


class ParseWorkers:
    """`count` parse worker processes, started by the first job (an all-304 pass starts none)."""

    def __init__(self, count: int) -> None:
        self._count = count
        self._workers: list[_Worker] = []
        self._starting: asyncio.Task[None] | None = None
        self._slots = asyncio.Semaphore(count * IN_FLIGHT)

    async def parse(self, job: ParseJob) -> tuple[NewItem, ...]:
        """`parse_rows(*job)` in the least busy worker (here, if every worker has died)."""
        if self._starting is None:
            self._starting = asyncio.create_task(self._start())
        await asyncio.shield(self._starting)
        # At most IN_FLIGHT jobs per worker sit in its pipe, the rest wait here: a job goes to whichever
        # worker frees up first, and its answer is not held back behind a backlog of other jobs' bodies.
        async with self._slots:
            alive = [w for w in self._workers if w.alive]
            if not alive:
                return parse_rows(*job)
            worker = min(alive, key=lambda w: len(w.pending))
            future: asyncio.Future[tuple[NewItem, ...]] = asyncio.get_running_loop().create_future()
            worker.pending.append(future)
            payload = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
            assert worker.proc.stdin is not None
            # No drain(): the slots bound what is buffered, and drain() waits for the whole buffer. A dead
            # worker's reader fails every job it was sent, this one included.
            with contextlib.suppress(ConnectionError):
                worker.proc.stdin.write(_HEADER.pack(len(payload)) + payload)
            return await future

    async def _start(self) -> None:
        # The folder holding the `monitor` this process runs, first on the path: the same code either way.
        root = str(Path(__file__).resolve().parents[2])
        path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
        for _ in range(self._count):
            try:
                proc = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    __name__,
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    env={**os.environ, "PYTHONPATH": path},
                )
            except OSError as exc:  # no process to be had (limits, no interpreter path): parse in line
                log.warning("parse worker not started error=%r", exc)
                return
            worker = _Worker(proc)
            worker.reader = asyncio.create_task(self._read(worker))
            self._workers.append(worker)

    async def _read(self, worker: _Worker) -> None:
        """Hand each answer to the oldest pending job; at the worker's end, fail what is left."""
        assert worker.proc.stdout is not None
        out = worker.proc.stdout
        try:
            while True:
                (size,) = _HEADER.unpack(await out.readexactly(_HEADER.size))
                ok, value = pickle.loads(await out.readexactly(size))
                future = worker.pending.popleft()
                if future.done():  # its caller was cancelled
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            worker.alive = False
            while worker.pending:
                future = worker.pending.popleft()
                if not future.done():
                    future.set_exception(RuntimeError(f"parse worker {worker.proc.pid} exited: {exc!r}"))

    async def aclose(self) -> None:
        """End every worker's input and wait for it to exit (killed if it does not in time)."""
        if self._starting is None:
            return
        with contextlib.suppress(Exception):
            await self._starting
        for worker in self._workers:
            assert worker.proc.stdin is not None
            worker.proc.stdin.close()
        for worker in self._workers:
            try:
                await asyncio.wait_for(worker.proc.wait(), _EXIT_WAIT)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    worker.proc.kill()
                await worker.proc.wait()
            if worker.reader is not None:
                await worker.reader


def serve(source: BinaryIO, sink: BinaryIO) -> None:
    """The worker's loop: read a job, answer (True, rows) or (False, the error), until end of input."""
    while True:
        head = source.read(_HEADER.size)
        if len(head) < _HEADER.size:
            return
        (size,) = _HEADER.unpack(head)
        job: ParseJob = pickle.loads(source.read(size))
        answer: tuple[bool, Any]
        try:
            answer = (True, parse_rows(*job))
        except MonitorError as exc:
            answer = (False, exc)
        except Exception as exc:  # a bug: the parent logs it against the source, the pass goes on
            traceback.print_exc()
            answer = (False, RuntimeError(f"parse worker: {exc!r}"))
        payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        sink.write(_HEADER.pack(len(payload)) + payload)
        sink.flush()


def main() -> None:
    """Entry point of a worker process (`python -m monitor.pipeline.parse_workers`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole process group
    sink = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print goes to stderr, never into the answers
    serve(sys.stdin.buffer, sink)


if __name__ == "__main__":
    main()
