"""Queue stage: analysed articles → stories → cases (run by the analyse stage once analyses are stored).

A batch of articles is placed in one write transaction; when a concurrent worker wins a race for the same
rows, the store raises WriteConflictError and the batch is placed again (the re-run sees the winner's rows).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from monitor.config_tables import QueueSettings
from monitor.errors import WriteConflictError
from monitor.queue import dedup, events
from monitor.queue.aggregate import StoryAggregate, aggregate
from monitor.queue.priority import (
    PriorityDecision,
    StorySignals,
    deadline,
    decide_priority,
    is_spike,
)
from monitor.store import cases as store_cases
from monitor.store import relations as store_relations
from monitor.store import stories as store_stories
from monitor.store.db import Database
from monitor.vocab import PRIORITY_RANK, Priority

if TYPE_CHECKING:
    from monitor.store.db import Session

log = logging.getLogger(__name__)
RETRIES = 3
STAGE_BATCH = 500  # articles per transaction (an analysis batch is at most this)
EVENT_DOCS = 5000  # most recent reports of the event window weighed and searched per batch

# The event window's reports, kept between batches per database (read again only when new to it).
_corpora: weakref.WeakKeyDictionary[Database, tuple[threading.Lock, events.EventCorpus]] = (
    weakref.WeakKeyDictionary()
)
_corpora_lock = threading.Lock()


def _corpus(db: Database) -> tuple[threading.Lock, events.EventCorpus]:
    """The database's event corpus and the lock a queue stage holds while it uses it."""
    with _corpora_lock:
        found = _corpora.get(db)
        if found is None:
            found = _corpora[db] = (threading.Lock(), events.EventCorpus())
        return found


@dataclass
class QueueReport:
    """What the queue stage did (one run, or a whole pass once folded together)."""

    assigned: int = 0  # articles newly placed in a story
    stories_created: int = 0  # placed articles that founded a story
    stories_updated: int = 0  # stories whose aggregates changed
    cases_opened: int = 0
    cases_raised: int = 0  # open cases whose priority rose (spread, spike)
    case_ids: list[int] = field(default_factory=list)  # cases opened or raised
    event_joins: int = 0  # placed articles that joined another outlet's story of the same event
    event_suggestions: int = 0  # story pairs newly suggested as "có thể cùng sự việc"

    @property
    def stories_joined(self) -> int:
        """Placed articles that joined an existing story."""
        return self.assigned - self.stories_created

    def add(self, other: QueueReport) -> None:
        """Fold in the counts of another run (or of one committed attempt)."""
        self.assigned += other.assigned
        self.stories_created += other.stories_created
        self.stories_updated += other.stories_updated
        self.cases_opened += other.cases_opened
        self.cases_raised += other.cases_raised
        self.event_joins += other.event_joins
        self.event_suggestions += other.event_suggestions
        self.case_ids.extend(i for i in other.case_ids if i not in self.case_ids)


def run_queue_stage(
    db: Database,
    article_ids: Sequence[int],
    settings: QueueSettings,
    now: datetime,
    *,
    signatures: Mapping[int, dedup.Signature] | None = None,
    event_texts: Mapping[int, events.EventText] | None = None,
) -> QueueReport:
    """Place analysed articles in stories and open or update their stories' cases (idempotent).

    A whole batch goes in one transaction of a few statements: bulk band lookups, one INSERT per table,
    the assignment lock taken once. A crash (kill -9) leaves all of a batch or none of it.
    `signatures`, `event_texts`: those the analysis processes already computed (the rest are computed here).
    """
    result = QueueReport()
    with db.read() as session:
        articles = store_stories.load_stage_articles(session, article_ids)
    # CPU work outside the transaction
    known = signatures or {}
    sigs = {a.id: known.get(a.id) or dedup.signature(a.title, a.text, settings) for a in articles}
    # event matching is for reports that name a watched target (the ones a case can be about)
    given = event_texts or {}
    texts = {a.id: given.get(a.id) or events.event_text(a.title, a.text) for a in articles if a.targets}
    lock, corpus = _corpus(db)
    for start in range(0, len(articles), STAGE_BATCH):
        batch = articles[start : start + STAGE_BATCH]
        for attempt in range(1, RETRIES + 1):
            attempt_result = QueueReport()  # counted only once its transaction has committed
            try:
                with lock, db.write_contended() as session:
                    _place_batch(session, batch, sigs, texts, corpus, settings, now, attempt_result)
                result.add(attempt_result)
                break
            except WriteConflictError as exc:
                log.warning(
                    "queue stage retry",
                    extra={"article_id": batch[0].id, "attempt": attempt, "error": exc.detail},
                )
                if attempt == RETRIES:
                    raise
    return result


def _place_batch(
    session: Session,
    articles: Sequence[store_stories.StageArticle],
    sigs: dict[int, dedup.Signature],
    texts: Mapping[int, events.EventText],
    corpus: events.EventCorpus,
    settings: QueueSettings,
    now: datetime,
    result: QueueReport,
) -> None:
    """Assign the batch's articles (oldest first) to stories, then aggregate and queue each story once."""
    store_stories.lock_assignment(session)
    story_of = store_stories.stories_of(session, [a.id for a in articles])
    todo = [a for a in articles if a.id not in story_of]
    if todo:
        story_of.update(_assign(session, todo, sigs, texts, corpus, settings, now, result))
    touched = sorted(set(story_of.values()))
    members = store_stories.members_by_story(session, touched)
    aggs = {sid: aggregate(members[sid]) for sid in touched if members[sid]}
    # shallow: the aggregate's lists are fresh already (asdict's deep copy was a tenth of the stage)
    values = {sid: {f.name: getattr(agg, f.name) for f in fields(agg)} for sid, agg in aggs.items()}
    changed = store_stories.save_aggregates(session, values, now)
    result.stories_updated += len(changed)
    spikes = _spikes(session, sorted({t for agg in aggs.values() for t in agg.targets}), settings, now)
    queued: dict[int, tuple[StoryAggregate, tuple[str, ...]]] = {}
    for sid, agg in aggs.items():
        story_spikes = tuple(t for t in agg.targets if t in spikes)
        # DESIGN "Flag rule": a volume spike on a target is an extra rule; it needs the archive, so it lives here
        spike_flag = settings.spike_flags and bool(story_spikes) and agg.tone != "tich_cuc"
        if agg.flagged or spike_flag:
            queued[sid] = (agg, story_spikes)
    cases = store_cases.cases_of_stories(session, list(queued))
    to_open: list[store_cases.NewCase] = []
    for sid, (agg, story_spikes) in queued.items():
        decision = _priority(agg, story_spikes, settings)
        case = cases.get(sid)
        if case is None:
            to_open.append(
                store_cases.NewCase(
                    sid,
                    decision.priority,
                    PRIORITY_RANK[decision.priority],
                    decision.reasons,
                    deadline(now, decision.priority, settings),
                )
            )
        else:
            _raise(session, case, decision, settings, now, result)
    opened = store_cases.open_cases(session, to_open, now)
    result.cases_opened += len(opened)
    result.case_ids.extend(opened.values())


def _event_index(
    session: Session,
    todo: Sequence[store_stories.StageArticle],
    texts: Mapping[int, events.EventText],
    corpus: events.EventCorpus,
    settings: QueueSettings,
) -> events.EventIndex | None:
    """The recent archive's reports in the event window, weighed by their own document frequencies.

    `corpus` keeps the window's reports between batches: only reports new to it are read.
    """
    mine = [a for a in todo if a.id in texts]
    if not mine:
        return None
    window = timedelta(hours=settings.event_window_hours)
    lo, hi = min(a.seen_at for a in mine) - window, max(a.seen_at for a in mine) + window
    held = store_relations.event_window(session, lo, hi, EVENT_DOCS)
    read = store_relations.event_terms(session, corpus.missing(held))
    corpus.sync(held, {a: events.EventText(terms, frozenset(names)) for a, (terms, names) in read.items()})
    batch = [texts[a.id] for a in mine]
    return events.EventIndex(events.idf(batch, base=corpus), settings, searched=batch, base=corpus)


def _assign(
    session: Session,
    todo: Sequence[store_stories.StageArticle],
    sigs: dict[int, dedup.Signature],
    texts: Mapping[int, events.EventText],
    corpus: events.EventCorpus,
    settings: QueueSettings,
    now: datetime,
    result: QueueReport,
) -> dict[int, int]:
    """Find each article's story among stored and earlier batch articles, found new ones; article → story.

    The same choice `candidates` + `same_story` made one article at a time: band keys shared with
    articles seen within the window, the `max_candidates` with most shared keys, the most similar wins.
    An article that copies no story but names a watched target is then matched by event (queue.events):
    it joins a story of the same event, or founds its own with suggestions ("có thể cùng sự việc").
    """
    window = timedelta(days=settings.story_window_days)
    lo, hi = min(a.seen_at for a in todo) - window, max(a.seen_at for a in todo) + window
    hits: dict[int, list[tuple[int, datetime]]] = defaultdict(list)  # band key → (article, seen_at)
    for h in store_stories.band_hits(session, sorted({k for a in todo for k in sigs[a.id].bands}), lo, hi):
        hits[h.band_key].append((h.article_id, h.seen_at))
    known = store_stories.signatures_of(session, sorted({i for hs in hits.values() for i, _ in hs}))
    founders: list[store_stories.StageArticle] = []
    placed: list[tuple[store_stories.StageArticle, int, float | None]] = []  # story id < 0: founded here
    index = _event_index(session, todo, texts, corpus, settings)
    suggestions: list[store_relations.Suggestion] = []  # story ids < 0: founded here
    for a in todo:
        sig = sigs[a.id]
        shared: Counter[int] = Counter()
        for key in sig.bands:
            for other, seen in hits.get(key, ()):
                if other != a.id and a.seen_at - window <= seen <= a.seen_at + window:
                    shared[other] += 1
        ranked = sorted(shared, key=lambda i: (-shared[i], -i))[: settings.max_candidates]
        best: tuple[float, int] | None = None
        for other in ranked:
            c = known.get(other)
            score = None if c is None else dedup.same_story(sig, c.minhash, c.shingles, settings)
            if c is not None and score is not None and (best is None or score > best[0]):
                best = (score, c.story_id)
        # a copy of a story needs no event search (and is weighed only if a later report meets it)
        searching = index is not None and a.id in texts and best is None
        weighed = events.weigh(texts[a.id], index.weights) if index is not None and searching else None
        found = index.matches(weighed, a.seen_at) if index is not None and weighed else []
        if best is None and found and found[0].match.verdict is events.Verdict.SAME:
            best = (found[0].match.cosine, found[0].story_id)
            result.event_joins += 1
            log.info("event joined", extra={"article_id": a.id, "story_id": found[0].story_id})
        if best is None:
            founders.append(a)
            story_id, similarity = -len(founders), None
            result.stories_created += 1
            suggestions.extend(
                store_relations.Suggestion(story_id, f.story_id, f.match.cosine, f.match.shared_names)
                for f in found[:3]
            )
        else:
            similarity, story_id = best
        placed.append((a, story_id, similarity))
        if index is not None and a.id in texts:
            # a copy adds nothing to this batch's search (what finds it finds the story it copies first);
            # from the next batch on it is searched like any stored report
            if searching:
                index.add(story_id, a.seen_at, texts[a.id], weighed, key=a.id)
            corpus.remember(a.id, a.seen_at, texts[a.id])
        # later articles of this batch can join it: it is a candidate like any stored article
        known[a.id] = store_stories.Candidate(a.id, story_id, sig.minhash, sig.shingles)
        for key in sig.bands:
            hits[key].append((a.id, a.seen_at))
    ids = store_stories.create_stories(session, founders, now)
    real = {-(i + 1): sid for i, sid in enumerate(ids)}
    members = [
        store_stories.NewMember(
            a, real.get(sid, sid), sigs[a.id].minhash, sigs[a.id].shingles, sigs[a.id].bands, sim
        )
        for a, sid, sim in placed
    ]
    store_stories.add_members(session, members, now)
    result.assigned += len(members)
    store_relations.save_event_terms(
        session,
        [
            store_relations.NewEventTerms(
                a.id, a.seen_at, dict(texts[a.id].terms), tuple(sorted(texts[a.id].names))
            )
            for a, _, _ in placed
            if a.id in texts
        ],
    )
    result.event_suggestions += store_relations.suggest(
        session,
        [
            replace(s, story_a=real.get(s.story_a, s.story_a), story_b=real.get(s.story_b, s.story_b))
            for s in suggestions
        ],
        now,
    )
    for m in members:
        log.info(
            "article placed",
            extra={"article_id": m.article.id, "story_id": m.story_id, "similarity": m.similarity},
        )
    return {m.article.id: m.story_id for m in members}


def _spikes(session: Session, targets: Sequence[str], settings: QueueSettings, now: datetime) -> set[str]:
    """Which of these targets are spiking now (one volume query for a whole batch)."""
    if not targets:
        return set()
    volume = store_stories.target_volume(
        session,
        targets,
        now,
        timedelta(hours=settings.spike_window_hours),
        timedelta(days=settings.baseline_days),
    )
    start = store_stories.archive_start(session)
    observed = now - start if start is not None else timedelta(0)
    return {t for t in targets if is_spike(*volume.get(t, (0, 0)), settings, observed=observed)}


def _priority(agg: StoryAggregate, spikes: tuple[str, ...], settings: QueueSettings) -> PriorityDecision:
    """A queued story's priority from its aggregates and spiking targets."""
    return decide_priority(
        StorySignals(
            flag_reasons=tuple(agg.flag_reasons),
            tone_score=agg.tone_score,
            tone=agg.tone,
            topic=agg.topic,
            max_outlet_weight=agg.max_outlet_weight,
            outlet_count=agg.outlet_count,
            spike_targets=spikes,
        ),
        settings,
    )


def _raise(
    session: Session,
    case: store_cases.CaseInfo,
    decision: PriorityDecision,
    settings: QueueSettings,
    now: datetime,
    result: QueueReport,
) -> None:
    """Never reopen or duplicate: a closed case stays closed; an open one can only become more urgent."""
    rank = PRIORITY_RANK[decision.priority]
    if case.state == "closed" or case.priority_locked or rank >= PRIORITY_RANK[Priority(case.priority)]:
        return  # the conditional UPDATE below would change nothing: skip the round trip
    if store_cases.raise_priority(
        session,
        case.id,
        decision.priority,
        rank,
        decision.reasons,
        deadline(case.opened_at, decision.priority, settings),
        now,
    ):
        result.cases_raised += 1
        result.case_ids.append(case.id)
