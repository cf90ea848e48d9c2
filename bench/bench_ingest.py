"""Ingestion benchmark: a full pass over N feeds × M items served on 127.0.0.1 with fixed latency.

    python bench/bench_ingest.py [--feeds 500] [--items 50] [--latency 0.1] [--db URL]

Prints: wall time of a first full pass (everything new), of a second pass (every feed answers 304),
parse-and-store throughput in items/s (no network), and peak memory (RSS of this process and its
parse workers). Each outlet gets its own host name (outletN.bench.test → 127.0.0.1 through an injected
resolver), so the per-host limit behaves as with real outlets. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import resource
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.config import parse_config  # noqa: E402
from monitor.fetch import Fetcher  # noqa: E402
from monitor.pipeline.ingest import ingest  # noqa: E402
from monitor.pipeline.parse_workers import parse_items, to_new_items  # noqa: E402
from monitor.store import articles as store_articles  # noqa: E402
from monitor.store import sources as store_sources  # noqa: E402
from monitor.store.db import Database  # noqa: E402


async def loopback_resolver(host: str, port: int) -> list[str]:
    """Every bench host name lives on 127.0.0.1."""
    return ["127.0.0.1"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_config(port: int, feeds: int) -> object:
    text = (
        "[fetch]\nconcurrency = 100\nper_host = 4\ndeadline = 30.0\narticle_pages = false\nmax_items = 200\n"
    )
    for i in range(feeds):
        text += (
            f'\n[[source]]\nkey = "f{i}"\nname = "Feed {i}"\n'
            f'url = "http://outlet{i}.bench.test:{port}/feed/{i}.rss"\nallow_private = true\n'
        )
    return parse_config(text, Path("bench.toml"))


def peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, kids


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--feeds", type=int, default=500)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    ap.add_argument("--json", default=None, help="also write the figures to this file")
    args = ap.parse_args()

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "bench" / "feedserver.py"),
            "--port",
            str(port),
            "--feeds",
            str(args.feeds),
            "--items",
            str(args.items),
            "--latency",
            str(args.latency),
        ]
    )
    time.sleep(1.5)
    tmp = tempfile.mkdtemp()
    url = args.db or f"sqlite:///{tmp}/bench.db"
    db = Database(url)
    db.migrate()
    config = build_config(port, args.feeds)
    factory = functools.partial(Fetcher, resolver=loopback_resolver)
    try:
        t0 = time.perf_counter()
        first = asyncio.run(ingest(db, config, fetcher_factory=factory))
        t_first = time.perf_counter() - t0
        t0 = time.perf_counter()
        second = asyncio.run(ingest(db, config, fetcher_factory=factory))
        t_second = time.perf_counter() - t0
    finally:
        server.kill()
    new = sum(r.new for r in first)
    failed = sum(r.failed for r in first) + sum(r.failed for r in second)
    not_mod = sum(1 for r in second if r.status == "not_modified")
    print(
        f"backend: {db.dialect}  feeds: {args.feeds} × {args.items} items, latency {args.latency * 1000:.0f} ms"
    )
    print(f"first pass (all new):   {t_first:6.2f} s   new items: {new}   failed sources: {failed}")
    print(f"second pass (all 304):  {t_second:6.2f} s   not modified: {not_mod}/{args.feeds}")
    if args.json:
        import json

        figures = {
            "backend": db.dialect,
            "first_s": t_first,
            "second_s": t_second,
            "new": new,
            "failed": failed,
        }
        Path(args.json).write_text(json.dumps(figures), encoding="utf-8")

    # Parse-and-store throughput without the network: the same bodies, parsed and upserted into a fresh db.
    sys.path.insert(0, str(ROOT / "bench"))
    from feedserver import make_feed

    db2 = Database(f"sqlite:///{tmp}/parse.db")
    db2.migrate()
    bodies = [make_feed(i, args.items) for i in range(args.feeds)]
    t0 = time.perf_counter()
    parsed = [
        parse_items(
            "rss", b, {"content-type": "application/rss+xml"}, f"http://outlet{i}.bench.test/", 200, 2048
        )
        for i, b in enumerate(bodies)
    ]
    t_parse = time.perf_counter() - t0
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    with db2.write() as s:
        ids = store_sources.sync_sources(s, config.sources, now)
    for i, items in enumerate(parsed):
        with db2.write() as s:
            store_articles.upsert_items(s, ids[f"f{i}"], to_new_items(f"f{i}", items), now, extract=False)
    t_store = time.perf_counter() - t0
    n = sum(len(p) for p in parsed)
    print(f"parse (1 process):      {n / t_parse:8.0f} items/s   ({t_parse:.2f} s for {n} items)")
    print(f"store (SQLite, 1 txn/feed): {n / t_store:8.0f} items/s   ({t_store:.2f} s)")
    print(f"parse + store:          {n / (t_parse + t_store):8.0f} items/s")
    own, kids = peak_mb()
    print(f"peak memory: {own:.0f} MB (this process), {kids:.0f} MB (largest child: parse worker or server)")
    db.dispose()
    db2.dispose()


if __name__ == "__main__":
    main()
