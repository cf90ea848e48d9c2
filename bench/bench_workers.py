"""Worker scaling on PostgreSQL: the analysis + queue throughput of 1 `monitor worker` vs 2.

    python bench/bench_workers.py [--n 6000] [--workers 1 2] [--json FILE]

Each run seeds a fresh PostgreSQL schema with N VNTC-derived articles (~350 words, ~5 % mention Kon Tum:
the articles of bench_analysis.py), starts the workers as separate processes (`monitor worker --once`),
and measures articles/s from the analysis timestamps they wrote (first batch to last, so model loading
is not counted). Not a test: it asserts nothing. Needs ../shared/data (VNTC) and PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_analysis import SHARED, load_articles, seed_db  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from monitor.store.db import Database  # noqa: E402
from monitor.store.tables import AnalysisRow  # noqa: E402

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BATCH = 500


def config_file() -> Path:
    """The shipped watch targets and flag rules, and no source (the articles are already stored)."""
    text = (ROOT / "sources.toml").read_text(encoding="utf-8")
    kept = text[text.index("[[watch]]") :]
    path = Path(tempfile.mkdtemp()) / "sources.toml"
    path.write_text(kept, encoding="utf-8")
    return path


def one_run(docs: list[tuple[str, str]], workers: int, config: Path) -> dict[str, float]:
    """Seed a fresh schema, drain it with `workers` processes; articles/s and wall time."""
    schema = f"bench_w_{uuid.uuid4().hex[:8]}"
    admin = Database(PG)
    with admin.engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = f"{PG}?options=-csearch_path%3D{schema}"
    db = Database(url)
    try:
        db.migrate()
        seed_db(db, docs)
        cmd = [sys.executable, "-m", "monitor", "--config", str(config), "--db", url, "worker", "--once"]
        cmd += ["--batch", str(BATCH), "--idle", "0.5"]
        t0 = time.perf_counter()
        procs = [
            subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            for _ in range(workers)
        ]
        outs = [p.communicate()[0].strip() for p in procs]
        wall = time.perf_counter() - t0
        with db.read() as s:
            first, last, n = s.execute(
                select(func.min(AnalysisRow.analysed_at), func.max(AnalysisRow.analysed_at), func.count())
            ).one()
        span = (last - first).total_seconds()
        rate = (n - BATCH * workers) / span if span > 0 else float("nan")
        return {"workers": workers, "analysed": n, "rate": rate, "wall": wall, "outputs": outs}  # type: ignore[dict-item]
    finally:
        db.dispose()
        with admin.engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=6000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--json", default=None, help="also write the figures to this file")
    args = ap.parse_args()
    if not SHARED.exists():
        print(f"skipped: {SHARED} not found")
        return
    docs = load_articles(args.n)
    config = config_file()
    results = []
    for w in args.workers:
        r = one_run(docs, w, config)
        results.append(r)
        print(
            f"{w} worker(s): {r['rate']:7.0f} articles/s (analysis + queue, PostgreSQL)   "
            f"wall {r['wall']:.1f} s incl. start-up; analysed {r['analysed']}"
        )
    if len(results) >= 2:
        print(
            f"scaling {results[-1]['workers']} vs {results[0]['workers']}: {results[-1]['rate'] / results[0]['rate']:.2f}×"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
