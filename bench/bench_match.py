"""Matcher throughput on ~350-word news articles (one core).

    python bench/bench_match.py [--n 2000]

Texts: VNTC test-sample articles from ../shared (≤ 2,000 chars each, glued in pairs to ~350 words), about 5 %
of them with a Kon Tum sentence spliced in, so both the fast path and the candidate path are timed.
Without ../shared, synthetic text built from the dev set is used.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.nlp.match import build_matcher  # noqa: E402
from monitor.nlp.targets import default_targets  # noqa: E402

VNTC = ROOT.parent / "shared" / "data" / "vntc" / "vntc_test_sample.jsonl.gz"
DEV = ROOT / "tests" / "data" / "mentions_dev.jsonl"


def articles(n: int, rng: random.Random) -> list[str]:
    """n texts of ~350 words; 5 % carry a Kon Tum sentence from the dev set."""
    dev = [json.loads(line)["text"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    if VNTC.exists():
        with gzip.open(VNTC, "rt", encoding="utf-8") as f:
            pool = [json.loads(line)["text"] for line in f]
    else:
        pool = [" ".join(rng.choices(dev, k=20))]
    out = []
    while len(out) < n:
        words = []
        while len(words) < 350:
            words += rng.choice(pool).split()
        text = " ".join(words[:350])
        if rng.random() < 0.05:
            cut = text.find(". ", len(text) // 2) + 2 or len(text)
            text = text[:cut] + rng.choice(dev) + " " + text[cut:]
        out.append(text)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    args = ap.parse_args()
    rng = random.Random(20250701)
    texts = articles(args.n, rng)
    t0 = time.perf_counter()
    matcher = build_matcher(default_targets())
    t1 = time.perf_counter()
    for t in texts[:50]:  # warm caches (translation tables, regex)
        matcher.find(t)
    t2, c2 = time.perf_counter(), time.process_time()
    hits = sum(1 for t in texts if matcher.find(t))
    t3, c3 = time.perf_counter(), time.process_time()
    words = sum(len(t.split()) for t in texts) / len(texts)
    print(f"build_matcher: {1000 * (t1 - t0):.0f} ms")
    print(
        f"find(): {len(texts)} articles, {words:.0f} words avg, {hits} with mentions, "
        f"{len(texts) / (t3 - t2):,.0f} articles/s wall on one core ({1e6 * (t3 - t2) / len(texts):.0f} µs each), "
        f"{len(texts) / (c3 - c2):,.0f} articles/s of CPU time (wall suffers when the 2 cores are shared)"
    )


if __name__ == "__main__":
    main()
