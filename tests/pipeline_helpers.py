"""Helpers for pipeline tests: feeds written for the project, configs pointing at a local server."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from monitor.config import Config, parse_config

BASE_TIME = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def rss(items: list[tuple[str, str, str]], title: str = "Báo Thử – Pháp luật") -> bytes:
    """An RSS 2.0 feed of (guid, title, link) items."""
    body = "".join(
        f'<item><title>{t}</title><link>{link}</link><guid isPermaLink="false">{g}</guid>'
        f"<pubDate>{format_datetime(BASE_TIME - timedelta(minutes=i))}</pubDate>"
        f"<description>Tóm tắt của bài {g}: Công an tỉnh Kon Tum thông tin vụ việc.</description></item>"
        for i, (g, t, link) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://bao-thu.vn/</link><description>thử</description>{body}</channel></rss>"
    ).encode()


def numbered_items(
    n: int, prefix: str = "bai", host: str = "https://bao-thu.vn"
) -> list[tuple[str, str, str]]:
    """n distinct items with Vietnamese titles."""
    return [
        (f"{prefix}-{i}", f"Tin số {i}: Kon Tum tăng cường tuần tra ban đêm", f"{host}/{prefix}-{i}.html")
        for i in range(n)
    ]


def config_for(
    urls: dict[str, str], *, article_pages: bool = False, extra: str = "", kind: str = "rss"
) -> Config:
    """A Config whose sources are the given key → URL pairs on 127.0.0.1 (allow_private)."""
    text = f"[fetch]\ndeadline = 5.0\narticle_pages = {'true' if article_pages else 'false'}\n{extra}\n"
    for key, url in urls.items():
        text += f'\n[[source]]\nkey = "{key}"\nname = "Nguồn {key}"\nurl = "{url}"\nkind = "{kind}"\nallow_private = true\n'
    return parse_config(text, Path("sources.toml"))


def write_config(path: Path, urls: dict[str, str], **kw: object) -> Path:
    """Write the same config as config_for to a file (for CLI subprocess tests)."""
    text = "[fetch]\ndeadline = 5.0\narticle_pages = false\n"
    for key, url in urls.items():
        text += f'\n[[source]]\nkey = "{key}"\nname = "Nguồn {key}"\nurl = "{url}"\nallow_private = true\n'
    path.write_text(text, encoding="utf-8")
    return path


def run_together(work: Callable[[], object], n: int) -> list[BaseException]:
    """Run `work` in n threads released at the same moment; the exceptions they raised (none is good)."""
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def one() -> None:
        try:
            barrier.wait()
            work()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
