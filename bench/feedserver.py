"""A standalone feed server for benchmarks: N feeds × M items, fixed latency per response, ETag/304.

Runs in its own process (so it does not compete with the pipeline for the GIL):
    python bench/feedserver.py --port 8765 --feeds 500 --items 50 --latency 0.1
Any Host name is accepted: /feed/<i>.rss on every host serves feed i.
`--plain`: items about the weather (no watched target) instead of the Kon Tum text.
`--hot-feed K --hot-file PATH`: once PATH exists, feed K also carries one more item, the file's first line
as title and the rest as description, under a new ETag (the freshness benchmark's "new item appears").
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

WORDS = (
    "Công an tỉnh Kon Tum tăng cường tuần tra, kiểm soát giao thông trên quốc lộ 14 dịp cuối năm; "
    "người dân phản ánh tình trạng xe quá tải gây hư hỏng mặt đường và mất an toàn."
)


PLAIN = (
    "Trời nắng nhẹ, nhiệt độ cao nhất {t} độ; giá rau xanh ở chợ đầu mối {m} tăng nhẹ so với tuần trước, "
    "người dân đi lại thuận lợi trong ngày cuối tuần."
)


def make_feed(i: int, items: int, *, plain: bool = False, extra: tuple[str, str] | None = None) -> bytes:
    """RSS 2.0 for feed i with `items` distinct items (written for the project), plus `extra` first."""
    now = datetime(2026, 11, 26, 8, tzinfo=UTC)
    parts = []
    if extra is not None:
        link = f"https://outlet{i}.bench.test/tin-moi.html"
        parts.append(
            f"<item><title>{extra[0]}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>{format_datetime(datetime.now(UTC))}</pubDate>"
            f"<description><![CDATA[<p>{extra[1]}</p>]]></description></item>"
        )
    for j in range(items):
        link = f"https://outlet{i}.bench.test/bai-{i}-{j}.html?utm_source=rss"
        title = (
            f"Tin {i}-{j}: thời tiết và giá cả cuối tuần"
            if plain
            else f"Tin {i}-{j}: Kon Tum tăng cường tuần tra ban đêm"
        )
        words = PLAIN.format(t=20 + (i + j) % 15, m=f"số {i}-{j}") if plain else WORDS
        parts.append(
            f"<item><title>{title}</title><link>{link}</link>"
            f"<guid>{link}</guid><pubDate>{format_datetime(now - timedelta(minutes=j))}</pubDate>"
            f'<description><![CDATA[<p>{words}</p><img src="https://img.bench.test/{i}/{j}.jpg">]]></description></item>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Báo thử {i}</title><link>https://outlet{i}.bench.test/</link><description>bench</description>"
        + "".join(parts)
        + "</channel></rss>"
    ).encode()


async def serve(
    port: int,
    feeds: int,
    items: int,
    latency: float,
    *,
    plain: bool = False,
    hot_feed: int | None = None,
    hot_file: Path | None = None,
) -> None:
    """Serve until killed."""
    bodies = {f"/feed/{i}.rss": make_feed(i, items, plain=plain) for i in range(feeds)}
    hot_path = f"/feed/{hot_feed}.rss"

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
                await asyncio.sleep(latency)
                body = bodies.get(path)
                etag = f'"{path}-v1"'
                if path == hot_path and hot_file is not None and hot_file.exists():
                    title, _, text = hot_file.read_text(encoding="utf-8").partition("\n")
                    body = make_feed(hot_feed or 0, items, plain=plain, extra=(title, text))
                    etag = f'"{path}-v2"'
                if body is None:
                    writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                elif headers.get("if-none-match") == etag:
                    writer.write(
                        f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nContent-Length: 0\r\n\r\n".encode()
                    )
                else:
                    writer.write(
                        f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\nETag: {etag}\r\n"
                        f"Content-Length: {len(body)}\r\n\r\n".encode()
                        + body
                    )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=2048)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--feeds", type=int, default=500)
    p.add_argument("--items", type=int, default=50)
    p.add_argument("--latency", type=float, default=0.1)
    p.add_argument("--plain", action="store_true")
    p.add_argument("--hot-feed", type=int, default=None)
    p.add_argument("--hot-file", type=Path, default=None)
    a = p.parse_args()
    asyncio.run(
        serve(a.port, a.feeds, a.items, a.latency, plain=a.plain, hot_feed=a.hot_feed, hot_file=a.hot_file)
    )
