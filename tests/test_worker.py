"""`monitor worker`: claims split the work between processes; a killed worker's claims expire and are taken over."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from monitor.store import analyses as store_analyses
from monitor.store import articles as store_articles
from monitor.store import sources as store_sources
from monitor.store.claims import Claim
from monitor.store.db import Database
from monitor.store.tables import AnalysisRow, ArticleRow
from tests.pipeline_helpers import config_for, numbered_items, rss
from tests.servers import LocalServer, Reply, Request
from tests.test_cli_process import monitor_cmd, wait_for

ARTICLE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head><body>
<article><h1>{title}</h1>
<p>Sáng 26/11, Công an tỉnh Kon Tum cho biết đã bắt giữ ba đối tượng trộm cắp tài sản tại thành phố Kon Tum.
Theo cơ quan điều tra, nhóm này đã gây ra nhiều vụ trộm xe máy trong tháng qua ({title}).</p>
<p>Vụ việc đang được tiếp tục điều tra, mở rộng. Người dân được khuyến cáo cảnh giác, khóa xe cẩn thận.</p>
</article></body></html>"""
SUMMARY = re.compile(r"(\d+) nguồn, (\d+) trang, (\d+) bài đã phân tích")
NOW = datetime(2026, 12, 1, 8, tzinfo=UTC)


def _serve(srv: LocalServer, feeds: int, items: int, *, feed_delay: float, page_delay: float) -> None:
    for i in range(feeds):
        srv.route(
            f"/f{i}.rss",
            Reply(
                body=rss(numbered_items(items, prefix=f"f{i}", host=srv.url("/p").rstrip("/"))),
                content_type="application/rss+xml",
                delay=feed_delay,
            ),
        )
    set_pages(srv, page_delay)


def set_pages(srv: LocalServer, delay: float) -> None:
    """Article pages under /p/, each answered after `delay` seconds."""

    def page(req: Request) -> Reply:
        body = ARTICLE.format(title=req.path.rsplit("/", 1)[-1]).encode()
        return Reply(body=body, content_type="text/html; charset=utf-8", delay=delay)

    srv.route("/p/*", page)


def _config(path: Path, srv: LocalServer, feeds: int) -> Path:
    text = "[fetch]\ndeadline = 60.0\narticle_pages = true\n"
    for i in range(feeds):
        text += f'\n[[source]]\nkey = "f{i}"\nname = "Báo {i}"\nurl = "{srv.url(f"/f{i}.rss")}"\nallow_private = true\n'
    path.write_text(text, encoding="utf-8")
    return path


def _state(db_url: str) -> tuple[int, int, int, int]:
    """(articles, extracted, analysed, still claimed)."""
    db = Database(db_url)
    try:
        with db.read() as s:
            count = s.scalar(select(func.count()).select_from(ArticleRow)) or 0
            ok = s.scalar(select(func.count()).where(ArticleRow.extract_status == "ok")) or 0
            analysed = s.scalar(select(func.count()).select_from(AnalysisRow)) or 0
            claimed = s.scalar(select(func.count()).where(ArticleRow.claimed_by.is_not(None))) or 0
        return count, ok, analysed, claimed
    finally:
        db.dispose()


def _worker(config: Path, db_url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        monitor_cmd(config, db_url, "worker", "--once", "--idle", "0.2", *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _did(proc: subprocess.Popen[str]) -> tuple[int, int, int]:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    found = SUMMARY.search(out)
    assert found, out
    sources, pages, analysed = (int(x) for x in found.groups())
    return sources, pages, analysed


def test_two_workers_never_process_the_same_item(pg_url: str, tmp_path: Path) -> None:
    feeds, items = 8, 6
    with LocalServer() as srv:
        _serve(srv, feeds, items, feed_delay=0.3, page_delay=0.2)
        config = _config(tmp_path / "sources.toml", srv, feeds)
        procs = [_worker(config, pg_url, "--batch", "3") for _ in range(2)]
        done = [_did(p) for p in procs]
        hits = dict(srv.hits)
    total = feeds * items
    # Every source, page and article was done by exactly one of the two workers ...
    assert sum(d[0] for d in done) == feeds
    assert sum(d[1] for d in done) == total
    assert sum(d[2] for d in done) == total
    assert all(hits[f"/f{i}.rss"] == 1 for i in range(feeds))
    assert sorted(n for path, n in hits.items() if path.startswith("/p/")) == [1] * total
    # ... both took part, and the database holds each article once, extracted, analysed, unclaimed.
    assert all(sum(d) > 0 for d in done), done
    assert _state(pg_url) == (total, total, total, 0)


def test_killed_worker_loses_nothing_and_doubles_nothing(pg_url: str, tmp_path: Path) -> None:
    feeds, items, batch = 4, 5, 5
    with LocalServer() as srv:
        _serve(srv, feeds, items, feed_delay=0, page_delay=120)  # pages hang until the kill
        config = _config(tmp_path / "sources.toml", srv, feeds)
        first = _worker(config, pg_url, "--batch", str(batch), "--lease", "3")
        try:
            assert wait_for(lambda: any(p.startswith("/p/") for p in srv.hits), timeout=120)
            assert wait_for(lambda: _state(pg_url)[3] == batch, timeout=30)  # mid-batch, claims held
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        killed_pages = {p for p in srv.hits if p.startswith("/p/")}
        set_pages(srv, 0)
        # Its claims outlive it for their lease (3 s); then another worker takes the work over.
        db = Database(pg_url)
        with db.read() as s:
            until = s.scalar(select(func.max(ArticleRow.claimed_until)))
        db.dispose()
        assert until is not None
        time.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.5)
        second = _did(_worker(config, pg_url, "--batch", str(batch), "--lease", "3"))
        hits = dict(srv.hits)
    total = feeds * items
    assert _state(pg_url) == (total, total, total, 0)  # nothing lost, nothing doubled
    assert second[1:] == (total, total)
    assert 0 < len(killed_pages) <= batch
    assert all(hits[p] == (2 if p in killed_pages else 1) for p in hits if p.startswith("/p/"))


def test_claims_are_disjoint_and_expire(db: Database) -> None:
    config = config_for({"a": "https://bao-a.vn/rss", "b": "https://bao-b.vn/rss"})
    with db.write() as s:
        ids = store_sources.sync_sources(s, config.sources, NOW)
        store_articles.upsert_items(
            s,
            ids["a"],
            [
                store_articles.NewItem(
                    f"k{i}", f"https://bao-a.vn/{i}", f"https://bao-a.vn/{i}", "t", "", None, "h"
                )
                for i in range(5)
            ],
            NOW,
            extract=True,
        )
    one, two = Claim("host:1", timedelta(minutes=5)), Claim("host:2", timedelta(minutes=5))
    with db.write() as s:
        a = [p.id for p in store_articles.claim_pages(s, one, NOW, 3)]
        srcs = store_sources.claim_due_sources(s, one, NOW, 1)
    with db.write() as s:
        b = [p.id for p in store_articles.claim_pages(s, two, NOW, 3)]
        srcs2 = store_sources.claim_due_sources(s, two, NOW, 5)
        # articles whose page is still to fetch are not offered for analysis
        assert store_analyses.claim_analysis(s, two, NOW, 10) == []
    assert len(a) == 3 and len(b) == 2 and not set(a) & set(b)
    assert len(srcs) == 1 and [x.key for x in srcs2] == [k for k in ("a", "b") if k != srcs[0].key]
    later = NOW + timedelta(minutes=6)  # both claims expired: the work is free again
    with db.write() as s:
        again = [p.id for p in store_articles.claim_pages(s, two, later, 10)]
    assert sorted(again) == sorted(a + b)


def test_worker_refuses_sqlite_with_a_sentence(tmp_path: Path) -> None:
    config = tmp_path / "sources.toml"
    config.write_text('[[source]]\nkey = "a"\nname = "A"\nurl = "https://a.vn/rss"\n', encoding="utf-8")
    done = subprocess.run(
        monitor_cmd(config, f"sqlite:///{tmp_path / 'm.db'}", "worker"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "cần PostgreSQL" in done.stderr and "monitor run" in done.stderr and "Traceback" not in done.stderr
