"""A real HTTP/1.1 test server on 127.0.0.1, driven by a route table (reusable by every test module).

    with LocalServer() as srv:
        srv.route("/feed.xml", Reply(body=xml, headers={"ETag": '"v1"'}))
        srv.route("/slow", lambda req: Reply(delay=2))          # handlers see the Request
        srv.route("/r/*", lambda req: redirect("/r/" + ...))    # prefix routes end with "*"
        url = srv.url("/feed.xml")                              # or srv.url("/x", host="a.test")
        srv.hits["/feed.xml"], srv.requests[-1].headers["if-none-match"]

The server runs its own asyncio loop in a daemon thread, so tests may use `asyncio.run` freely.
A Reply can delay its answer, never answer (`hang`), drip its body (`drip` seconds between
`chunk_size` pieces), stream a huge body from a generator without holding it (`body=filler(n)`),
gzip its body, lie about Content-Length and close the connection. `LocalServer(tls=context)` serves
HTTPS and records the SNI names clients sent.
"""

from __future__ import annotations

import asyncio
import gzip as gzip_module
import ssl
import threading
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    """What the server received (header names lower-cased)."""

    method: str
    target: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes

    @property
    def host(self) -> str:
        """The Host header without its port."""
        return self.headers.get("host", "").rsplit(":", 1)[0]


Body = bytes | Callable[[], Iterable[bytes]]


@dataclass(frozen=True)
class Reply:
    """How to answer one request."""

    status: int = 200
    body: Body = b""
    headers: Mapping[str, str] | Sequence[tuple[str, str]] = ()
    content_type: str | None = "text/plain; charset=utf-8"
    delay: float = 0.0  # seconds before the status line
    hang: bool = False  # read the request, never answer
    drip: float = 0.0  # seconds between body pieces
    chunk_size: int = 64 * 1024  # piece size when splitting a bytes body
    gzip: bool = False  # gzip a bytes body and say so
    length: int | None = None  # Content-Length to announce (default: the true one; chunked for generators)
    close: bool = False  # close the connection after answering


Handler = Reply | Callable[[Request], "Reply | Awaitable[Reply]"]


def redirect(location: str, status: int = 302) -> Reply:
    """A redirect to `location`."""
    return Reply(status=status, headers={"Location": location}, content_type=None)


def filler(total: int, chunk: int = 64 * 1024, byte: bytes = b"x") -> Callable[[], Iterator[bytes]]:
    """A body of `total` bytes produced piece by piece (memory stays at one piece)."""
    block = byte * chunk

    def pieces() -> Iterator[bytes]:
        left = total
        while left > 0:
            yield block[: min(left, chunk)]
            left -= chunk

    return pieces


@lru_cache(maxsize=4)
def gzip_bomb(inflated: int) -> bytes:
    """Gzip of `inflated` zero bytes (200 MB packs into about 200 KB), built once per size."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(2**20)
    parts = [packer.compress(zeros[: min(2**20, inflated - done)]) for done in range(0, inflated, 2**20)]
    return b"".join(parts) + packer.flush()


class LocalServer:
    """An HTTP/1.1 server on 127.0.0.1 with a route table; counts hits and records requests."""

    def __init__(self, *, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls  # serve HTTPS with this server-side context
        self.sni: list[str | None] = []  # server names clients asked for in the TLS handshake
        self.routes: dict[str, Handler] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[Request] = []
        self.errors: list[BaseException] = []
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def route(self, path: str, handler: Handler) -> None:
        """Answer `path` (or every path under a prefix ending in "*") with a Reply or a handler."""
        self.routes[path] = handler

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        """The absolute URL of `path` on this server (any `host` name, for resolver-mapped tests)."""
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}{path}"

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Listen on an ephemeral port of 127.0.0.1 in a background thread."""
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        if self.tls is not None:

            def record_sni(_sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
                self.sni.append(name)

            self.tls.sni_callback = record_sni  # type: ignore[assignment]

        def run() -> None:
            asyncio.set_event_loop(loop)
            self._server = loop.run_until_complete(
                asyncio.start_server(self._connection, "127.0.0.1", 0, limit=2**20, ssl=self.tls)
            )
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="test-http-server", daemon=True)
        self._thread.start()
        if not ready.wait(5):
            raise RuntimeError("test server did not start")

    def stop(self) -> None:
        """Cut every connection (hanging ones too), stop the loop and join the thread."""
        if self._loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()
        self._loop = self._thread = None

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _find(self, path: str) -> Handler | None:
        if path in self.routes:
            return self.routes[path]
        prefixes = [p for p in self.routes if p.endswith("*") and path.startswith(p[:-1])]
        return self.routes[max(prefixes, key=len)] if prefixes else None

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                self.requests.append(request)
                self.hits[request.path] += 1
                reply = await self._answer(request)
                if reply.hang:
                    await asyncio.Event().wait()
                if reply.delay:
                    await asyncio.sleep(reply.delay)
                await _write_reply(writer, reply, head_only=request.method == "HEAD")
                if reply.close or request.headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._tasks.discard(task)  # type: ignore[arg-type]
            writer.close()

    async def _answer(self, request: Request) -> Reply:
        handler = self._find(request.path)
        if handler is None:
            return Reply(status=404, body=b"not found")
        if isinstance(handler, Reply):
            return handler
        try:
            reply = handler(request)
            return await reply if isinstance(reply, Awaitable) else reply
        except Exception as exc:  # a broken handler is a test bug: answer 500 and keep it for the test
            self.errors.append(exc)
            return Reply(status=500, body=repr(exc).encode())


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            key = name.strip().lower()
            headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    size = int(headers.get("content-length", "0") or 0)
    body = await reader.readexactly(size) if size else b""
    parts = urlsplit(target)
    return Request(method, target, parts.path or "/", parts.query, headers, body)


async def _write_reply(writer: asyncio.StreamWriter, reply: Reply, *, head_only: bool = False) -> None:
    headers = list(reply.headers.items()) if isinstance(reply.headers, Mapping) else list(reply.headers)
    names = {name.lower() for name, _ in headers}
    if reply.content_type and "content-type" not in names:
        headers.append(("Content-Type", reply.content_type))
    body = reply.body
    if isinstance(body, bytes) and reply.gzip:
        body = gzip_module.compress(body)
        headers.append(("Content-Encoding", "gzip"))
    chunked = not isinstance(body, bytes) and reply.length is None
    if chunked:
        headers.append(("Transfer-Encoding", "chunked"))
    elif "content-length" not in names:
        size = reply.length if reply.length is not None else len(body)  # type: ignore[arg-type]
        headers.append(("Content-Length", str(size)))
    phrase = HTTPStatus(reply.status).phrase if reply.status in HTTPStatus._value2member_map_ else "Unknown"
    head = f"HTTP/1.1 {reply.status} {phrase}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    writer.write(head.encode("latin-1"))
    await writer.drain()
    if head_only or reply.status in (204, 304) or 100 <= reply.status < 200:
        return  # RFC 9110 §6.4.1: these answers never carry content
    if isinstance(body, bytes):
        pieces: Iterable[bytes] = (
            body[i : i + reply.chunk_size] for i in range(0, len(body), reply.chunk_size)
        )
    else:
        pieces = body()
    for piece in pieces:
        writer.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        await writer.drain()
        if reply.drip:
            await asyncio.sleep(reply.drip)
    if chunked:
        writer.write(b"0\r\n\r\n")
        await writer.drain()
