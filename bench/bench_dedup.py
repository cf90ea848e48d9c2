"""Story assignment throughput (articles/s) as the stored archive grows: 10k → 100k → 1M articles.

    python bench/bench_dedup.py                        # PostgreSQL, sizes 10k,100k,1M
    python bench/bench_dedup.py --sizes 10000,100000 --batch 300

The archive is built with generate_series in a schema of its own: articles spread over `--days` days, each
with a stored MinHash and its LSH band rows (random keys, as unrelated texts have). Then a batch of real
texts (VNTC from ../shared, or the committed pair set) — half of them copies of the other half — goes
through `run_queue_stage` at "now". Cost should not grow with the archive: candidates come from a window.

Measured 27/11/2026 (2 cores, PostgreSQL 15, 300 VNTC texts per step, 28 bands/article, 365-day archive):
10k stored → 114 articles/s, 100k → 128, 1M → 132 (flat; the 1M archive = 28M band rows took 522 s to build).
With 23,000 real VNTC texts (real signatures) crowded into the last 3 days (`--dense 23000`): 107 vs 106 /s.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_queue import ANALYZE_SCHEMA

from monitor.config_tables import QueueSettings
from monitor.pipeline.queue import run_queue_stage
from monitor.store.db import Database
from monitor.store.tables import AnalysisRow, ArticleRow

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("MONITOR_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
VNTC = ROOT.parent / "shared" / "data" / "vntc" / "vntc_train.jsonl.gz"
PAIRS = ROOT / "tests" / "data" / "story_pairs.jsonl"


def texts(n: int, offset: int) -> list[tuple[str, str]]:
    """`n` (title, text) pairs of real Vietnamese news, starting at `offset`."""
    if VNTC.exists():
        out = []
        with gzip.open(VNTC, "rt", encoding="utf-8") as f:
            for i, line in enumerate(f):
                if i < offset:
                    continue
                title, _, body = json.loads(line)["text"].partition("\n")
                out.append((title, body))
                if len(out) == n:
                    break
        return out
    pairs = [json.loads(x) for x in PAIRS.read_text("utf-8").splitlines()]
    docs = [(p["a"]["title"], p["a"]["text"]) for p in pairs]
    return [docs[(offset + i) % len(docs)] for i in range(n)]


# monitor.store.tables.url_hash in SQL (as migration 0009 computes it), of 'https://a.vn/' || i
URL_HASH = "('x' || substr(md5('https://a.vn/' || i), 1, 16))::bit(64)::bigint"


def grow(db: Database, start: int, stop: int, days: float, bands: int) -> float:
    """Add archive articles start..stop-1 (with signatures and bands); seconds."""
    t0 = time.perf_counter()
    secs = int(days * 86400)
    steps = [
        f"""INSERT INTO articles (id, source_id, item_key, url, canonical_url, content_hash, title, summary, text,
            published_at, fetched_at, updated_at, extract_status, extract_attempts, analysed_at, url_hash,
            canonical_hash)
            SELECT i, 1 + i % 60, 'k' || i, 'https://a.vn/' || i, 'https://a.vn/' || i, md5(i::text), 'Bài ' || i,
            '', 'x', now() - interval '1 hour' - (i % {secs}) * interval '1 second',
            now() - interval '1 hour' - (i % {secs}) * interval '1 second', now(), 'ok', 1, now(),
            {URL_HASH}, {URL_HASH}
            FROM generate_series({start}, {stop - 1}) i""",
        f"""INSERT INTO stories (id, title, first_article_id, first_source_id, first_seen_at, last_seen_at,
            article_count, outlet_count, outlets, targets, flagged, flag_reasons, max_outlet_weight, updated_at)
            SELECT i, 'Bài ' || i, i, 1 + i % 60, now(), now(), 1, 1, '[]', '[]', false, '[]', 1, now()
            FROM generate_series({start}, {stop - 1}) i""",
        f"""INSERT INTO story_articles (article_id, story_id, joined_at)
            SELECT i, i, now() FROM generate_series({start}, {stop - 1}) i""",
        f"""INSERT INTO article_signatures (article_id, seen_at, shingles, minhash)
            SELECT id, published_at, 200, decode(repeat(md5(id::text), 32), 'hex')
            FROM articles WHERE id BETWEEN {start} AND {stop - 1}""",
        f"""INSERT INTO story_bands (article_id, band, band_key, seen_at)
            SELECT a.id, b, ('x' || substr(md5(a.id || '-' || b), 1, 16))::bit(64)::bigint, a.published_at
            FROM articles a CROSS JOIN generate_series(0, {bands - 1}) b WHERE a.id BETWEEN {start} AND {stop - 1}""",
        ANALYZE_SCHEMA,
    ]
    for sql in steps:
        with db.engine.begin() as conn:
            # bulk load: skip per-row foreign-key triggers (the generated ids are consistent by construction)
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            conn.exec_driver_sql(sql.replace("%", "%%"))  # psycopg reads % as a placeholder
    return time.perf_counter() - t0


def densify(db: Database, n: int, first_id: int, settings: QueueSettings) -> float:
    """Put `n` real texts (with real signatures) in the last 3 days: a crowded window. Seconds."""
    from monitor.queue.dedup import signature

    t0 = time.perf_counter()
    now = datetime.now(UTC)
    docs = texts(n, 10_000)  # past the texts the measured batches use
    arts, sigs, bands, members, stories = [], [], [], [], []
    for i, (title, text) in enumerate(docs):
        aid, at = first_id + i, now - timedelta(hours=2) - timedelta(seconds=(i * 259_200) // max(n, 1))
        sig = signature(title, text, settings)
        arts.append(
            {
                "id": aid,
                "source_id": 1 + i % 60,
                "item_key": f"d{aid}",
                "canonical_url": f"https://d.vn/{aid}",
                "content_hash": f"d{aid}",
                "title": title,
                "summary": "",
                "text": text,
                "published_at": at,
                "fetched_at": at,
                "updated_at": at,
                "extract_status": "ok",
                "extract_attempts": 1,
            }
        )
        stories.append(
            {
                "id": aid,
                "title": title,
                "first_article_id": aid,
                "first_source_id": 1 + i % 60,
                "first_seen_at": at,
                "last_seen_at": at,
                "article_count": 1,
                "outlet_count": 1,
                "outlets": [],
                "targets": [],
                "flagged": False,
                "flag_reasons": [],
                "max_outlet_weight": 1.0,
                "updated_at": at,
            }
        )
        members.append({"article_id": aid, "story_id": aid, "joined_at": at})
        sigs.append({"article_id": aid, "seen_at": at, "shingles": sig.shingles, "minhash": sig.minhash})
        bands.extend(
            {"article_id": aid, "band": b, "band_key": k, "seen_at": at} for b, k in enumerate(sig.bands)
        )
    from monitor.store.queue_tables import ArticleSignatureRow, StoryArticleRow, StoryBandRow, StoryRow

    with db.engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for model, rows in (
            (ArticleRow, arts),
            (StoryRow, stories),
            (StoryArticleRow, members),
            (ArticleSignatureRow, sigs),
            (StoryBandRow, bands),
        ):
            for i in range(0, len(rows), 5000):
                conn.execute(model.__table__.insert(), rows[i : i + 5000])
        conn.exec_driver_sql(ANALYZE_SCHEMA)
    return time.perf_counter() - t0


def measure(
    db: Database, first_id: int, batch: int, offset: int, settings: QueueSettings
) -> dict[str, float]:
    """Insert `batch` new articles (half copies) and time the stage on them."""
    now = datetime.now(UTC)
    originals = texts(batch // 2, offset)
    docs = originals + [(f"Kon Tum: {t}", f"(TTXVN) {x}") for t, x in originals]
    ids = []
    with db.write() as s:
        for i, (title, text) in enumerate(docs):
            aid = first_id + i
            at = now - timedelta(minutes=batch - i)
            s.add(
                ArticleRow(
                    id=aid,
                    source_id=1 + i % 60,
                    item_key=f"n{aid}",
                    url=None,
                    canonical_url=f"https://new.vn/{aid}",
                    content_hash=f"n{aid}",
                    title=title,
                    summary="",
                    text=text,
                    published_at=at,
                    fetched_at=at,
                    updated_at=at,
                    extract_status="ok",
                    extract_attempts=1,
                    analysed_at=at,
                )
            )
            s.flush()
            s.add(
                AnalysisRow(
                    article_id=aid,
                    language="vi",
                    topic="khac",
                    topic_score=0.5,
                    tone="tieu_cuc",
                    tone_score=0.6,
                    flagged=i % 4 == 0,
                    flag_reasons=["bench"],
                    model_version="bench",
                    analysed_at=at,
                )
            )
            ids.append(aid)
    t0 = time.perf_counter()
    result = run_queue_stage(db, ids, settings, now)
    took = time.perf_counter() - t0
    return {
        "articles": len(ids),
        "seconds": round(took, 2),
        "articles_per_s": round(len(ids) / took, 1),
        "stories_created": result.stories_created,
        "cases_opened": result.cases_opened,
    }


def main() -> None:
    """Build growing archives and measure at each size."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--batch", type=int, default=300)
    ap.add_argument("--days", type=float, default=365)
    ap.add_argument(
        "--dense", type=int, default=0, help="then put this many real texts in the window and re-measure"
    )
    args = ap.parse_args()
    settings = QueueSettings()
    from monitor.queue.dedup import _bands_rows

    bands = _bands_rows(settings.lsh_threshold, settings.num_perm)[0]
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = Database(PG_URL)
    with admin.engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    db = Database(f"{PG_URL}?options=-csearch_path%3D{schema}")
    rows = []
    try:
        db.migrate()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("""INSERT INTO sources (id, key, name, url, kind, weight, enabled,
                consecutive_failures, failure_score, created_at) SELECT i, 's' || i, 'Báo ' || i, 'https://s.vn',
                'rss', 1, true, 0, 0, now() FROM generate_series(1, 60) i""")
            # archive stories take ids 1..N; stories the stage founds come from far above
            conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('stories', 'id'), 100000000)")
        stored, new_id = 0, 50_000_000
        for n, size in enumerate(int(x) for x in args.sizes.split(",")):
            built = grow(db, stored + 1, size + 1, args.days, bands)
            stored = size
            row = {
                "stored_articles": size,
                "build_s": round(built, 1),
                **measure(db, new_id, args.batch, n * args.batch, settings),
            }
            new_id += args.batch
            rows.append(row)
            print(json.dumps(row), flush=True)
        if args.dense:
            built = densify(db, args.dense, 40_000_000, settings)
            row = {
                "stored_articles": stored,
                "dense_window_real_texts": args.dense,
                "build_s": round(built, 1),
                **measure(db, new_id, args.batch, 7 * args.batch, settings),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    finally:
        db.dispose()
        with admin.engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()
    print(
        json.dumps(
            {"bands_per_article": bands, "window_days": settings.story_window_days, "runs": rows}, indent=2
        )
    )


if __name__ == "__main__":
    main()
