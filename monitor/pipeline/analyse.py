"""Analyse stage: match → classify → flag → store, then the queue stage (stories and cases).

Mention matching runs first and is cheap; the analyser spends its heavy work where it matters.
The document analysed is `title + "\\n\\n" + text`; mention offsets point into that string.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.config import Config
from monitor.nlp.analysis import Analyzer
from monitor.nlp.flags import should_flag
from monitor.nlp.match import Matcher, build_matcher
from monitor.nlp.roles import mention_sentences
from monitor.pipeline.queue import QueueReport
from monitor.store import analyses as store_analyses
from monitor.store.claims import Claim, release_articles
from monitor.store.db import Database
from monitor.store.tables import MentionRecord

if TYPE_CHECKING:
    from monitor.queue.dedup import Signature
    from monitor.queue.events import EventText

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


@dataclass
class Analysers:
    """The loaded, warmed NLP pieces (loaded once per process, never at import).

    Big passes run in analysis processes that load the same pieces once. They are started by the first
    big pass and kept until `close()`, so the daemon's and the workers' later passes start at full speed
    instead of paying every process's start (imports and models) again.
    """

    matcher: Matcher
    analyzer: Analyzer
    models_dir: Path | None = None
    _pool: tuple[ProcessPoolExecutor, int, Config] | None = field(default=None, repr=False)

    @classmethod
    def load(cls, config: Config, models_dir: Path | None = None) -> Analysers:
        """Compile the matcher from the watch targets; load the models (shipped, or retrained ones)."""
        return cls(
            matcher=build_matcher(config.watches), analyzer=Analyzer.load(models_dir), models_dir=models_dir
        )

    def pool(self, config: Config, workers: int) -> ProcessPoolExecutor:
        """The analysis processes for `config` (started on first use, then kept)."""
        if self._pool is not None:
            pool, n, for_config = self._pool
            if n == workers and for_config is config:
                return pool
            pool.shutdown(cancel_futures=True)
        pool = _start_pool(config, self.models_dir, workers)
        self._pool = (pool, workers, config)
        return pool

    def close(self, *, wait: bool = True) -> None:
        """Stop the analysis processes (the next big pass starts new ones); `wait` for them to exit."""
        if self._pool is not None:
            self._pool[0].shutdown(wait=wait, cancel_futures=True)
            self._pool = None


def document(title: str, text: str) -> str:
    """The string that is matched and analysed (mention offsets point into it)."""
    return f"{title}\n\n{text}" if text else title


def analyse_batch(
    analysers: Analysers, config: Config, batch: list[store_analyses.PendingArticle]
) -> list[store_analyses.AnalysisRecord]:
    """Pure-ish: analyse a batch of articles and decide their flags (no I/O)."""
    mentions = [analysers.matcher.find(document(a.title, a.text)) for a in batch]
    # Readable reasons cost a second look at the text: only where a target is mentioned. An article that
    # mentions a target is always analysed, whatever its language (issue 8: never dropped for being English).
    mentioned = [bool(found) for found in mentions]
    # Tone is toward the unit: the sentences around the mentions say the police's role (issue 11).
    focus = [
        mention_sentences(document(a.title, a.text), [(m.start, m.end) for m in found]) if found else ""
        for a, found in zip(batch, mentions, strict=True)
    ]
    results = analysers.analyzer.analyse_many(
        [(a.title, a.text) for a in batch], explain=mentioned, always=mentioned, focus=focus
    )
    records = []
    for art, found, res in zip(batch, mentions, results, strict=True):
        decision = should_flag(found, res, config.flags, outlet_weight=art.source_weight)
        records.append(
            store_analyses.AnalysisRecord(
                article_id=art.id,
                language=res.language,
                model_version=res.model_version,
                topic=res.topic.label if res.topic else None,
                topic_score=res.topic.score if res.topic else None,
                topic_reason=res.topic.reason if res.topic else None,
                tone=res.tone.label if res.tone else None,
                tone_score=res.tone.score if res.tone else None,
                tone_reason=res.tone.reason if res.tone else None,
                flagged=decision.flagged,
                flag_reasons=tuple(decision.reasons),
                skipped=res.skipped,
                mentions=tuple(
                    MentionRecord(
                        target=m.target,
                        kind=m.kind,
                        alias=m.alias,
                        level=m.level,
                        start=m.start,
                        end=m.end,
                        snippet=m.snippet,
                    )
                    for m in found
                ),
            )
        )
    return records


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
                inflight.append((more, pool.submit(_work, more)))
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


# -- worker processes -------------------------------------------------------------------------------
_worker: tuple[Analysers, Config] | None = None  # set in each worker process by _init_worker


def _start_pool(config: Config, models_dir: Path | None, workers: int) -> ProcessPoolExecutor:
    """Worker processes that each load the matcher and models once (spawned: no inherited threads)."""
    ctx = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_init_worker, initargs=(config, models_dir)
    )


def _init_worker(config: Config, models_dir: Path | None) -> None:
    global _worker
    # Ctrl+C reaches the whole process group: the parent decides when workers stop, not the signal.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # One Rust (rayon) thread per worker: the workers already use every core; nested pools fight.
    os.environ.setdefault("RAYON_NUM_THREADS", "1")
    _worker = (Analysers.load(config, models_dir), config)


Analysed = tuple[list[store_analyses.AnalysisRecord], dict[int, "Signature"], dict[int, "EventText"]]


def _analyse_and_sign(
    analysers: Analysers, config: Config, batch: list[store_analyses.PendingArticle]
) -> Analysed:
    """A batch's analyses, and the story signatures and event terms the queue stage will want.

    Signing (MinHash over the folded text) and event terms (queue.events, for articles that name a target)
    run here, in the analysis processes, so the process that stores batches and runs the queue stage does
    as little as possible.
    """
    from monitor.queue.dedup import signature
    from monitor.queue.events import event_text

    records = analyse_batch(analysers, config, batch)
    signatures: dict[int, Signature] = {}
    texts: dict[int, EventText] = {}
    for a, r in zip(batch, records, strict=True):
        if (r.mentions or r.flagged) and not r.skipped:
            signatures[a.id] = signature(a.title, a.text, config.queue)
            if r.mentions:
                texts[a.id] = event_text(a.title, a.text)
    return records, signatures, texts


def _work(batch: list[store_analyses.PendingArticle]) -> Analysed:
    assert _worker is not None
    return _analyse_and_sign(_worker[0], _worker[1], batch)


def _submit(
    pool: ProcessPoolExecutor | None,
    analysers: Analysers,
    config: Config,
    batch: list[store_analyses.PendingArticle],
) -> Future[Analysed]:
    """Run a batch in the pool, or right here (small passes) wrapped in a finished future."""
    if pool is not None:
        return pool.submit(_work, batch)
    done: Future[Analysed] = Future()
    done.set_result(_analyse_and_sign(analysers, config, batch))
    return done
