"""Analyse stage: match → classify → flag → store, then the queue stage (stories and cases).

Mention matching runs first and is cheap; the analyser spends its heavy work where it matters.
The document analysed is `title + "\\n\\n" + text`; mention offsets point into that string.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from monitor.config import Config
from monitor.pipeline.analysis_worker import Analysed, analyse_and_sign, work
from monitor.pipeline.analysis_worker import Analysers as Analysers
from monitor.pipeline.analysis_worker import analyse_batch as analyse_batch
from monitor.pipeline.analysis_worker import document as document
from monitor.pipeline.queue import QueueReport
from monitor.store import analyses as store_analyses
from monitor.store.claims import Claim, release_articles
from monitor.store.db import Database

log = logging.getLogger(__name__)

BATCH = 500
LEFTOVER_WINDOW = timedelta(days=7)  # how far back an interrupted pass's unqueued articles are looked for


@dataclass
class AnalyseReport:
    """Counts of one analysis pass."""

    analysed: int = 0
    mentioned: int = 0
    flagged: int = 0
    skipped: int = 0
    queue: QueueReport = field(default_factory=QueueReport)  # stories and cases from these articles

    @property
    def cases_opened(self) -> int:
        """Cases the queue stage opened for these articles."""
        return self.queue.cases_opened


def analyse_pending(
    db: Database,
    config: Config,
    analysers: Analysers,
    *,
    reanalyse: bool = False,
    limit: int | None = None,
    workers: int | None = None,
    on_batch: Callable[[int], object] | None = None,
    stop: Callable[[], bool] | None = None,
    claim: Claim | None = None,
    batch_size: int = BATCH,
) -> AnalyseReport:
    """Analyse every article waiting for it (or, with reanalyse, analysed by another model version).

    With more than one batch of work, batches are analysed in `workers` processes (default: one per
    core) while this process reads the next batches and stores the finished ones: the NLP holds the
    GIL, so threads would not help. With a `claim` (several `monitor worker`s on one database), each
    batch is claimed first, so no two workers analyse the same article.
    """
    from monitor.pipeline.queue import run_queue_stage

    report = AnalyseReport()
    _requeue_leftovers(db, config, report, claim)
    stale = analysers.analyzer.version if reanalyse else None
    after = 0

    def next_batch() -> list[store_analyses.PendingArticle]:
        nonlocal after
        left = None if limit is None else limit - report.analysed - sum(len(b) for b, _ in inflight)
        if left is not None and left <= 0:
            return []
        size = batch_size if left is None else min(batch_size, left)
        if claim is not None:
            with db.write() as session:
                return store_analyses.claim_analysis(session, claim, datetime.now(UTC), size)
        with db.read() as session:
            batch = store_analyses.pending_analysis(
                session,
                limit=size,
                after_id=after,
                stale_version=stale,
            )
        if batch:
            after = batch[-1].id
        return batch

    inflight: deque[tuple[list[store_analyses.PendingArticle], Future[Analysed]]] = deque()
    first = next_batch()
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    big = len(first) == batch_size and n_workers > 1
    pool = analysers.pool(config, n_workers) if big else None
    pending = [first] if first else []
    try:
        while pending or inflight:
            if stop is not None and stop():  # batches not stored yet stay pending for the next pass
                break
            for batch in pending:
                inflight.append((batch, _submit(pool, analysers, config, batch)))
            pending = []
            while pool is not None and len(inflight) < 2 * n_workers and (more := next_batch()):
                inflight.append((more, pool.submit(work, more)))
            batch, future = inflight.popleft()
            records, signatures, event_texts = future.result()
            now = datetime.now(UTC)
            with db.write() as session:
                store_analyses.save_analyses(session, records, now)
            # Stories and cases concern the watched targets: only relevant articles are clustered, so
            # the stage costs what matters (store.analyses.relevant_to_queue says which).
            with db.read() as session:
                relevant = store_analyses.for_queue(session, [r.article_id for r in records])
            queue = run_queue_stage(
                db, relevant, config.queue, now, signatures=signatures, event_texts=event_texts
            )
            report.analysed += len(records)
            report.mentioned += sum(1 for r in records if r.mentions)
            report.flagged += sum(1 for r in records if r.flagged)
            report.skipped += sum(1 for r in records if r.skipped)
            report.queue.add(queue)
            log.info("analysed batch size=%d last_article_id=%d", len(records), batch[-1].id)
            if on_batch:
                on_batch(len(records))
            if pool is None and not inflight and (more := next_batch()):
                pending = [more]
    except BrokenProcessPool:
        analysers.close(wait=False)  # an analysis process died (killed): the next pass starts fresh ones
        raise
    finally:
        for _batch, future in inflight:  # stopping: batches not stored yet stay pending for the next pass
            future.cancel()
        if claim is not None:  # stopping: batches claimed but not stored go back at once
            with db.write() as session:
                undone = [a.id for b in pending for a in b] + [a.id for b, _ in inflight for a in b]
                release_articles(session, undone, claim.holder)
    return report


def _requeue_leftovers(db: Database, config: Config, report: AnalyseReport, claim: Claim | None) -> None:
    """Queue relevant articles a crashed pass analysed but never placed in a story.

    Beside other workers, only articles analysed more than a claim's length ago: a fresher one may be
    in another worker's queue stage right now.
    """
    from monitor.pipeline.queue import run_queue_stage

    now = datetime.now(UTC)
    with db.read() as session:
        ids = store_analyses.unqueued_relevant(
            session, now - LEFTOVER_WINDOW, before=None if claim is None else now - claim.ttl
        )
    if ids:
        log.warning("queueing leftovers of an interrupted pass count=%d", len(ids))
        queue = run_queue_stage(db, ids, config.queue, now)
        report.queue.add(queue)


def _submit(
    pool: ProcessPoolExecutor | None,
    analysers: Analysers,
    config: Config,
    batch: list[store_analyses.PendingArticle],
) -> Future[Analysed]:
    """Run a batch in the pool, or right here (small passes) wrapped in a finished future."""
    if pool is not None:
        return pool.submit(work, batch)
    done: Future[Analysed] = Future()
    done.set_result(analyse_and_sign(analysers, config, batch))
    return done
