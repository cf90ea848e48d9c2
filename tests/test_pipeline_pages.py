"""Pages stage: article pages are fetched and extracted; failures keep the summary and retry later."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from monitor.config import Config
from monitor.pipeline.ingest import ingest
from monitor.pipeline.pages import fetch_pages
from monitor.store.db import Database
from monitor.store.tables import ArticleRow, TombstoneRow
from tests.pipeline_helpers import config_for, rss
from tests.servers import LocalServer, Reply

ARTICLE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
<link rel="canonical" href="{canonical}"></head><body>
<nav><a href="/">Trang chủ</a> <a href="/phap-luat">Pháp luật</a></nav>
<article><h1>{title}</h1>
<p>Sáng 26/11, Công an tỉnh Kon Tum cho biết đã bắt giữ ba đối tượng trộm cắp tài sản tại thành phố Kon Tum.
Theo cơ quan điều tra, nhóm này đã gây ra nhiều vụ trộm xe máy trong tháng qua.</p>
<p>Vụ việc đang được tiếp tục điều tra, mở rộng. Người dân được khuyến cáo cảnh giác, khóa xe cẩn thận.</p>
<p>Lực lượng công an cũng tăng cường tuần tra vào ban đêm tại các khu dân cư, chợ và bến xe.</p>
</article>
<section class="comments" id="comments"><h3>Ý kiến bạn đọc</h3><p>Bạn đọc Lan: XIN CẢM ƠN CÁC ANH CÔNG AN.</p></section>
</body></html>"""


def test_pages_are_extracted_without_comments_and_failures_retry(db: Database) -> None:
    with LocalServer() as srv:
        good, bad = srv.url("/bai/tot.html"), srv.url("/bai/loi.html")
        items = [("g1", "Bắt nhóm trộm xe máy", good), ("g2", "Bài lỗi", bad)]
        srv.route("/feed.rss", Reply(body=rss(items), content_type="application/rss+xml"))
        srv.route(
            "/bai/tot.html",
            Reply(
                body=ARTICLE.format(title="Bắt nhóm trộm xe máy", canonical=good).encode(),
                content_type="text/html; charset=utf-8",
            ),
        )
        srv.route("/bai/loi.html", Reply(status=503, body=b"busy"))
        config = config_for({"thu": srv.url("/feed.rss")}, article_pages=True)
        asyncio.run(ingest(db, config))
        report = asyncio.run(fetch_pages(db, config))
        again = asyncio.run(fetch_pages(db, config))  # the failed page waits for its retry time
    assert (report.extracted, report.failed) == (1, 1)
    assert (again.extracted, again.failed) == (0, 0)
    with db.read() as s:
        rows = {r.url: r for r in s.scalars(select(ArticleRow))}
    ok, failed = rows[good], rows[bad]
    assert ok.extract_status == "ok" and "bắt giữ ba đối tượng" in ok.text and "Bạn đọc Lan" not in ok.text
    assert failed.extract_status == "pending" and failed.extract_attempts == 1
    assert failed.summary and "503" in (failed.extract_error or "")
    assert failed.next_extract_at is not None and failed.next_extract_at > datetime.now(UTC) + timedelta(
        minutes=30
    )


def _one_article_two_urls(srv: LocalServer) -> tuple[str, str, Config]:
    """Two outlets list one article, one under a mobile URL; both pages name the first URL as canonical."""
    first, copy = srv.url("/bai/goc.html"), srv.url("/m/bai/goc.html")
    page = ARTICLE.format(title="Bắt nhóm trộm xe máy", canonical=first).encode()
    srv.route(
        "/a.rss", Reply(body=rss([("g1", "Bắt nhóm trộm xe máy", first)]), content_type="application/rss+xml")
    )
    srv.route(
        "/b.rss", Reply(body=rss([("g9", "Bắt nhóm trộm xe máy", copy)]), content_type="application/rss+xml")
    )
    for path in ("/bai/goc.html", "/m/bai/goc.html"):
        srv.route(path, Reply(body=page, content_type="text/html; charset=utf-8"))
    return first, copy, config_for({"a": srv.url("/a.rss"), "b": srv.url("/b.rss")}, article_pages=True)


def test_page_whose_canonical_is_known_is_folded_into_it(db: Database) -> None:
    with LocalServer() as srv:
        first, copy, config = _one_article_two_urls(srv)
        asyncio.run(ingest(db, config))
        report = asyncio.run(fetch_pages(db, config))
        asyncio.run(ingest(db, config))  # the mobile copy is tombstoned: never ingested again
    assert report.merged == 1
    with db.read() as s:
        assert [r.canonical_url for r in s.scalars(select(ArticleRow))] == [first]
        assert list(s.scalars(select(TombstoneRow.canonical_url))) == [copy]


def test_home_page_canonical_is_not_believed(db: Database) -> None:
    """A template that puts the home page in rel=canonical must not fold the outlet's articles together."""
    with LocalServer() as srv:
        home = srv.url("/")
        items = [
            ("g1", "Bắt nhóm trộm xe máy", srv.url("/bai/1.html")),
            ("g2", "Khởi tố vụ lừa đảo", srv.url("/bai/2.html")),
        ]
        srv.route("/feed.rss", Reply(body=rss(items), content_type="application/rss+xml"))
        for i in (1, 2):
            srv.route(
                f"/bai/{i}.html",
                Reply(
                    body=ARTICLE.format(title=f"Bài {i}", canonical=home).encode(),
                    content_type="text/html; charset=utf-8",
                ),
            )
        config = config_for({"thu": srv.url("/feed.rss")}, article_pages=True)
        asyncio.run(ingest(db, config))
        report = asyncio.run(fetch_pages(db, config))
    assert (report.extracted, report.merged) == (2, 0)
    with db.read() as s:
        assert sorted(r.canonical_url for r in s.scalars(select(ArticleRow))) == [
            srv.url("/bai/1.html"),
            srv.url("/bai/2.html"),
        ]


def test_refetch_after_moving_to_rel_canonical_is_not_a_new_article(db: Database) -> None:
    with LocalServer() as srv:
        feed_url, canonical = srv.url("/bai/1.html"), srv.url("/tin/bat-nhom-trom-1.html")
        items = [("g1", "Bắt nhóm trộm xe máy", feed_url + "?utm_source=rss")]
        srv.route("/feed.rss", Reply(body=rss(items), content_type="application/rss+xml"))
        srv.route(
            "/bai/1.html",
            Reply(
                body=ARTICLE.format(title="Bắt nhóm trộm", canonical=canonical).encode(),
                content_type="text/html; charset=utf-8",
            ),
        )
        config = config_for({"thu": srv.url("/feed.rss")}, article_pages=True)
        asyncio.run(ingest(db, config))
        asyncio.run(fetch_pages(db, config))
        again = asyncio.run(ingest(db, config))[0]
        edited = [("g1", "Bắt nhóm trộm xe máy (cập nhật)", feed_url)]
        srv.route("/feed.rss", Reply(body=rss(edited), content_type="application/rss+xml"))
        third = asyncio.run(ingest(db, config))[0]
    assert (again.new, again.unchanged) == (0, 1)
    assert (third.new, third.updated) == (0, 1)  # the outlet's edit still reaches the article
    with db.read() as s:
        rows = list(s.scalars(select(ArticleRow)))
    assert [(r.canonical_url, r.title) for r in rows] == [(canonical, "Bắt nhóm trộm xe máy (cập nhật)")]


def test_article_already_in_a_story_is_not_merged_away(db: Database) -> None:
    """Analysed on its feed summary and placed in a story, then its page names another article: keep both."""
    from monitor.store.queue_tables import StoryArticleRow, StoryRow

    with LocalServer() as srv:
        _first, copy, config = _one_article_two_urls(srv)
        asyncio.run(ingest(db, config))
        now = datetime.now(UTC)
        with db.write() as s:
            copy_row = s.scalars(select(ArticleRow).where(ArticleRow.url == copy)).one()
            story = StoryRow(
                title="Bắt nhóm trộm xe máy",
                first_article_id=copy_row.id,
                first_source_id=copy_row.source_id,
                first_seen_at=now,
                last_seen_at=now,
                updated_at=now,
            )
            s.add(story)
            s.flush()
            s.add(StoryArticleRow(article_id=copy_row.id, story_id=story.id, joined_at=now))
        report = asyncio.run(fetch_pages(db, config))
    assert report.merged == 0 and report.extracted == 2
    with db.read() as s:
        assert len(list(s.scalars(select(ArticleRow)))) == 2


def test_page_counts_are_written_by_one_thread(db: Database, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Pages are saved in worker threads; the shared report is counted only on the event loop's thread."""
    import threading

    from monitor.pipeline.pages import PagesReport

    writers: set[int] = set()
    original = PagesReport.count

    def watched(self: PagesReport, outcome: str) -> None:  # observes the real method, then calls it
        writers.add(threading.get_ident())
        original(self, outcome)  # type: ignore[arg-type]

    monkeypatch.setattr(PagesReport, "count", watched)
    with LocalServer() as srv:
        items = [(f"g{i}", f"Bài số {i}", srv.url(f"/bai/{i}.html")) for i in range(12)]
        srv.route("/feed.rss", Reply(body=rss(items), content_type="application/rss+xml"))
        for i in range(12):
            page = ARTICLE.format(title=f"Bài số {i}", canonical=srv.url(f"/bai/{i}.html")).encode()
            status = 200 if i % 3 else 503
            srv.route(
                f"/bai/{i}.html", Reply(status=status, body=page, content_type="text/html; charset=utf-8")
            )
        config = config_for({"thu": srv.url("/feed.rss")}, article_pages=True)
        asyncio.run(ingest(db, config))
        report = asyncio.run(fetch_pages(db, config))
    assert writers == {threading.get_ident()}  # asyncio.run's loop runs on this thread
    assert (report.extracted, report.failed) == (8, 4)
