"""Analyse stage: match → classify → flag → store, then the queue stage (stories and cases).

Mention matching runs first and is cheap; the analyser spends its heavy work where it matters.
The document analysed is `title + "\\n\\n" + text`; mention offsets point into that string.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from monitor.config import Config
from monitor.nlp.analysis import Analyzer
from monitor.nlp.flags import should_flag
from monitor.nlp.match import Matcher, build_matcher
from monitor.store import analyses as store_analyses
from monitor.store.db import Database

log = logging.getLogger(__name__)

BATCH = 500


@dataclass
class AnalyseReport:
    """Counts of one analysis pass."""

    analysed: int = 0
    mentioned: int = 0
    flagged: int = 0
    skipped: int = 0
    cases_opened: int = 0
    cases_updated: int = 0


@dataclass
class Analysers:
    """The loaded, warmed NLP pieces (loaded once per process, never at import)."""

    matcher: Matcher
    analyzer: Analyzer

    @classmethod
    def load(cls, config: Config) -> Analysers:
        """Compile the matcher from the watch targets and load the shipped models."""
        return cls(matcher=build_matcher(config.watches), analyzer=Analyzer.load())


def document(title: str, text: str) -> str:
    """The string that is matched and analysed (mention offsets point into it)."""
    return f"{title}\n\n{text}" if text else title


def analyse_batch(
    analysers: Analysers, config: Config, batch: list[store_analyses.PendingArticle]
) -> list[store_analyses.AnalysisRecord]:
    """Pure-ish: analyse a batch of articles and decide their flags (no I/O)."""
    mentions = [analysers.matcher.find(document(a.title, a.text)) for a in batch]
    # Readable reasons cost a second look at the text: only where a target is mentioned.
    results = analysers.analyzer.analyse_many(
        [(a.title, a.text) for a in batch], explain=[bool(found) for found in mentions]
    )
    records = []
    for art, found, res in zip(batch, mentions, results, strict=True):
        decision = should_flag(found, res, config.flags, outlet_weight=art.source_weight)
        records.append(
            store_analyses.AnalysisRecord(
                article_id=art.id, language=res.language, model_version=res.model_version,
                topic=res.topic.label if res.topic else None,
                topic_score=res.topic.score if res.topic else None,
                topic_reason=res.topic.reason if res.topic else None,
                tone=res.tone.label if res.tone else None,
                tone_score=res.tone.score if res.tone else None,
                tone_reason=res.tone.reason if res.tone else None,
                flagged=decision.flagged, flag_reasons=tuple(decision.reasons), skipped=res.skipped,
                mentions=tuple(
                    dict(target=m.target, kind=m.kind, alias=m.alias, level=m.level, start=m.start,
                         end=m.end, snippet=m.snippet)
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
    on_batch: Callable[[int], Any] | None = None,
) -> AnalyseReport:
    """Analyse every article waiting for it (or, with reanalyse, analysed by another model version)."""
    from monitor.queue.stage import run_queue_stage

    report = AnalyseReport()
    stale = analysers.analyzer.version if reanalyse else None
    after = 0
    while limit is None or report.analysed < limit:
        size = BATCH if limit is None else min(BATCH, limit - report.analysed)
        with db.read() as session:
            batch = store_analyses.pending_analysis(session, limit=size, after_id=after, stale_version=stale)
        if not batch:
            break
        after = batch[-1].id
        records = analyse_batch(analysers, config, batch)
        now = datetime.now(UTC)
        with db.write() as session:
            store_analyses.save_analyses(session, records, now)
        queue = run_queue_stage(db, [r.article_id for r in records], config.queue, now)
        report.analysed += len(records)
        report.mentioned += sum(1 for r in records if r.mentions)
        report.flagged += sum(1 for r in records if r.flagged)
        report.skipped += sum(1 for r in records if r.skipped)
        report.cases_opened += queue.cases_opened
        report.cases_updated += queue.cases_updated
        log.info("analysed batch size=%d last_article_id=%d", len(records), after)
        if on_batch:
            on_batch(len(records))
    return report
