"""Cost vs archive size on PostgreSQL: story assignment, the queue's first page, and search.

    python bench/bench_archive.py [--sizes 10000,100000,1000000] [--runs 50] [--json FILE]

For each size, a fresh schema (real migrations, so the real indexes) is filled with bulk SQL: N articles
over a year with a mention each, N/3 stories, N/10 cases with events (bench_queue.py's data), and every
article's MinHash and LSH band rows (bench_dedup.py's; the band indexes are built after loading).
Then, at that size:
- dedup: `run_queue_stage` on 300 new real texts (half copies of the other half), relevant articles/s;
- queue page: p95 ms of the first page of open cases (`queue_page`);
- search: p95 ms of `search_articles` for a word in every title (ranked, first page).
Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_dedup import PG_URL, measure  # noqa: E402
from bench_queue import ANALYZE_SCHEMA, build, timed  # noqa: E402

from monitor.config_tables import QueueSettings  # noqa: E402
from monitor.queue.dedup import _bands_rows  # noqa: E402
from monitor.store.cases import queue_page  # noqa: E402
from monitor.store.db import Database  # noqa: E402
from monitor.store.search import SearchFilters, search_articles  # noqa: E402


def add_signatures(db: Database, articles: int, bands: int) -> float:
    """Every article's MinHash and band rows (band indexes dropped while loading); seconds."""
    t0 = time.perf_counter()
    steps = [
        "ALTER TABLE story_bands DROP CONSTRAINT pk_story_bands",
        "DROP INDEX ix_story_bands_key_seen",
        f"""INSERT INTO article_signatures (article_id, seen_at, shingles, minhash)
            SELECT id, published_at, 200, decode(repeat(md5(id::text), 32), 'hex')
            FROM articles WHERE id <= {articles}""",
        f"""INSERT INTO story_bands (article_id, band, band_key, seen_at)
            SELECT a.id, b, ('x' || substr(md5(a.id || '-' || b), 1, 16))::bit(64)::bigint, a.published_at
            FROM articles a CROSS JOIN generate_series(0, {bands - 1}) b WHERE a.id <= {articles}""",
        "ALTER TABLE story_bands ADD CONSTRAINT pk_story_bands PRIMARY KEY (article_id, band)",
        "CREATE INDEX ix_story_bands_key_seen ON story_bands (band_key, seen_at, article_id)",
        # ids the stage takes for new stories and cases come after the generated ones
        "SELECT setval(pg_get_serial_sequence('stories', 'id'), 100000000)",
        "SELECT setval(pg_get_serial_sequence('cases', 'id'), 100000000)",
        ANALYZE_SCHEMA,
    ]
    for sql in steps:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
            conn.exec_driver_sql(sql.replace("%", "%%"))
    return time.perf_counter() - t0


def one_size(size: int, runs: int, bands: int, settings: QueueSettings) -> dict[str, float]:
    """Build an archive of `size` articles in a fresh schema and measure the three costs."""
    schema = f"bench_a_{uuid.uuid4().hex[:8]}"
    admin = Database(PG_URL)
    with admin.engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    db = Database(f"{PG_URL}?options=-csearch_path%3D{schema}")
    try:
        db.migrate()
        t0 = time.perf_counter()
        build(db, size, max(size // 10, 1))
        add_signatures(db, size, bands)
        built = time.perf_counter() - t0
        page = timed(db, queue_page, runs)
        search = timed(db, lambda s: search_articles(s, "Kon Tum", SearchFilters()), runs)
        dedup = measure(db, 50_000_000, 300, 0, settings)
        return {
            "articles": size,
            "build_s": round(built, 1),
            "dedup_per_s": dedup["articles_per_s"],
            "queue_page_p95_ms": page["p95_ms"],
            "search_p95_ms": search["p95_ms"],
        }
    finally:
        db.dispose()
        with admin.engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    settings = QueueSettings()
    bands = _bands_rows(settings.lsh_threshold, settings.num_perm)[0]
    # bench/run stops an overlong run with SIGTERM: leave through the `finally`s (the schema is dropped)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    rows = []
    for size in (int(x) for x in args.sizes.split(",")):
        row = one_size(size, args.runs, bands, settings)
        rows.append(row)
        if args.json:  # after each size: a cut-off run still reports the sizes it finished
            Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
        print(
            f"{size:>9,} articles: dedup {row['dedup_per_s']:6.0f} articles/s, queue page p95 "
            f"{row['queue_page_p95_ms']:6.1f} ms, search p95 {row['search_p95_ms']:6.1f} ms (built in {row['build_s']} s)",
            flush=True,
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
