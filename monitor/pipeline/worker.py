"""`monitor worker`: one of N processes sharing one PostgreSQL database's work through claims.

Each round is an ordinary pass (ingest → pages → analyse → queue) whose stages claim at most `batch`
items at a time (`store/claims.py`), so workers split the work between them and never do an item twice.
A worker killed mid-batch leaves claims that expire after `ttl`; another worker then takes the items.
The scheduler (`monitor run`, one per database through its lease) stays the single owner of timed jobs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from monitor.config import Config
from monitor.pipeline import PassReport, run_pass
from monitor.pipeline.analyse import Analysers
from monitor.store import sources as store_sources
from monitor.store.claims import Claim
from monitor.store.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerOptions:
    """How a worker claims and waits (the CLI's options)."""

    holder: str
    ttl: timedelta = timedelta(minutes=10)  # a claim outlives the slowest batch by far
    batch: int = 200  # sources, pages or articles claimed at a time
    idle: float = 5.0  # seconds to wait when there was nothing to do
    once: bool = False  # stop as soon as nothing is left to claim
    processes: int = 1  # analysis processes of this worker (N workers already use the cores)


@dataclass
class WorkerReport:
    """What a worker did in its life."""

    rounds: int = 0
    sources: int = 0
    pages: int = 0
    analysed: int = 0
    cases_opened: int = 0

    def add(self, r: PassReport) -> bool:
        """Fold in one pass; True if it did anything."""
        pages = (r.pages.extracted + r.pages.failed + r.pages.merged) if r.pages else 0
        analysed = r.analysis.analysed if r.analysis else 0
        self.rounds += 1
        self.sources += len(r.sources)
        self.pages += pages
        self.analysed += analysed
        self.cases_opened += r.analysis.cases_opened if r.analysis else 0
        return bool(r.sources or pages or analysed)


def run_worker(
    db: Database,
    config: Config,
    opts: WorkerOptions,
    analysers: Callable[[], Analysers] | None,
    stop: threading.Event,
) -> WorkerReport:
    """Claim and do work until `stop` is set (or, with `once`, until nothing is left to claim)."""
    with db.write() as session:  # sources.toml → database once; passes then only claim
        store_sources.sync_sources(session, config.sources, datetime.now(UTC))
    claim = Claim(opts.holder, opts.ttl)
    report = WorkerReport()
    log.info("worker started holder=%s batch=%d", opts.holder, opts.batch)
    while not stop.is_set():
        did = report.add(
            run_pass(
                db,
                config,
                only_due=True,
                analysers=analysers,
                stop=stop.is_set,
                claim=claim,
                claim_limit=opts.batch,
                analysis_processes=opts.processes,
                sync=False,
            )
        )
        if not did:
            if opts.once:
                break
            stop.wait(opts.idle)
    log.info("worker stopped holder=%s sources=%d analysed=%d", opts.holder, report.sources, report.analysed)
    return report
