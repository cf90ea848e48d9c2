"""End-to-end analysis throughput: normalise → match → analyse → store, vs the naive way.

    python bench/bench_analysis.py [--n 10000] [--db URL]

Input: N news articles (~350 words) built from VNTC (../shared/data/vntc, MIT), of which ~5 % get a
Kon Tum sentence spliced in so they mention the targets. Both ways read from and write to a database:
- pipeline: `analyse_pending` (batched reads, cheap matcher first, batch classification, reasons only
  for mentioned articles, bulk writes) plus the queue stage for what it touches;
- naive: for each article, underthesea `word_tokenize` + classify topic and tone, one INSERT per row.
The pipeline runs twice on n new articles each: the first pass starts the analysis processes (what a
one-off `monitor fetch` pays), the next finds them running (the daemon's and a worker's every later pass).
The naive way runs on a sample (it is slow) and is scaled to articles/s. Prints all and the ratios.

The package is imported inside the functions, as the `monitor` command's script does (monitor/__main__.py):
a spawned analysis process re-runs its parent's main script, so the first pass's process start is what a
`monitor fetch` pays, not also this script's imports.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor.pipeline.analyse import Analysers
    from monitor.store.db import Database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data" / "vntc" / "vntc_train.jsonl.gz"

KON_TUM = [
    "Công an tỉnh Kon Tum cho biết đang xác minh phản ánh của người dân về vụ việc.",
    "Tại huyện Đăk Hà, tỉnh Kon Tum, người dân bức xúc vì phải chờ làm căn cước cả ngày.",
    "Phòng CSGT Công an tỉnh Kon Tum đã xử lý nhiều trường hợp vi phạm nồng độ cồn.",
]


def load_articles(n: int, seed: int = 7) -> list[tuple[str, str]]:
    """n (title, text) pairs of ~350 words: VNTC texts joined to length; 5 % mention Kon Tum."""
    rng = random.Random(seed)
    texts = []
    with gzip.open(SHARED, "rt", encoding="utf-8") as f:
        for line in f:
            texts.append(json.loads(line)["text"])
            if len(texts) >= n * 2:
                break
    out = []
    for i in range(n):
        title, _, body = texts[i].partition("\n")
        words = body.split()
        j = i
        while len(words) < 350:
            j = (j + 1) % len(texts)
            words += texts[j].split()
        body = " ".join(words[:350])
        if rng.random() < 0.05:
            body = rng.choice(KON_TUM) + " " + body
        out.append((title[:200], body))
    return out


def seed_db(db: Database, docs: list[tuple[str, str]], first: int = 0) -> None:
    """Store `docs` as fetched, unanalysed articles (keys from `first` on, so a second call adds more)."""
    from monitor.store.tables import ArticleRow, SourceRow

    now = datetime.now(UTC)
    with db.write() as s:
        src = s.query(SourceRow).filter_by(key="bench").one_or_none()
        if src is None:
            src = SourceRow(
                key="bench", name="bench", url="https://bench.test/rss", kind="rss", created_at=now
            )
            s.add(src)
            s.flush()
        s.execute(
            ArticleRow.__table__.insert(),
            [
                dict(
                    source_id=src.id,
                    item_key=f"k{i}",
                    url=f"https://bench.test/{i}",
                    canonical_url=f"https://bench.test/{i}",
                    content_hash=str(i),
                    title=t,
                    summary="",
                    text=b,
                    fetched_at=now,
                    updated_at=now,
                    extract_status="ok",
                    extract_attempts=1,
                )
                for i, (t, b) in enumerate(docs, start=first)
            ],
        )


def naive(db: Database, docs: list[tuple[str, str]], analysers: Analysers) -> float:
    """underthesea word_tokenize + classify per article, one INSERT per row; returns articles/s."""
    from sqlalchemy import text as sql
    from underthesea import word_tokenize

    topic = analysers.analyzer.topic_model
    tone = analysers.analyzer.tone_model
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS naive (id INTEGER PRIMARY KEY, topic TEXT, tone TEXT)"
        )
    t0 = time.perf_counter()
    for i, (title, body) in enumerate(docs):
        tokens = word_tokenize(f"{title}. {body}", format="text")
        t = topic.predict_many([tokens])[0]
        o = tone.predict_many([tokens])[0]
        with db.engine.begin() as conn:
            conn.execute(
                sql("INSERT INTO naive (id, topic, tone) VALUES (:i, :t, :o)"),
                {"i": i, "t": str(t[0]), "o": str(o[0])},
            )
    return len(docs) / (time.perf_counter() - t0)


def main() -> None:
    from monitor.config import load_config
    from monitor.pipeline.analyse import Analysers, analyse_pending
    from monitor.store.db import Database

    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--naive-sample", type=int, default=300)
    ap.add_argument("--db", default=None)
    ap.add_argument("--json", default=None, help="also write the figures to this file")
    args = ap.parse_args()
    if not SHARED.exists():
        print(f"skipped: {SHARED} not found")
        return
    # Two sets of n articles: the first pass starts the analysis processes (a one-off `monitor fetch`);
    # the second runs with them already started (every later pass of the daemon or a worker).
    docs = load_articles(2 * args.n)
    cold_docs, warm_docs = docs[: args.n], docs[args.n :]
    tmp = tempfile.mkdtemp()
    db = Database(args.db or f"sqlite:///{tmp}/bench.db")
    db.migrate()
    seed_db(db, cold_docs)
    config = load_config(ROOT / "sources.toml")
    t0 = time.perf_counter()
    analysers = Analysers.load(config)
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = analyse_pending(db, config, analysers)
    t_pipe = time.perf_counter() - t0
    rate = report.analysed / t_pipe
    seed_db(db, warm_docs, first=args.n)
    t0 = time.perf_counter()
    warm = analyse_pending(db, config, analysers)
    t_warm = time.perf_counter() - t0
    rate_warm = warm.analysed / t_warm
    analysers.close()
    print(
        f"backend: {db.dialect}; articles: {report.analysed}; mentioned: {report.mentioned}; "
        f"flagged: {report.flagged}; cases opened: {report.cases_opened}; models+matcher load: {t_load:.1f} s"
    )
    print(f"pipeline (match → analyse → store → queue), first pass: {rate:8.0f} articles/s  ({t_pipe:.1f} s)")
    print(
        f"pipeline, next pass (analysis processes running): {rate_warm:8.0f} articles/s  ({t_warm:.1f} s, "
        f"{warm.analysed} articles, {warm.mentioned} mentioned)"
    )
    naive_rate = naive(db, docs[: args.naive_sample], analysers)
    print(
        f"naive (word_tokenize + classify, 1 insert/row, {args.naive_sample} articles): {naive_rate:8.0f} articles/s"
    )
    print(f"ratio: {rate / naive_rate:.1f}× (first pass), {rate_warm / naive_rate:.1f}× (next pass)")
    if args.json:
        figures = {
            "rate": rate,
            "rate_warm": rate_warm,
            "naive": naive_rate,
            "ratio": rate / naive_rate,
            "ratio_warm": rate_warm / naive_rate,
            "analysed": report.analysed,
        }
        Path(args.json).write_text(json.dumps(figures), encoding="utf-8")
    db.dispose()


if __name__ == "__main__":
    main()
