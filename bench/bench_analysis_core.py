"""Throughput of Analyzer.analyse_many vs the naive way (word_tokenize + classify, one article at a time).

10,000 synthetic articles built from VNTC texts (~2,000 chars ≈ 350-450 words each); 5 % get a
sentence naming Công an tỉnh Kon Tum and are analysed with occlusion reasons (explain=True), as the
pipeline does for mentioned articles. Skips when ../shared/data is absent.

    python bench/bench_analysis_core.py [--n 10000] [--naive 300] [--procs 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data" / "vntc"
MENTION = "Công an tỉnh Kon Tum cho biết đang xác minh, làm rõ vụ việc theo phản ánh của người dân. "

_ANALYZER = None


def make_docs(n: int, share: float = 0.05, seed: int = 1) -> tuple[list[tuple[str, str]], list[bool]]:
    """n (title, body) pairs from VNTC with `share` of them mentioning the unit."""
    rows = []
    for name in ("vntc_train.jsonl.gz", "vntc_test_sample.jsonl.gz"):
        with gzip.open(SHARED / name, "rt", encoding="utf-8") as fh:
            rows += [json.loads(line)["text"] for line in fh]
    rng = random.Random(seed)
    docs, mentioned = [], []
    for _i in range(n):
        title, _, body = rows[rng.randrange(len(rows))].partition("\n")
        m = rng.random() < share
        if m:
            cut = len(body) // 2
            body = body[:cut] + " " + MENTION + body[cut:]
        docs.append((title, body))
        mentioned.append(m)
    return docs, mentioned


def _init(rayon_threads: str | None = None) -> None:
    global _ANALYZER
    if rayon_threads:
        os.environ["RAYON_NUM_THREADS"] = rayon_threads  # one Rust thread per worker: no oversubscription
    from monitor.nlp.analysis import Analyzer

    _ANALYZER = Analyzer.load()


def _work(chunk: tuple[list[tuple[str, str]], list[bool]]) -> int:
    assert _ANALYZER is not None
    docs, explain = chunk
    return len(_ANALYZER.analyse_many(docs, explain=explain))


def run_fast(docs: list[tuple[str, str]], mentioned: list[bool], procs: int, batch: int = 500) -> float:
    """Articles/s of analyse_many, over `procs` worker processes (models loaded once per process)."""
    chunks = [(docs[i : i + batch], mentioned[i : i + batch]) for i in range(0, len(docs), batch)]
    if procs <= 1:
        _init()
        t = time.perf_counter()
        for c in chunks:
            _work(c)
        return len(docs) / (time.perf_counter() - t)
    # spawn, not fork: forking after the Rust thread pool has started can deadlock the children.
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(procs, mp_context=ctx, initializer=_init, initargs=("1",)) as pool:
        list(pool.map(_work, chunks[:procs]))  # warm every worker before timing
        t = time.perf_counter()
        done = sum(pool.map(_work, chunks))
        return done / (time.perf_counter() - t)


def run_naive(docs: list[tuple[str, str]]) -> float:
    """Articles/s of underthesea word_tokenize + topic and tone classification, one article at a time."""
    from underthesea import word_tokenize

    from monitor.nlp.analysis import Analyzer

    a = Analyzer.load()
    word_tokenize("Công an tỉnh Kon Tum")  # load the tokenizer model outside the timing
    t = time.perf_counter()
    for title, body in docs:
        text = " ".join(word_tokenize(title + "\n" + body, format="text").split())
        a.topic_model.predict_many([text])
        a.tone_model.predict_many([text])
    return len(docs) / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--naive", type=int, default=300, help="articles timed for the naive way (it is slow)")
    ap.add_argument("--procs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--json", default=None, help="also write the figures to this file")
    args = ap.parse_args()
    if not SHARED.is_dir():
        print("skip: ../shared/data/vntc is absent")
        return
    docs, mentioned = make_docs(args.n)
    chars = sum(len(t) + len(b) for t, b in docs) / len(docs)
    print(f"{len(docs)} articles, mean {chars:.0f} chars, {sum(mentioned)} mention the unit (explained)")
    one = run_fast(docs, mentioned, 1)
    print(f"analyse_many, 1 process : {one:9.0f} articles/s")
    many = run_fast(docs, mentioned, args.procs) if args.procs > 1 else one
    print(f"analyse_many, {args.procs} processes: {many:9.0f} articles/s")
    naive = run_naive(docs[: args.naive])
    print(f"naive (word_tokenize + classify, one by one, 1 process): {naive:7.1f} articles/s")
    print(
        f"ratio fast({args.procs} proc) / naive(1 proc): {many / naive:.0f}x;  per core: {one / naive:.0f}x"
    )
    if args.json:
        figures = {"one": one, "many": many, "procs": args.procs, "naive": naive}
        Path(args.json).write_text(json.dumps(figures), encoding="utf-8")


if __name__ == "__main__":
    main()
