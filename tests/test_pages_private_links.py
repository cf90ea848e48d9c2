"""allow_private trusts the source's own host only: feed content cannot point article fetches inward."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from monitor.fetch.guard import canonical_host, parse_ip
from monitor.pipeline.ingest import ingest
from monitor.pipeline.pages import fetch_pages
from monitor.store.db import Database
from monitor.store.tables import ArticleRow
from tests.pipeline_helpers import config_for, rss
from tests.servers import LocalServer, Reply, redirect
from tests.test_pipeline_pages import ARTICLE


class Trap:
    """A listening socket on another loopback address that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.2", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def trap() -> Iterator[Trap]:
    t = Trap()
    yield t
    t.close()


@pytest.mark.parametrize(
    ("spelling", "address"),
    [
        ("2852039166", "169.254.169.254"),
        ("0251.0376.0251.0376", "169.254.169.254"),
        ("0xa9fea9fe", "169.254.169.254"),
        ("169.254.43518", "169.254.169.254"),
        ("[::ffff:169.254.169.254]", "::ffff:a9fe:a9fe"),
        ("0x7f000002", "127.0.0.2"),
        ("10.0.0.1", "10.0.0.1"),
        ("bao-thu.vn", None),
    ],
)
def test_every_spelling_of_an_address_is_that_address(spelling: str, address: str | None) -> None:
    ip = parse_ip(spelling)
    assert (str(ip) if ip else None) == address
    assert canonical_host(spelling) == (address or spelling)


def test_feed_links_to_private_addresses_are_refused_and_never_connected(db: Database, trap: Trap) -> None:
    p = trap.port
    inward = [
        "http://10.0.0.1/noi-bo",
        "http://169.254.169.254/latest/meta-data/",
        "http://2852039166/",
        "http://0251.0376.0251.0376/",
        "http://0xa9fea9fe/",
        "http://[::ffff:169.254.169.254]/",
        f"http://127.0.0.2:{p}/bay",
        f"http://2130706434:{p}/",
        f"http://0x7f000002:{p}/",
        f"http://0177.0.0.2:{p}/",
        f"http://127.2:{p}/",
        f"http://[::ffff:127.0.0.2]:{p}/",
    ]
    with LocalServer() as srv:
        own = srv.url("/bai/tot.html")
        srv.route("/chuyen-vao-trong", redirect(f"http://127.0.0.2:{p}/"))  # own host, then inward
        srv.route("/chuyen-cung-may", redirect("/bai/tot.html"))  # a redirect on the source's own host
        inward.append(srv.url("/chuyen-vao-trong"))
        items = [(f"g{i}", f"Bài {i}", link) for i, link in enumerate(inward)] + [("own", "Bài thật", own)]
        items.append(("own2", "Bài chuyển hướng", srv.url("/chuyen-cung-may")))
        srv.route("/feed.rss", Reply(body=rss(items), content_type="application/rss+xml"))
        page = ARTICLE.format(title="Bài thật", canonical=own).encode()
        srv.route("/bai/tot.html", Reply(body=page, content_type="text/html; charset=utf-8"))
        config = config_for({"thu": srv.url("/feed.rss")}, article_pages=True)
        asyncio.run(ingest(db, config))
        report = asyncio.run(fetch_pages(db, config))
        again = asyncio.run(fetch_pages(db, config))
    assert trap.accepted == 0
    # both own-host pages are read (the redirected one names the first as canonical: merged into it)
    assert (report.extracted + report.merged, report.refused, report.failed) == (2, len(inward), 0)
    assert (again.extracted, again.refused, again.failed) == (0, 0, 0)  # refused is final, not retried
    with db.read() as s:
        rows = {r.url: r for r in s.scalars(select(ArticleRow))}
    assert rows[own].extract_status == "ok"
    refused = [r for url, r in rows.items() if url != own]
    assert len(refused) == len(inward)
    assert all(r.extract_status == "refused" for r in refused)
    assert all("Địa chỉ nội bộ bị chặn" in (r.extract_error or "") for r in refused)
