"""A tiny HTTP server on 127.0.0.1 serving the demo outlets: RSS feeds, a section page, article pages."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import TypedDict


@dataclass(frozen=True)
class DemoOutlet:
    """One demo outlet and where it is served."""

    key: str
    name: str
    kind: str
    weight: float
    url: str


class DemoOutletData(TypedDict):
    """One outlet of feeds/articles.json."""

    key: str
    name: str
    kind: str
    weight: float


class DemoArticle(TypedDict):
    """One article of feeds/articles.json."""

    slug: str
    outlet: str
    published: str
    title: str
    summary: str
    text: str


class DemoData(TypedDict):
    """feeds/articles.json: the sample outlets and their articles."""

    outlets: list[DemoOutletData]
    articles: list[DemoArticle]


def load_demo() -> DemoData:
    """The demo articles shipped in the package."""
    data: DemoData = json.loads(
        resources.files("monitor.demo").joinpath("feeds/articles.json").read_text("utf-8")
    )
    return data


def render_feed(data: DemoData, outlet: str, base: str) -> bytes:
    """RSS 2.0 of one outlet's articles."""
    items = []
    for a in data["articles"]:
        if a["outlet"] != outlet:
            continue
        link = f"{base}/bai/{a['slug']}.html?utm_source=rss&utm_medium=feed"
        pub = format_datetime(datetime.fromisoformat(a["published"]))
        items.append(
            f"<item><title>{escape(a['title'])}</title><link>{escape(link)}</link>"
            f'<guid isPermaLink="false">{a["slug"]}</guid><pubDate>{pub}</pubDate>'
            f"<description><![CDATA[<p>{escape(a['summary'])}</p>]]></description></item>"
        )
    name = next(o["name"] for o in data["outlets"] if o["key"] == outlet)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{escape(name)}</title><link>{base}/</link><description>demo</description>"
        + "".join(items)
        + "</channel></rss>"
    )
    return xml.encode("utf-8")


def render_section(data: DemoData, outlet: str, base: str) -> bytes:
    """An HTML section page listing one outlet's articles (no feed)."""
    links = "".join(
        f'<li><a href="/bai/{a["slug"]}.html">{escape(a["title"])}</a></li>'
        for a in data["articles"]
        if a["outlet"] == outlet
    )
    html = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Chuyên mục</title></head><body>'
        '<nav><a href="/">Trang chủ</a> <a href="/chuyen-muc/phap-luat/">Pháp luật</a></nav>'
        f"<main><h1>Pháp luật</h1><ul>{links}</ul></main></body></html>"
    )
    return html.encode("utf-8")


def render_article(a: DemoArticle, base: str) -> bytes:
    """An article page with navigation and a reader-comments block that extraction must drop."""
    paragraphs = "".join(f"<p>{escape(s.strip())}.</p>" for s in a["text"].split(". ") if s.strip())
    html = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        f'<title>{escape(a["title"])}</title><link rel="canonical" href="{base}/bai/{a["slug"]}.html">'
        f'<meta property="article:published_time" content="{a["published"]}"></head><body>'
        '<header><nav><a href="/">Trang chủ</a> | <a href="/chuyen-muc/phap-luat/">Pháp luật</a></nav></header>'
        f'<article><h1>{escape(a["title"])}</h1><p class="sapo"><b>{escape(a["summary"])}</b></p>{paragraphs}</article>'
        '<section id="comments" class="comments"><h3>Ý kiến bạn đọc</h3>'
        '<div class="comment">Bạn đọc Minh: bài viết rất hay, cảm ơn tòa soạn.</div></section>'
        "<footer>© Báo mẫu</footer></body></html>"
    )
    return html.encode("utf-8")


@contextmanager
def serve_demo(host: str = "127.0.0.1", port: int = 0) -> Iterator[list[DemoOutlet]]:
    """Serve the demo outlets until the block ends; yields the outlets with their URLs."""
    data = load_demo()
    articles = {a["slug"]: a for a in data["articles"]}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            base = f"http://{host}:{server.server_port}"
            path = self.path.split("?", 1)[0]
            body, ctype = None, "text/html; charset=utf-8"
            if path.startswith("/rss/") and path.endswith(".rss"):
                body, ctype = render_feed(data, path[5:-4], base), "application/rss+xml; charset=utf-8"
            elif path.startswith("/chuyen-muc/"):
                body = render_section(data, path.strip("/").split("/")[-1], base)
            elif path.startswith("/bai/") and path.endswith(".html") and path[5:-5] in articles:
                body = render_article(articles[path[5:-5]], base)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # keep the demo's terminal clean
            return

    server = ThreadingHTTPServer((host, port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://{host}:{server.server_address[1]}"
    try:
        yield [
            DemoOutlet(
                o["key"],
                o["name"],
                o["kind"],
                o["weight"],
                f"{base}/rss/{o['key']}.rss" if o["kind"] == "rss" else f"{base}/chuyen-muc/{o['key']}/",
            )
            for o in data["outlets"]
        ]
    finally:
        server.shutdown()
        server.server_close()
