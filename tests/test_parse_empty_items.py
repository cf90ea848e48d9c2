"""Malformed XML never stores an empty article: an item with no usable link and no title is not an article."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from monitor.parse.feed import parse_feed
from monitor.pipeline.ingest import ingest
from monitor.store.db import Database
from monitor.store.tables import ArticleRow
from tests.pipeline_helpers import config_for
from tests.servers import LocalServer, Reply

BROKEN = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Báo Thử</title>
<item><title>Công an tỉnh Kon Tum triệt phá đường dây đánh bạc</title>
<link>https://bao-thu.vn/bai-1.html</link><description>Tóm tắt bài 1.</description></item>
<item><description>Mảnh vỡ <b>không đóng thẻ</description></item>
<item><link>javascript:alert(1)</link><title></title><description>Chỉ có mô tả.</description></item>
<item><guid isPermaLink="false">chi-co-guid</guid></item>
<item><title>Tin không có đường dẫn nhưng có tiêu đề</title><description>Vẫn là một bài.</description></item>
<item><title>Cắt ngang""".encode()


def test_items_without_link_and_title_are_dropped() -> None:
    feed = parse_feed(BROKEN, {"content-type": "application/rss+xml"}, "https://bao-thu.vn/rss")
    assert [i.title for i in feed.items] == [
        "Công an tỉnh Kon Tum triệt phá đường dây đánh bạc",
        "Tin không có đường dẫn nhưng có tiêu đề",
    ]
    assert all(i.url or i.title for i in feed.items)
    assert sum("no usable link and no title" in w for w in feed.warnings) == 4


def test_malformed_feed_stores_no_empty_article(db: Database) -> None:
    with LocalServer() as srv:
        srv.route("/hong.rss", Reply(body=BROKEN, content_type="application/rss+xml"))
        asyncio.run(ingest(db, config_for({"hong": srv.url("/hong.rss")})))
    with db.read() as s:
        rows = s.scalars(select(ArticleRow)).all()
    assert rows and all(r.title.strip() or r.url for r in rows)
    assert len(rows) == 2
