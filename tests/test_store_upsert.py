"""Batched article upsert (many feeds in a few statements) and the URL hashes of migration 0009."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, text

from monitor.store import articles as store_articles
from monitor.store import sources as store_sources
from monitor.store.db import Database
from monitor.store.new_item import url_hash
from monitor.store.tables import ArticleRow
from tests.pipeline_helpers import config_for

NOW = datetime(2026, 12, 1, 8, tzinfo=UTC)


def _item(url: str, title: str = "Kon Tum tăng cường tuần tra", digest: str = "h1") -> store_articles.NewItem:
    return store_articles.NewItem(
        item_key=url,
        url=url,
        canonical_url=url,
        title=title,
        summary="",
        published_at=None,
        content_hash=digest,
    )


def _sources(db: Database, n: int) -> list[int]:
    config = config_for({f"s{i}": f"https://bao{i}.vn/rss" for i in range(n)})
    with db.write() as s:
        ids = store_sources.sync_sources(s, config.sources, NOW)
    return [ids[f"s{i}"] for i in range(n)]


def test_many_feeds_in_one_call_equal_one_call_each(db: Database) -> None:
    a, b, c = _sources(db, 3)
    with db.write() as s:
        store_articles.add_tombstone(s, "https://bao.vn/go.html", "trùng", NOW)
        store_articles.upsert_items(s, c, [_item("https://bao.vn/old.html")], NOW, extract=True)
    feeds = [
        (
            a,
            [_item("https://bao.vn/1.html"), _item("https://bao.vn/1.html"), _item("https://bao.vn/go.html")],
        ),
        # the same URL as feed a brought, with an edit; a known article edited; an unchanged one
        (
            b,
            [
                _item("https://bao.vn/1.html", "Tin sửa", "h2"),
                _item("https://bao.vn/old.html", "Bài cũ sửa", "h9"),
                _item("https://bao.vn/2.html"),
            ],
        ),
        (c, [_item("https://bao.vn/old.html", "Bài cũ sửa", "h9")]),
    ]
    with db.write() as s:
        res = store_articles.upsert_many(s, feeds, NOW, extract=True)
    with db.read() as s:
        ids = {r.canonical_url: r.id for r in s.scalars(select(ArticleRow))}
        titles = {r.canonical_url: r.title for r in s.scalars(select(ArticleRow))}
    assert (res[0].new_ids, res[0].updated_ids, res[0].unchanged, res[0].tombstoned) == (
        (ids["https://bao.vn/1.html"],),
        (),
        1,
        1,
    )
    assert (res[1].new_ids, set(res[1].updated_ids), res[1].unchanged) == (
        (ids["https://bao.vn/2.html"],),
        {ids["https://bao.vn/1.html"], ids["https://bao.vn/old.html"]},
        0,
    )
    assert (res[2].new_ids, res[2].updated_ids, res[2].unchanged) == ((), (), 1)
    assert titles["https://bao.vn/1.html"] == "Tin sửa" and titles["https://bao.vn/old.html"] == "Bài cũ sửa"
    assert "https://bao.vn/go.html" not in ids


def test_hash_columns_follow_the_urls(db: Database) -> None:
    (a,) = _sources(db, 1)
    with db.write() as s:
        store_articles.upsert_items(s, a, [_item("https://bao.vn/a.html?id=1")], NOW, extract=True)
    with db.write() as s:
        row = s.scalars(select(ArticleRow)).one()
        store_articles.save_extraction(s, row.id, "Nội dung", "https://bao.vn/a-chuan.html", NOW)
    with db.read() as s:
        row = s.scalars(select(ArticleRow)).one()
        assert row.canonical_url == "https://bao.vn/a-chuan.html"
        assert row.canonical_hash == url_hash("https://bao.vn/a-chuan.html")
        assert row.url_hash == url_hash("https://bao.vn/a.html?id=1")
    # a re-fetch still finds it by its feed URL (through url_hash), so nothing is ingested twice
    with db.write() as s:
        again = store_articles.upsert_items(s, a, [_item("https://bao.vn/a.html?id=1")], NOW, extract=True)
    assert (again.new_ids, again.unchanged) == ((), 1)


URLS = ["https://bao.vn/a.html", "https://báo.vn/tin-tức?x=ồ&y=1", "urn:monitor:s:khóa"]


def test_migration_0009_backfills_the_hash_python_computes(db_url: str) -> None:
    from alembic import command

    from monitor.store.db import alembic_config

    db = Database(db_url)
    try:
        with db.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0006")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO sources (key, name, url, kind, weight, enabled, consecutive_failures, "
                    "failure_score, created_at) VALUES ('s', 'S', 'https://s.vn/rss', 'rss', 1, true, 0, 0, :t)"
                ),
                {"t": NOW.replace(tzinfo=None)},
            )
            for i, url in enumerate(URLS):
                conn.execute(
                    text(
                        "INSERT INTO articles (source_id, item_key, url, canonical_url, content_hash, title, "
                        "summary, text, fetched_at, updated_at, extract_status, extract_attempts) "
                        "VALUES (1, :k, :u, :u, 'h', 't', '', '', :t, :t, 'none', 0)"
                    ),
                    {"k": str(i), "u": url, "t": NOW.replace(tzinfo=None)},
                )
            conn.execute(text("UPDATE articles SET url = NULL WHERE item_key = '0'"))
        db.migrate()
        with db.read() as s:
            rows = s.execute(select(ArticleRow.canonical_url, ArticleRow.canonical_hash, ArticleRow.url_hash))
            got = {u: (c, h) for u, c, h in rows}
    finally:
        db.dispose()
    assert got == {u: (url_hash(u), None if u == URLS[0] else url_hash(u)) for u in URLS}


def test_search_finds_articles_by_their_latest_title_and_text(db: Database) -> None:
    from monitor.store.search import SearchFilters, search_articles

    (a,) = _sources(db, 1)
    url = "https://bao.vn/tin.html"
    with db.write() as s:
        store_articles.upsert_items(s, a, [_item(url, "Tin cũ về thời tiết", "h1")], NOW, extract=True)
    with db.write() as s:  # the outlet edits the title, then the page's text arrives
        store_articles.upsert_items(
            s, a, [_item(url, "Công an tỉnh Kon Tum bắt đối tượng", "h2")], NOW, extract=True
        )
    with db.read() as s:
        assert [h.id for h in search_articles(s, "cong an kon tum", SearchFilters())[0]]
        assert not search_articles(s, "thời tiết", SearchFilters())[0]
        article_id = s.scalars(select(ArticleRow.id)).one()
    with db.write() as s:
        store_articles.save_extraction(s, article_id, "Vụ trộm xe máy ở Đắk Hà đã được làm rõ.", None, NOW)
    with db.read() as s:
        assert [h.id for h in search_articles(s, "trom xe may dak ha", SearchFilters())[0]] == [article_id]


def test_new_rows_are_stored_column_for_column(db: Database) -> None:
    """The driver-level insert (COPY on PostgreSQL, multi-row INSERT on SQLite) writes what the ORM reads."""
    import pickle

    from monitor.store.new_item import search_doc

    (a,) = _sources(db, 1)
    published = datetime(2026, 11, 30, 23, 59, 58, 123456, tzinfo=UTC)
    item = store_articles.NewItem(
        item_key="bai-204512",
        url="https://báo.vn/tin-tức/kon-tum.html?utm_source=rss",
        canonical_url="https://xn--bo-jja.vn/tin-t%E1%BB%A9c/kon-tum.html",
        title="Công an tỉnh Kon Tum tuần tra",
        summary="Lực lượng chức năng ra quân dịp cuối năm.",
        published_at=published,
        content_hash="c" * 64,
    )
    undated = store_articles.NewItem("k2", None, "urn:monitor:s:k2", "Tin không ngày", "", None, "d" * 64)
    # Built in a parse worker and sent back: the derived columns travel with the row.
    back = pickle.loads(pickle.dumps((item, undated)))
    assert [vars(x) for x in back] == [vars(item), vars(undated)] and back == (item, undated)
    item, undated = back
    with db.write() as s:
        (res,) = store_articles.upsert_many(s, [(a, [item, undated])], NOW, extract=True)
    assert len(res.new_ids) == 2
    with db.read() as s:
        rows = {r.item_key: r for r in s.scalars(select(ArticleRow))}
    row = rows["bai-204512"]
    assert (row.source_id, row.url, row.canonical_url, row.title, row.summary, row.text) == (
        a,
        item.url,
        item.canonical_url,
        item.title,
        item.summary,
        "",
    )
    assert (row.url_hash, row.canonical_hash) == (url_hash(item.url), url_hash(item.canonical_url))
    folded = "cong an tinh kon tum tuan tra luc luong chuc nang ra quan dip cuoi nam."
    assert row.search_doc == search_doc(item.title, "", item.summary) == folded
    assert (row.published_at, row.fetched_at, row.updated_at) == (published, NOW, NOW)
    assert (row.content_hash, row.extract_status, row.extract_attempts, row.analysed_at) == (
        "c" * 64,
        "pending",
        0,
        None,
    )
    blank = rows["k2"]
    assert (blank.url, blank.url_hash, blank.published_at) == (None, None, None)
    assert blank.canonical_hash == url_hash("urn:monitor:s:k2")
