"""Web app under load on PostgreSQL: 100,000 cases and 1,000,000 articles, 20 users for 60 s.

    python bench/bench_web.py                               # full size (building takes several minutes)
    python bench/bench_web.py --articles 100000 --cases 10000 --seconds 20

1. Builds the data in a schema of its own (bench_queue.build: migrated with Alembic, so the real indexes;
   the search indexes are dropped during the bulk load and rebuilt after it, timed).
2. Compares the search index choices on the same articles (GIN full-text on the folded document, which
   the app uses, against a pg_trgm GIN index on the same folded document): build time, size, query times.
3. Starts `monitor web` (gunicorn, --workers N) as its own process, and from this process drives N users
   (threads, one session each) that log in and then, for --seconds, open the queue (random filters and
   pages), a case page, a search and the dashboard (when the app has one), round-robin.
4. Prints p50/p95 of the server's own time per page (the `Server-Timing: app;dur=…` header) and of the
   time seen by the client, the request counts and the errors; drops the schema.
Not a timed test: the figures depend on the machine (the README says which one produced them).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_queue import PG_URL, build

from monitor.accounts.passwords import hash_password
from monitor.store.db import Database

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Bench-mật-khẩu-2026"
# The folded document the app searches (stored by the store: articles.search_doc, migration 0009).
ARTICLE_DOC = "search_doc"
QUERIES = (
    "lua dao chiem doat dak ha",
    "Lừa đảo chiếm đoạt tài sản",
    "cong an kon tum",
    "bai so 4242",
    "đắk hà",
    "khong co tu nay",
)
QUEUE_FILTERS = (
    {},
    {"status": "new"},
    {"priority": "critical"},
    {"status": "in_review", "priority": "high"},
    {"tone": "tieu_cuc", "topic": "dich_vu_cong"},
    {"page": "20"},
    {"page": "900"},
    {"mine": "1"},
)


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50/p95/max in ms."""
    if not samples:
        return {}
    s = sorted(samples)
    return {
        "n": len(s),
        "p50_ms": round(statistics.median(s), 1),
        "p95_ms": round(s[max(0, int(0.95 * len(s)) - 1)], 1),
        "max_ms": round(s[-1], 1),
    }


def prepare(db: Database, articles: int, cases: int) -> dict[str, object]:
    """Bulk data with a little variety for search (indexes built after it, timed), passwords and roles."""
    variety = (
        "UPDATE articles SET title = 'Lừa đảo chiếm đoạt tài sản ở Đắk Hà, Kon Tum: vụ ' || id, "
        "search_doc = monitor_fold('Lừa đảo chiếm đoạt tài sản ở Đắk Hà, Kon Tum: vụ ' || id || ' ' || text) "
        "WHERE id % 1000 = 0",
        "UPDATE stories SET title = 'Lừa đảo chiếm đoạt tài sản ở Đắk Hà: câu chuyện ' || id WHERE id % 100 = 0",
        "UPDATE users SET role = 'leader' WHERE id BETWEEN 17 AND 19",
        "UPDATE users SET role = 'admin' WHERE id = 20",
    )
    took: dict[str, object] = dict(build(db, articles, cases, variety))
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE users SET password_hash = %(h)s", {"h": hash_password(PASSWORD)})
        took["ix_articles_search_mb"] = round(
            conn.exec_driver_sql("SELECT pg_relation_size('ix_articles_search')").scalar() / 2**20, 1
        )
    return took


def compare_search(db: Database, runs: int) -> dict[str, object]:
    """The app's full-text GIN against a trigram GIN on the same folded document (build, size, queries)."""
    from monitor.store.search import SearchFilters, search_articles

    out: dict[str, object] = {}
    fts = {}
    for q in QUERIES:
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            with db.read() as s:
                search_articles(s, q, SearchFilters(), limit=30)
            samples.append((time.perf_counter() - t0) * 1000)
        fts[q] = percentiles(samples)
    out["fulltext_gin"] = fts
    t0 = time.perf_counter()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        conn.exec_driver_sql(f"CREATE INDEX bench_trgm ON articles USING gin ({ARTICLE_DOC} gin_trgm_ops)")
    out["trigram_build_s"] = round(time.perf_counter() - t0, 1)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE articles")
        out["trigram_mb"] = round(
            conn.exec_driver_sql("SELECT pg_relation_size('bench_trgm')").scalar() / 2**20, 1
        )
    trgm = {}
    from monitor.store.search_fold import search_words

    for q in QUERIES:
        words = search_words(q)
        where = " AND ".join(f"{ARTICLE_DOC} LIKE %(w{i})s" for i in range(len(words)))
        params = {f"w{i}": f"%{w}%" for i, w in enumerate(words)}
        sql = (
            f"SELECT id FROM articles WHERE {where} "
            "ORDER BY coalesce(published_at, fetched_at) DESC, id DESC LIMIT 31"
        )
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            with db.engine.connect() as conn:
                conn.exec_driver_sql(sql, params).all()
            samples.append((time.perf_counter() - t0) * 1000)
        trgm[q] = percentiles(samples)
    out["trigram_gin_like"] = trgm
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX bench_trgm")
    return out


class User(threading.Thread):
    """One person clicking through the app for `seconds`."""

    def __init__(self, base: str, username: str, cases: int, seconds: float, pages: list[str]) -> None:
        super().__init__(daemon=True)
        self.base, self.username, self.cases, self.seconds, self.pages = base, username, cases, seconds, pages
        self.server: dict[str, list[float]] = {p: [] for p in pages}
        self.client: dict[str, list[float]] = {p: [] for p in pages}
        self.errors: list[str] = []

    def _get(self, http: httpx.Client, page: str, url: str, params: dict[str, str] | None = None) -> None:
        t0 = time.perf_counter()
        try:
            r = http.get(url, params=params)
        except httpx.HTTPError as exc:
            self.errors.append(f"{page}: {exc!r}")
            return
        self.client[page].append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            self.errors.append(f"{page}: HTTP {r.status_code} {url}")
            return
        timing = re.search(r"app;dur=([0-9.]+)", r.headers.get("Server-Timing", ""))
        if timing:
            self.server[page].append(float(timing.group(1)))

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=30, follow_redirects=False) as http:
            token = re.search(r'name="csrf_token" value="([^"]+)"', http.get("/login").text)
            assert token
            r = http.post(
                "/login", data={"username": self.username, "password": PASSWORD, "csrf_token": token.group(1)}
            )
            if r.status_code != 302:
                self.errors.append(f"login: HTTP {r.status_code}")
                return
            deadline = time.monotonic() + self.seconds
            i = 0
            while time.monotonic() < deadline:
                page = self.pages[i % len(self.pages)]
                i += 1
                if page == "queue":
                    self._get(http, page, "/", random.choice(QUEUE_FILTERS))
                elif page == "case":
                    self._get(http, page, f"/cases/{random.randint(1, self.cases)}")
                elif page == "search":
                    self._get(http, page, "/search", {"q": random.choice(QUERIES)})
                else:
                    self._get(http, page, "/dashboard")


def load(base: str, users: int, cases: int, seconds: float) -> dict[str, object]:
    """Drive `users` concurrent users; percentiles per page and the errors."""
    pages = ["queue", "case", "search", "dashboard"]
    crowd = [User(base, f"ctv{i + 1}", cases, seconds, pages) for i in range(users)]
    t0 = time.perf_counter()
    for u in crowd:
        u.start()
    for u in crowd:
        u.join()
    elapsed = time.perf_counter() - t0
    errors = [e for u in crowd for e in u.errors]
    return {
        "users": users,
        "seconds": round(elapsed, 1),
        "requests": sum(len(v) for u in crowd for v in u.client.values()),
        "errors": len(errors),
        "error_samples": errors[:10],
        "server_ms": {p: percentiles([x for u in crowd for x in u.server[p]]) for p in pages},
        "client_ms": {p: percentiles([x for u in crowd for x in u.client[p]]) for p in pages},
    }


def serve(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    """`monitor web` on 127.0.0.1:port against the bench schema."""
    env = {**os.environ, "MONITOR_SECRET_KEY": uuid.uuid4().hex * 2, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "monitor",
            "--db",
            url,
            "--config",
            str(ROOT / "sources.toml"),
            "web",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
    )
    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("monitor web did not start")


def main() -> None:
    """Build, compare search indexes, load the web app, drop."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=1_000_000)
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--search-runs", type=int, default=20)
    ap.add_argument("--skip-trigram", action="store_true")
    ap.add_argument("--schema", default=None, help="reuse this schema if it exists (built once, kept)")
    args = ap.parse_args()
    schema = args.schema or f"bench_{uuid.uuid4().hex[:10]}"
    admin = Database(PG_URL)
    with admin.engine.begin() as conn:
        exists = conn.exec_driver_sql(
            "SELECT 1 FROM information_schema.schemata WHERE schema_name = %(s)s", {"s": schema}
        ).scalar()
        if not exists:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = f"{PG_URL}?options=-csearch_path%3D{schema},public"
    db = Database(url)
    server = None
    try:
        db.migrate()
        built = prepare(db, args.articles, args.cases) if not exists else {"reused": schema}
        search = {} if args.skip_trigram else compare_search(db, args.search_runs)
        server = serve(url, args.port, args.workers)
        result = load(f"http://127.0.0.1:{args.port}", args.users, args.cases, args.seconds)
        print(
            json.dumps(
                {
                    "articles": args.articles,
                    "cases": args.cases,
                    "workers": args.workers,
                    "build": built,
                    "search_indexes": search,
                    "load": result,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        db.dispose()
        if args.schema is None:
            with admin.engine.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


if __name__ == "__main__":
    main()
