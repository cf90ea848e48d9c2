"""The pipeline: the one place that joins the stages.

    ingest (fetch → parse → store) → pages (fetch → extract → store) → analyse (match → classify →
    flag → store) → queue (story → case, `pipeline/queue.py`, run by analyse after each stored batch)

Each stage is a function of its own module; `run_pass` is their short composition.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor.config import Config
    from monitor.pipeline.analyse import AnalyseReport, Analysers
    from monitor.pipeline.ingest import SourceReport
    from monitor.pipeline.pages import PagesReport
    from monitor.pipeline.queue import QueueReport
    from monitor.store.claims import Claim
    from monitor.store.db import Database


@dataclass
class PassCallbacks:
    """Hooks the CLI uses to draw progress; every one optional."""

    sources_total: Callable[[int], object] | None = None
    source_done: Callable[[SourceReport], object] | None = None
    page_done: Callable[[], object] | None = None
    analysed: Callable[[int], object] | None = None
    stage: Callable[[str], object] | None = None


@dataclass
class PassReport:
    """What one full pass did."""

    sources: list[SourceReport] = field(default_factory=list)
    pages: PagesReport | None = None
    analysis: AnalyseReport | None = None
    queue: QueueReport | None = None  # stories and cases made from the analysed articles


async def run_pass_async(
    db: Database,
    config: Config,
    *,
    keys: Sequence[str] | None = None,
    only_due: bool = False,
    pages: bool = True,
    analysers: Analysers | Callable[[], Analysers] | None = None,
    callbacks: PassCallbacks | None = None,
    stop: Callable[[], bool] | None = None,
    claim: Claim | None = None,
    claim_limit: int | None = None,
    analysis_processes: int | None = None,
    sync: bool = True,
) -> PassReport:
    """One pass through every stage; `analysers` may be a loader called only when needed.

    `stop` (the daemon stopping, or the pass's deadline) is checked between stages and batches.
    With a `claim` (`monitor worker`, or `monitor run` on PostgreSQL), each stage claims its work
    (at most `claim_limit` items at a time, else each stage's usual amount), so other workers on the
    same database take the rest and nothing is done twice. `sync`: sources.toml → database first.
    """
    stopping = stop or (lambda: False)
    from monitor.pipeline.ingest import ingest
    from monitor.pipeline.pages import fetch_pages

    cb = callbacks or PassCallbacks()
    report = PassReport()
    if cb.stage:
        cb.stage("ingest")
    report.sources = await ingest(
        db,
        config,
        keys=keys,
        only_due=only_due,
        on_report=cb.source_done,
        on_start=cb.sources_total,
        claim=claim,
        claim_limit=claim_limit,
        sync=sync,
    )
    if pages and config.fetch.article_pages and not stopping():
        if cb.stage:
            cb.stage("pages")
        report.pages = await fetch_pages(
            db,
            config,
            on_page=cb.page_done,
            stop=stopping,
            claim=claim,
            limit=claim_limit,
        )
    if analysers is not None and not stopping():
        if cb.stage:
            cb.stage("analyse")
        import asyncio  # here, not at the top: every analysis process imports this package

        from monitor.pipeline.analyse import BATCH, analyse_pending

        loaded = analysers() if callable(analysers) else analysers
        report.analysis = await asyncio.to_thread(
            analyse_pending,
            db,
            config,
            loaded,
            on_batch=cb.analysed,
            stop=stopping,
            workers=analysis_processes,
            claim=claim,
            batch_size=claim_limit or BATCH,
        )
        report.queue = report.analysis.queue
    return report


def run_pass(
    db: Database,
    config: Config,
    *,
    keys: Sequence[str] | None = None,
    only_due: bool = False,
    pages: bool = True,
    analysers: Analysers | Callable[[], Analysers] | None = None,
    callbacks: PassCallbacks | None = None,
    stop: Callable[[], bool] | None = None,
    claim: Claim | None = None,
    claim_limit: int | None = None,
    analysis_processes: int | None = None,
    sync: bool = True,
) -> PassReport:
    """Synchronous wrapper of run_pass_async (CLI, scheduler jobs, `monitor worker`)."""
    import asyncio

    return asyncio.run(
        run_pass_async(
            db,
            config,
            keys=keys,
            only_due=only_due,
            pages=pages,
            analysers=analysers,
            callbacks=callbacks,
            stop=stop,
            claim=claim,
            claim_limit=claim_limit,
            analysis_processes=analysis_processes,
            sync=sync,
        )
    )
