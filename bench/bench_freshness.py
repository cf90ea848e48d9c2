"""Freshness: how long after a new item appears on one of 500 feeds its case is in the queue.

    python bench/bench_freshness.py [--feeds 500] [--items 10] [--db URL] [--json FILE]

500 feeds (about the weather: no watched target) are served on 127.0.0.1 with 100 ms latency by a
standalone server process; `monitor run` (the daemon, 2 s tick, every source on a 1-minute interval)
starts on a fresh database and takes in their items. Once it has, one feed gains an item saying that an
officer of Công an tỉnh Kon Tum took bribes (flagged: mention + critical tone). Measured: seconds until
that item's case is in the queue, and how much of it was waiting for the feed's next fetch. Goal: within
the source's interval + 10 s. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from monitor.store.db import Database  # noqa: E402
from monitor.store.queue_tables import CaseRow, StoryArticleRow  # noqa: E402
from monitor.store.tables import ArticleRow, FetchLogRow, SourceRow  # noqa: E402

INTERVAL_MIN = 1
HOT_TITLE = "Người dân tố cáo cán bộ Công an tỉnh Kon Tum nhận hối lộ, sách nhiễu"
HOT_TEXT = (
    "Nhiều người dân tại thành phố Kon Tum bức xúc, tố cáo một cán bộ Công an tỉnh Kon Tum có hành vi "
    "nhận hối lộ, sách nhiễu, gây phiền hà khi làm thủ tục; dư luận phẫn nộ trước sai phạm nghiêm trọng, "
    "đề nghị xử lý nghiêm."
)
HOT_URL = "https://outlet{k}.bench.test/tin-moi.html"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def config_text(port: int, feeds: int) -> str:
    """The bench outlets, the shipped watch targets and flag rules."""
    shipped = (ROOT / "sources.toml").read_text(encoding="utf-8")
    text = (
        "[fetch]\nconcurrency = 100\nper_host = 50\ndeadline = 30.0\narticle_pages = false\n"
        f"default_interval = {INTERVAL_MIN}\n"
    )
    for i in range(feeds):
        text += (
            f'\n[[source]]\nkey = "f{i}"\nname = "Báo thử {i}"\n'
            f'url = "http://127.0.0.1:{port}/feed/{i}.rss"\nallow_private = true\n'
        )
    return text + "\n" + shipped[shipped.index("[[watch]]") :]


def wait(pred, timeout: float, step: float = 0.2) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return False


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--feeds", type=int, default=500)
    ap.add_argument("--items", type=int, default=10)
    ap.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    port, hot_feed, hot_file = free_port(), args.feeds // 2, tmp / "hot.txt"
    url = args.db or f"sqlite:///{tmp}/fresh.db"
    cfg = tmp / "sources.toml"
    cfg.write_text(config_text(port, args.feeds), encoding="utf-8")
    server = subprocess.Popen(
        [
            *(sys.executable, str(ROOT / "bench" / "feedserver.py"), "--port", str(port)),
            *("--feeds", str(args.feeds), "--items", str(args.items), "--latency", "0.1", "--plain"),
            *("--hot-feed", str(hot_feed), "--hot-file", str(hot_file)),
        ]
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    daemon = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(cfg), "--db", url, "run", "--tick", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = Database(url)
    expected = args.feeds * args.items
    try:
        t_start = time.perf_counter()

        def ready() -> bool:
            try:
                with db.read() as s:
                    n = s.scalar(select(func.count()).where(ArticleRow.analysed_at.is_not(None))) or 0
                return n >= expected
            except Exception:  # not migrated yet
                return False

        if not wait(ready, 900, 0.5):
            print("the daemon never took in the first items")
            return
        t_ready = time.perf_counter() - t_start
        hot_file.write_text(f"{HOT_TITLE}\n{HOT_TEXT}", encoding="utf-8")
        appeared = datetime.now(UTC)
        t0 = time.perf_counter()
        with db.read() as s:
            next_fetch = s.scalar(select(SourceRow.next_fetch_at).where(SourceRow.key == f"f{hot_feed}"))
        hot_url = HOT_URL.format(k=hot_feed)

        def queued() -> bool:
            with db.read() as s:
                return (
                    s.scalar(
                        select(func.count())
                        .select_from(CaseRow)
                        .join(StoryArticleRow, StoryArticleRow.story_id == CaseRow.story_id)
                        .join(ArticleRow, ArticleRow.id == StoryArticleRow.article_id)
                        .where(ArticleRow.canonical_url == hot_url)
                    )
                    or 0
                ) > 0

        ok = wait(queued, INTERVAL_MIN * 60 + 300)
        latency = time.perf_counter() - t0
        with db.read() as s:
            fetched = s.scalar(
                select(func.min(FetchLogRow.started_at))
                .join(SourceRow, SourceRow.id == FetchLogRow.source_id)
                .where(SourceRow.key == f"f{hot_feed}", FetchLogRow.started_at >= appeared)
            )
        waited = (fetched - appeared).total_seconds() if fetched else float("nan")
        result = {
            "queued": ok,
            "latency_s": latency,
            "waiting_for_fetch_s": waited,
            "pipeline_s": latency - waited,
            "interval_s": INTERVAL_MIN * 60,
            "goal_s": INTERVAL_MIN * 60 + 10,
            "first_intake_s": t_ready,
            "next_fetch_was_in_s": (next_fetch - appeared).total_seconds() if next_fetch else None,
        }
        print(
            f"freshness ({args.feeds} feeds, interval {INTERVAL_MIN} min, {db.dialect}): "
            f"case in the queue {latency:.1f} s after the item appeared"
            f"{'' if ok else ' (NOT queued before the timeout)'}; {waited:.1f} s of it waiting for the feed's "
            f"next fetch, {latency - waited:.1f} s fetch → queue; goal ≤ {INTERVAL_MIN * 60 + 10} s"
        )
        print(f"first intake of {expected} items (fetch + analysis): {t_ready:.1f} s")
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(60)
        except subprocess.TimeoutExpired:
            daemon.kill()
        server.kill()
        db.dispose()


if __name__ == "__main__":
    main()
