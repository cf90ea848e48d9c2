"""Queue stage throughput: relevant articles/s placed in stories and queued, one analysis batch at a time.

    python bench/bench_queue_stage.py [--n 2000] [--batch 500] [--db URL] [--json FILE]

N real Vietnamese texts (VNTC from ../shared, else the committed pair set), half of them copies of the
other half (another outlet, a "Kon Tum:" title prefix, a wire credit), every one mentioning the unit and
a quarter flagged, go through `run_queue_stage` in batches of `--batch` (what one analysis batch hands
it). Default: a fresh SQLite file, then a fresh PostgreSQL schema. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_dedup import texts  # noqa: E402

from monitor.config_tables import QueueSettings  # noqa: E402
from monitor.pipeline.queue import run_queue_stage  # noqa: E402
from monitor.queue.dedup import signature  # noqa: E402
from monitor.queue.events import event_text  # noqa: E402
from monitor.store.db import Database  # noqa: E402
from monitor.store.stories import load_stage_articles  # noqa: E402
from monitor.store.tables import AnalysisRow, ArticleRow, MentionRow, SourceRow  # noqa: E402

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def seed(db: Database, n: int) -> list[int]:
    """n analysed articles that mention the unit (half copies of the other half); their ids."""
    now = datetime.now(UTC)
    originals = texts(n // 2, 0)
    docs = originals + [(f"Kon Tum: {t}", f"(TTXVN) {x}") for t, x in originals]
    with db.write() as s:
        s.execute(
            SourceRow.__table__.insert(),
            [
                dict(
                    key=f"s{i}", name=f"Báo {i}", url="https://s.vn/rss", kind="rss", weight=1.0, enabled=True
                )
                | dict(consecutive_failures=0, failure_score=0.0, created_at=now)
                for i in range(1, 61)
            ],
        )
        arts = [
            dict(
                id=i + 1,
                source_id=1 + i % 60,
                item_key=f"k{i}",
                url=f"https://a.vn/{i}",
                canonical_url=f"https://a.vn/{i}",
                content_hash=str(i),
                title=t,
                summary="",
                text=x,
                published_at=now - timedelta(minutes=n - i),
                fetched_at=now - timedelta(minutes=n - i),
                updated_at=now,
                extract_status="ok",
                extract_attempts=1,
                analysed_at=now,
            )
            for i, (t, x) in enumerate(docs)
        ]
        s.execute(ArticleRow.__table__.insert(), arts)
        s.execute(
            AnalysisRow.__table__.insert(),
            [
                dict(
                    article_id=a["id"],
                    language="vi",
                    topic="khac",
                    topic_score=0.5,
                    tone="tieu_cuc",
                    tone_score=0.6,
                    flagged=a["id"] % 4 == 0,
                    flag_reasons=["bench"],
                    model_version="bench",
                    analysed_at=now,
                )
                for a in arts
            ],
        )
        s.execute(
            MentionRow.__table__.insert(),
            [
                dict(article_id=a["id"], target="ca_kon_tum", kind="unit", alias="Công an tỉnh Kon Tum")
                | dict(level="exact", start=0, end=20, snippet="«Công an tỉnh Kon Tum»")
                for a in arts
            ],
        )
    return [a["id"] for a in arts]


def measure(url: str, n: int, batch: int) -> dict[str, float | str]:
    """Seed a fresh database at `url` and time the stage over it, batch by batch."""
    db = Database(url)
    try:
        db.migrate()
        ids = seed(db, n)
        settings = QueueSettings()
        now = datetime.now(UTC)
        run_queue_stage(db, ids[:1], settings, now)  # imports and first connection outside the timing
        with db.read() as s:
            arts = load_stage_articles(s, ids)
        t0, c0 = time.perf_counter(), time.process_time()
        # what the analysis processes hand the stage in the pipeline (timed apart: it runs there)
        sigs = {a.id: signature(a.title, a.text, settings) for a in arts}
        texts = {a.id: event_text(a.title, a.text) for a in arts if a.targets}
        t_sig = time.perf_counter() - t0
        stories = cases = 0
        for i in range(1, len(ids), batch):
            r = run_queue_stage(db, ids[i : i + batch], settings, now, signatures=sigs, event_texts=texts)
            stories, cases = stories + r.stories_created, cases + r.cases_opened
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        n = len(ids) - 1
        return {
            "backend": db.dialect,
            "articles": n,
            "rate": n / wall,
            "rate_presigned": n / (wall - t_sig),
            "cpu_rate": n / cpu,
            "stories": stories,
            "cases": cases,
        }
    finally:
        db.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--db", action="append", help="database URL (repeatable; default: SQLite and PostgreSQL)")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    results = []
    urls = args.db or [f"sqlite:///{tempfile.mkdtemp()}/stage.db", "pg"]
    for url in urls:
        schema = None
        if url == "pg":
            schema = f"bench_q_{uuid.uuid4().hex[:8]}"
            admin = Database(PG)
            with admin.engine.begin() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            url = f"{PG}?options=-csearch_path%3D{schema}"
        try:
            r = measure(url, args.n, args.batch)
        finally:
            if schema:
                with admin.engine.begin() as conn:
                    conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                admin.dispose()
        results.append(r)
        print(
            f"{r['backend']:10s} queue stage: {r['rate']:7.0f} relevant articles/s with signing, "
            f"{r['rate_presigned']:7.0f}/s signed by the analysis processes (as in the pipeline); "
            f"{r['stories']} stories, {r['cases']} cases, batches of {args.batch}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
