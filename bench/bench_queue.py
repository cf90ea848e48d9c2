"""Queue listing and case view latency on PostgreSQL with 100,000 cases and 1,000,000 articles.

    python bench/bench_queue.py                         # 1M articles, 100k cases (a few minutes to build)
    python bench/bench_queue.py --articles 100000 --cases 10000 --runs 100

Builds the data with generate_series in a schema of its own (migrated with Alembic, so the real indexes),
times the store functions the CLI calls, prints p50/p95 in ms, and drops the schema.

Measured 27/11/2026 (2 cores, PostgreSQL 15, 1M articles, 100k cases, 200 runs each): build 26 s;
p95 first page: open 2.2 ms, status=new 2.0, priority=critical 2.0, in_review+high 2.4, --mine 2.0,
page 20 of open 3.6; case view (case + story + 50 articles + mentions + history) p95 4.0 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from monitor.store.cases import case_events, get_case, queue_page
from monitor.store.db import Database
from monitor.store.stories import story_detail

PG_URL = os.environ.get("MONITOR_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
STATES = (
    "new",
    "in_review",
    "verified_true",
    "verified_false",
    "partly_true",
    "irrelevant",
    "response_needed",
    "response_drafted",
    "response_approved",
    "response_published",
    "closed",
)


# monitor.store.tables.url_hash in SQL (as migration 0009 computes it)
URL_HASH = "('x' || substr(md5({u}), 1, 16))::bit(64)::bigint"


# The PostgreSQL search indexes (migrations 0005 and 0009): dropped while loading, built after it. A GIN
# index filled row by row collects a pending list that the final ANALYZE then has to merge (minutes at 1M).
SEARCH_INDEXES = {
    "ix_articles_search": "CREATE INDEX ix_articles_search ON articles USING gin (to_tsvector('simple', search_doc))",
    "ix_stories_search": (
        "CREATE INDEX ix_stories_search ON stories USING gin (to_tsvector('simple', monitor_fold(title)))"
    ),
}


# ANALYZE of this schema's tables only: a bare ANALYZE visits every schema of the database (other
# benchmarks' and tests' schemas too).
ANALYZE_SCHEMA = """DO $$ DECLARE t text; BEGIN
    FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
        EXECUTE 'ANALYZE ' || quote_ident(t);
    END LOOP; END $$"""


def build(db: Database, articles: int, cases: int, variety: tuple[str, ...] = ()) -> dict[str, float]:
    """Fill the schema with bulk SQL, then the `variety` statements, then the search indexes; seconds per step."""
    stories = max(cases * 3, articles // 3)
    with db.engine.begin() as conn:
        for name in SEARCH_INDEXES:
            conn.exec_driver_sql(f"DROP INDEX {name}")
    steps = {
        "sources": """INSERT INTO sources (id, key, name, url, kind, weight, enabled, consecutive_failures,
            failure_score, created_at) SELECT i, 'src' || i, 'Báo số ' || i, 'https://s' || i || '.vn/rss', 'rss',
            1 + (i % 3) * 0.5, true, 0, 0, now() FROM generate_series(1, 60) i""",
        "users": """INSERT INTO users (id, username, name, role, active, created_at)
            SELECT i, 'ctv' || i, 'Cộng tác viên ' || i, 'collaborator', true, now() FROM generate_series(1, 20) i""",
        "articles": f"""INSERT INTO articles (id, source_id, item_key, url, canonical_url, content_hash, title,
            summary, text, published_at, fetched_at, updated_at, extract_status, extract_attempts, analysed_at,
            url_hash, canonical_hash, search_doc)
            SELECT i, 1 + i % 60, 'k' || i, 'https://x.vn/' || i, 'https://x.vn/' || i, md5(i::text),
            'Công an tỉnh Kon Tum: bài số ' || i, '', repeat('Nội dung bài viết về Kon Tum. ', 20),
            now() - (i % 31536000) * interval '1 second', now() - (i % 31536000) * interval '1 second', now(),
            'ok', 1, now(), {URL_HASH.format(u="'https://x.vn/' || i")}, {URL_HASH.format(u="'https://x.vn/' || i")},
            monitor_fold('Công an tỉnh Kon Tum: bài số ' || i || ' ' || repeat('Nội dung bài viết về Kon Tum. ', 20))
            FROM generate_series(1, {articles}) i""",
        "mentions": f"""INSERT INTO mentions (id, article_id, target, kind, alias, level, start, "end", snippet)
            SELECT i, i, 'ca_kon_tum', 'unit', 'Công an tỉnh Kon Tum', 'exact', 0, 20,
            '…theo Công an tỉnh Kon Tum, vụ việc…' FROM generate_series(1, {articles}) i""",
        "stories": f"""INSERT INTO stories (id, title, first_article_id, first_source_id, first_seen_at,
            last_seen_at, article_count, outlet_count, outlets, targets, topic, topic_reason, tone, tone_score,
            tone_reason, flagged, flag_reasons, max_outlet_weight, updated_at)
            SELECT s, 'Công an tỉnh Kon Tum: bài số ' || s, s, 1 + s % 60, now() - (s % 31536000) * interval '1 second',
            now(), 3, 3, '["Báo 1","Báo 2","Báo 3"]', '["ca_kon_tum"]', 'dich_vu_cong', 'từ khóa',
            'tieu_cuc', 0.8, 'bức xúc', s <= {cases}, '["Nhắc đến đơn vị, giọng điệu tiêu cực"]', 1.5, now()
            FROM generate_series(1, {stories}) s""",
        "story_articles": f"""INSERT INTO story_articles (article_id, story_id, similarity, joined_at)
            SELECT i, 1 + (i - 1) % {stories}, 0.8, now() FROM generate_series(1, {articles}) i""",
        "cases": f"""INSERT INTO cases (id, story_id, state, priority, priority_rank, priority_reasons,
            priority_locked, opened_at, deadline_at, updated_at, version, claimed_by, claim_expires_at)
            SELECT s, s, (ARRAY{list(STATES)})[1 + s % 11],
            CASE WHEN s % 20 = 0 THEN 'critical' WHEN s % 5 = 0 THEN 'high' ELSE 'normal' END,
            CASE WHEN s % 20 = 0 THEN 0 WHEN s % 5 = 0 THEN 1 ELSE 2 END, '[]', false,
            now() - (s % 8640000) * interval '1 second',
            now() - (s % 8640000) * interval '1 second' + interval '24 hours', now(), 3,
            CASE WHEN s % 11 = 1 THEN 1 + s % 20 END,
            CASE WHEN s % 11 = 1 THEN now() + (s % 60 - 30) * interval '1 minute' END
            FROM generate_series(1, {cases}) s""",
        "case_events": f"""INSERT INTO case_events (case_id, at, actor_id, action, from_state, to_state, version,
            note, evidence, data) SELECT 1 + (e - 1) % {cases}, now(), 1 + e % 20, 'claim', 'new', 'in_review', 2,
            'ghi chú', '[]', '{{}}' FROM generate_series(1, {cases * 3}) e""",
        **{f"variety_{i}": sql for i, sql in enumerate(variety)},
        **SEARCH_INDEXES,
        "analyze": ANALYZE_SCHEMA,
    }
    took = {}
    for name, sql in steps.items():
        t0 = time.perf_counter()
        with db.engine.begin() as conn:
            # bulk load: skip per-row foreign-key triggers (the generated ids are consistent by construction)
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
            conn.exec_driver_sql(sql.replace("%", "%%"))  # psycopg reads % as a placeholder
        took[name] = round(time.perf_counter() - t0, 1)
        print(f"built {name} in {took[name]} s", flush=True)
    return took


def timed(db: Database, fn: Callable[..., object], runs: int) -> dict[str, float]:
    """p50/p95/max in ms of `fn(session)` in a fresh read transaction."""
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        with db.read() as s:
            fn(s)
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[int(0.95 * len(samples)) - 1], 1),
        "max_ms": round(samples[-1], 1),
    }


def case_view(cases: int) -> Callable[..., object]:
    """What `monitor case ID` reads."""

    def view(s: object) -> None:
        case = get_case(s, random.randint(1, cases))  # type: ignore[arg-type]
        assert case is not None
        story_detail(s, case.story_id)  # type: ignore[arg-type]
        case_events(s, case.id)  # type: ignore[arg-type]

    return view


def main() -> None:
    """Build, measure, drop."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--articles", type=int, default=1_000_000)
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=200)
    args = ap.parse_args()
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = Database(PG_URL)
    with admin.engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    db = Database(f"{PG_URL}?options=-csearch_path%3D{schema}")
    try:
        db.migrate()
        built = build(db, args.articles, args.cases)
        now = datetime.now(UTC)
        queries = {
            "queue_open_first_page": queue_page,
            "queue_status_new": lambda s: queue_page(s, states=["new"]),
            "queue_priority_critical": lambda s: queue_page(s, priorities=["critical"]),
            "queue_in_review_high": lambda s: queue_page(s, states=["in_review"], priorities=["high"]),
            "queue_mine": lambda s: queue_page(s, user_id=3),
            "queue_open_page_20": lambda s: queue_page(s, offset=19 * 50),
            "case_view": case_view(args.cases),
        }
        results = {name: timed(db, fn, args.runs) for name, fn in queries.items()}
        print(
            json.dumps(
                {
                    "articles": args.articles,
                    "cases": args.cases,
                    "runs": args.runs,
                    "at": now.isoformat(),
                    "build_s": built,
                    "latency": results,
                },
                indent=2,
            )
        )
    finally:
        db.dispose()
        with admin.engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


if __name__ == "__main__":
    main()
