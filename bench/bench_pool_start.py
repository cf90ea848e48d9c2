"""Analysis pool start: time from `Analysers.pool(config, 2)` until both processes answer a no-op task.

    python bench/bench_pool_start.py [--workers 2] [--repeat 3]

Each analysis process is spawned (the parent holds Rust threads: fork is unsafe), so its start is the
interpreter, the imports of the worker module and `Analysers.load` (matcher + models). This script keeps
its own top-level imports to the standard library: a spawned process re-runs the parent's main script, and
the figure should be the worker's own cost. Prints the seconds for each repeat and the best.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def ready_seconds(workers: int) -> float:
    """Seconds from creating the pool until `workers` distinct processes have run a no-op task."""
    from monitor.config import load_config
    from monitor.pipeline.analyse import Analysers

    config = load_config(ROOT / "sources.toml")
    analysers = Analysers(matcher=None, analyzer=None)  # type: ignore[arg-type]  # the pool needs neither
    t0 = time.perf_counter()
    pool = analysers.pool(config, workers)
    pids: set[int] = set()
    while len(pids) < workers:  # a process runs tasks only after its initializer: n pids = n ready
        pids.update(f.result() for f in [pool.submit(os.getpid) for _ in range(workers)])
    elapsed = time.perf_counter() - t0
    analysers.close()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    times = [ready_seconds(args.workers) for _ in range(args.repeat)]
    print(
        f"pool of {args.workers} ready: "
        + ", ".join(f"{t:.2f}" for t in times)
        + f" s (best {min(times):.2f} s)"
    )


if __name__ == "__main__":
    main()
