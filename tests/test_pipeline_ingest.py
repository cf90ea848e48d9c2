"""Ingest stage end to end against real HTTP servers on 127.0.0.1, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from monitor.pipeline.ingest import ingest
from monitor.store.db import Database
from monitor.store.tables import ArticleRow, FetchLogRow, SourceRow
from tests.pipeline_helpers import config_for, numbered_items, rss, run_together
from tests.servers import LocalServer, Reply


def _count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(ArticleRow)) or 0


def test_rss_items_are_stored_then_304_costs_nothing(db: Database) -> None:
    with LocalServer() as srv:
        feed = rss(numbered_items(5))

        def handler(req):  # type: ignore[no-untyped-def]
            if req.headers.get("if-none-match") == '"v1"':
                return Reply(status=304, headers={"ETag": '"v1"'}, content_type=None)
            return Reply(body=feed, headers={"ETag": '"v1"'}, content_type="application/rss+xml")

        srv.route("/feed.rss", handler)
        config = config_for({"thu": srv.url("/feed.rss")})
        first = asyncio.run(ingest(db, config))
        second = asyncio.run(ingest(db, config))
    assert (first[0].status, first[0].new) == ("ok", 5)
    assert (second[0].status, second[0].new, second[0].unchanged) == ("not_modified", 0, 0)
    assert _count(db) == 5
    with db.read() as s:
        row = s.scalars(select(ArticleRow).order_by(ArticleRow.id)).first()
        assert row is not None and row.canonical_url == "https://bao-thu.vn/bai-0.html"
        assert row.title.startswith("Tin số 0") and "Kon Tum" in row.summary
        statuses = list(s.scalars(select(FetchLogRow.status).order_by(FetchLogRow.id)))
    assert statuses == ["ok", "not_modified"]


def test_same_items_twice_store_nothing_twice_and_edits_update(db: Database) -> None:
    items = numbered_items(4)
    with LocalServer() as srv:
        srv.route("/feed.rss", Reply(body=rss(items), content_type="application/rss+xml"))
        config = config_for({"thu": srv.url("/feed.rss")})
        asyncio.run(ingest(db, config))
        again = asyncio.run(ingest(db, config))[0]
        edited = [
            (*items[0][:1], "Tin số 0 (cập nhật): Kon Tum tăng cường tuần tra", *items[0][2:]),
            *items[1:],
        ]
        srv.route("/feed.rss", Reply(body=rss(edited), content_type="application/rss+xml"))
        third = asyncio.run(ingest(db, config))[0]
    assert (again.new, again.updated, again.unchanged) == (0, 0, 4)
    assert (third.new, third.updated, third.unchanged) == (0, 1, 3)
    assert _count(db) == 4
    with db.read() as s:
        titles = set(s.scalars(select(ArticleRow.title)))
    assert "Tin số 0 (cập nhật): Kon Tum tăng cường tuần tra" in titles


def test_tracking_parameters_do_not_make_duplicates(db: Database) -> None:
    with LocalServer() as srv:
        a = [("g1", "Tin A", "https://bao-thu.vn/a.html?utm_source=rss&utm_medium=feed")]
        b = [("g2", "Tin A", "https://bao-thu.vn/a.html?fbclid=abc123")]
        srv.route("/a.rss", Reply(body=rss(a), content_type="application/rss+xml"))
        srv.route("/b.rss", Reply(body=rss(b), content_type="application/rss+xml"))
        asyncio.run(ingest(db, config_for({"a": srv.url("/a.rss"), "b": srv.url("/b.rss")})))
    with db.read() as s:
        assert list(s.scalars(select(ArticleRow.canonical_url))) == ["https://bao-thu.vn/a.html"]


def test_two_parallel_workers_never_raise_nor_duplicate(db_url: str) -> None:
    items = numbered_items(40)
    with LocalServer() as srv:
        srv.route("/feed.rss", Reply(body=rss(items), content_type="application/rss+xml", delay=0.05))
        config = config_for({"thu": srv.url("/feed.rss")})

        def worker() -> None:
            db = Database(db_url)
            try:
                asyncio.run(ingest(db, config))
            finally:
                db.dispose()

        errors = run_together(worker, 2)
    assert errors == []
    db = Database(db_url)
    assert _count(db) == 40
    db.dispose()


def test_failing_source_backs_off_and_is_shown_not_dropped(db: Database) -> None:
    with LocalServer() as srv:
        srv.route("/down.rss", Reply(status=500, body=b"oops"))
        srv.route(
            "/html.rss",
            Reply(
                body=b"<!doctype html><html><body><h1>Trang chu</h1></body></html>",
                content_type="text/html; charset=utf-8",
            ),
        )
        srv.route("/ok.rss", Reply(body=rss(numbered_items(2)), content_type="application/rss+xml"))
        config = config_for(
            {"down": srv.url("/down.rss"), "html": srv.url("/html.rss"), "ok": srv.url("/ok.rss")}
        )
        reports = {r.key: r for r in asyncio.run(ingest(db, config))}
        again = {r.key: r for r in asyncio.run(ingest(db, config, only_due=True))}
    assert reports["ok"].new == 2
    assert reports["down"].status == "failed" and "500" in (reports["down"].error or "")
    assert reports["html"].status == "failed" and reports["html"].error
    # Only the healthy source is due again immediately? No: every source waits its interval; none is due.
    assert again == {}
    with db.read() as s:
        rows = {r.key: r for r in s.scalars(select(SourceRow))}
    assert rows["down"].consecutive_failures == 1 and rows["down"].enabled
    assert rows["html"].failure_score > rows["down"].failure_score  # hard error weighs more than a 5xx
    assert rows["down"].next_fetch_at is not None and rows["ok"].last_success_at is not None


def test_html_section_page_yields_article_links(db: Database) -> None:
    section = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Pháp luật</title></head><body>'
        '<nav><a href="/">Trang chủ</a> <a href="/chuyen-muc/phap-luat/">Pháp luật</a></nav><main>'
        '<article><h2><a href="/phap-luat/bat-nhom-trom-xe-may-o-kon-tum-123456.html">Bắt nhóm trộm xe máy ở Kon Tum</a></h2></article>'
        '<article><h2><a href="/phap-luat/khoi-to-vu-an-lua-dao-qua-mang-123457.html?utm_source=home">Khởi tố vụ án lừa đảo qua mạng</a></h2></article>'
        "</main></body></html>"
    ).encode()
    with LocalServer() as srv:
        srv.route("/chuyen-muc/phap-luat/", Reply(body=section, content_type="text/html; charset=utf-8"))
        config = config_for({"trang": srv.url("/chuyen-muc/phap-luat/")}, kind="html")
        report = asyncio.run(ingest(db, config))[0]
        base = srv.url("")
    assert report.status == "ok" and report.new == 2
    with db.read() as s:
        urls = sorted(s.scalars(select(ArticleRow.canonical_url)))
    assert urls == [
        f"{base}/phap-luat/bat-nhom-trom-xe-may-o-kon-tum-123456.html",
        f"{base}/phap-luat/khoi-to-vu-an-lua-dao-qua-mang-123457.html",
    ]


def test_big_pass_parses_in_worker_processes(db: Database, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """From PARALLEL_PARSE_MIN_SOURCES sources on, feeds are parsed in worker processes: same results.

    The pass also crosses ANALYZE_AFTER, so PostgreSQL's statistics are refreshed mid-pass.
    """
    from monitor.pipeline import ingest as stage

    monkeypatch.setattr(stage, "ANALYZE_AFTER", 10)

    n = stage.PARALLEL_PARSE_MIN_SOURCES + 2
    with LocalServer() as srv:
        for i in range(n):
            srv.route(
                f"/f{i}.rss",
                Reply(body=rss(numbered_items(5, prefix=f"f{i}")), content_type="application/rss+xml"),
            )
        config = config_for({f"f{i}": srv.url(f"/f{i}.rss") for i in range(n)})
        reports = asyncio.run(ingest(db, config))
    assert sorted(r.new for r in reports) == [5] * n
    assert _count(db) == 5 * n


def test_feeds_sharing_items_in_opposite_orders_store_each_url_once(db: Database, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Small batches, written two at a time on PostgreSQL: a URL is never in two transactions at once
    (inserting shared URLs in opposite orders could deadlock), and every URL is stored once."""
    import threading
    import time

    from monitor.pipeline import ingest as stage

    write = stage._write
    active: list[set[str]] = []
    lock = threading.Lock()
    overlaps: list[set[str]] = []
    at_once = [0, 0]  # now, most

    def watched(db_, config_, batch, rng):  # type: ignore[no-untyped-def]
        urls = {item.canonical_url for f in batch for item in f.items}
        with lock:
            overlaps.extend(urls & other for other in active if urls & other)
            active.append(urls)
            at_once[0] += 1
            at_once[1] = max(at_once)
        try:
            time.sleep(0.05)  # long enough for the other writer to start a batch meanwhile
            return write(db_, config_, batch, rng)
        finally:
            with lock:
                active.remove(urls)
                at_once[0] -= 1

    monkeypatch.setattr(stage, "_write", watched)
    monkeypatch.setattr(stage, "WRITE_BATCH", 3)
    shared = numbered_items(12, prefix="chung")
    n = 48  # the first half share 12 articles, in opposite orders; the second half share nothing
    with LocalServer() as srv:
        for i in range(n):
            items = ([] if i >= n // 2 else shared if i % 2 else shared[::-1]) + numbered_items(
                3, prefix=f"r{i}"
            )
            srv.route(f"/f{i}.rss", Reply(body=rss(items)))
        config = config_for({f"f{i}": srv.url(f"/f{i}.rss") for i in range(n)})
        reports = asyncio.run(ingest(db, config))
    assert overlaps == []
    assert at_once[1] == (stage.PG_WRITERS if db.dialect == "postgresql" else 1)  # the rest is parallel
    assert [r.status for r in reports] == ["ok"] * n
    assert sum(r.new for r in reports) == 12 + 3 * n  # each shared article is new for one feed only
    assert sum(r.new + r.unchanged for r in reports) == 12 * n // 2 + 3 * n
    assert _count(db) == 12 + 3 * n
