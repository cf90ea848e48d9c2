"""The queue stage: analysed articles → stories → cases (called by the pipeline after analysis is stored)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from monitor.queue import dedup
from monitor.queue.aggregate import StoryAggregate, aggregate
from monitor.queue.priority import StorySignals, deadline, decide_priority, is_spike
from monitor.queue.settings import QueueSettings
from monitor.store import cases as store_cases
from monitor.store import stories as store_stories
from monitor.vocab import PRIORITY_RANK

if TYPE_CHECKING:
    from monitor.store.db import Database

log = logging.getLogger(__name__)
RETRIES = 3


@dataclass
class QueueStageResult:
    """What one run of the stage did."""

    assigned: int = 0  # articles newly placed in a story
    stories_created: int = 0
    stories_updated: int = 0
    cases_opened: int = 0
    cases_updated: int = 0  # priority raised by spread / spike
    case_ids: list[int] = field(default_factory=list)

    def add(self, other: QueueStageResult) -> None:
        """Fold in the counts of one committed attempt."""
        self.assigned += other.assigned
        self.stories_created += other.stories_created
        self.stories_updated += other.stories_updated
        self.cases_opened += other.cases_opened
        self.cases_updated += other.cases_updated
        self.case_ids.extend(i for i in other.case_ids if i not in self.case_ids)


def run_queue_stage(
    db: Database, article_ids: Sequence[int], settings: QueueSettings, now: datetime
) -> QueueStageResult:
    """Place each analysed article in a story and open or update its story's case (idempotent)."""
    result = QueueStageResult()
    with db.read() as session:
        articles = store_stories.load_stage_articles(session, article_ids)
    for article in articles:
        sig = dedup.signature(article.title, article.text, settings)  # CPU work outside the transaction
        for attempt in range(1, RETRIES + 1):
            attempt_result = QueueStageResult()  # counted only once its transaction has committed
            try:
                with db.write() as session:
                    _place(session, article, sig, settings, now, attempt_result)
                result.add(attempt_result)
                break
            except (IntegrityError, DBAPIError) as exc:
                # a concurrent worker won a race (unique constraint, deadlock): the re-run sees its rows
                log.warning(
                    "queue stage retry",
                    extra={"article_id": article.id, "attempt": attempt, "error": str(exc.orig)},
                )
                if attempt == RETRIES:
                    raise
    return result


def _place(
    session: Session,
    a: store_stories.StageArticle,
    sig: dedup.Signature,
    settings: QueueSettings,
    now: datetime,
    result: QueueStageResult,
) -> None:
    store_stories.lock_assignment(session)
    story_id = store_stories.story_of(session, a.id)
    if story_id is None:
        story_id, similarity = _match(session, a, sig, settings)
        if story_id is None:
            story_id = store_stories.create_story(session, a, now)
            result.stories_created += 1
        store_stories.add_member(session, a, story_id, sig.minhash, sig.shingles, sig.bands, similarity, now)
        result.assigned += 1
        log.info("article placed", extra={"article_id": a.id, "story_id": story_id, "similarity": similarity})
    agg = aggregate(store_stories.story_members(session, story_id))
    if store_stories.save_aggregate(session, story_id, asdict(agg), now):
        result.stories_updated += 1
    spikes = _spikes(session, agg.targets, settings, now) if agg.targets else ()
    # DESIGN "Flag rule": a volume spike on a target is an extra rule; it needs the archive, so it lives here
    spike_flag = settings.spike_flags and bool(spikes) and agg.tone != "tich_cuc"
    if agg.flagged or spike_flag:
        _case(session, story_id, agg, spikes, settings, now, result)


def _match(
    session: Session, a: store_stories.StageArticle, sig: dedup.Signature, settings: QueueSettings
) -> tuple[int | None, float | None]:
    """The story of the most similar recent article, if any is similar enough."""
    window = timedelta(days=settings.story_window_days)
    best: tuple[float, int] | None = None
    for c in store_stories.candidates(session, sig.bands, a.seen_at, window, settings.max_candidates):
        if c.article_id == a.id:
            continue
        score = dedup.same_story(sig, c.minhash, c.shingles, settings)
        if score is not None and (best is None or score > best[0]):
            best = (score, c.story_id)
    return (best[1], best[0]) if best else (None, None)


def _spikes(
    session: Session, targets: Sequence[str], settings: QueueSettings, now: datetime
) -> tuple[str, ...]:
    volume = store_stories.target_volume(
        session,
        targets,
        now,
        timedelta(hours=settings.spike_window_hours),
        timedelta(days=settings.baseline_days),
    )
    start = store_stories.archive_start(session)
    observed = now - start if start is not None else timedelta(0)
    return tuple(t for t in targets if is_spike(*volume.get(t, (0, 0)), settings, observed=observed))


def _case(
    session: Session,
    story_id: int,
    agg: StoryAggregate,
    spikes: tuple[str, ...],
    settings: QueueSettings,
    now: datetime,
    result: QueueStageResult,
) -> None:
    signals = StorySignals(
        flag_reasons=tuple(agg.flag_reasons),
        tone_score=agg.tone_score,
        tone=agg.tone,
        topic=agg.topic,
        max_outlet_weight=agg.max_outlet_weight,
        outlet_count=agg.outlet_count,
        spike_targets=spikes,
    )
    decision = decide_priority(signals, settings)
    rank, reasons = PRIORITY_RANK[decision.priority], decision.reasons
    case = store_cases.case_of_story(session, story_id)
    if case is None:
        case_id = store_cases.open_case(
            session,
            story_id,
            decision.priority,
            rank,
            reasons,
            deadline(now, decision.priority, settings),
            now,
        )
        if case_id is not None:
            result.cases_opened += 1
            result.case_ids.append(case_id)
        return
    # never reopen or duplicate: a closed case stays closed; an open one can only become more urgent
    if case.state != "closed" and store_cases.raise_priority(
        session,
        case.id,
        decision.priority,
        rank,
        reasons,
        deadline(case.opened_at, decision.priority, settings),
        now,
    ):
        result.cases_updated += 1
        result.case_ids.append(case.id)
