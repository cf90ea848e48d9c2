"""What runs in the analysis processes: load the NLP pieces once, then analyse and sign batches.

Kept apart from `analyse.py` (the orchestration: reading batches, storing them, the queue stage) so that a
spawned analysis process imports only what analysis needs — config, nlp, the signature and event-term
code of the queue, and the plain records — never the database layer. A process's start is paid by every
one-off pass (`monitor fetch`), so it is kept short: the imports here are the whole cost besides the models.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from monitor.config import Config
from monitor.nlp.analysis import Analyzer
from monitor.nlp.flags import should_flag
from monitor.nlp.match import Matcher, build_matcher
from monitor.nlp.roles import mention_sentences
from monitor.queue.dedup import Signature, signature
from monitor.queue.events import EventText, event_text
from monitor.store.records import AnalysisRecord, MentionRecord, PendingArticle

Analysed = tuple[list[AnalysisRecord], dict[int, Signature], dict[int, EventText]]


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


def analyse_batch(analysers: Analysers, config: Config, batch: list[PendingArticle]) -> list[AnalysisRecord]:
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
    names = {w.key: w.name for w in config.watches}  # reasons name the target, not its key
    records = []
    for art, found, res in zip(batch, mentions, results, strict=True):
        decision = should_flag(found, res, config.flags, outlet_weight=art.source_weight, names=names)
        records.append(
            AnalysisRecord(
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


def analyse_and_sign(analysers: Analysers, config: Config, batch: list[PendingArticle]) -> Analysed:
    """A batch's analyses, and the story signatures and event terms the queue stage will want.

    Signing (MinHash over the folded text) and event terms (queue.events, for articles that name a target)
    run here, in the analysis processes, so the process that stores batches and runs the queue stage does
    as little as possible.
    """
    records = analyse_batch(analysers, config, batch)
    signatures: dict[int, Signature] = {}
    texts: dict[int, EventText] = {}
    for a, r in zip(batch, records, strict=True):
        if (r.mentions or r.flagged) and not r.skipped:
            signatures[a.id] = signature(a.title, a.text, config.queue)
            if r.mentions:
                texts[a.id] = event_text(a.title, a.text)
    return records, signatures, texts


# -- in each analysis process -----------------------------------------------------------------------
_worker: tuple[Analysers, Config] | None = None  # set in each analysis process by _init_worker


def _start_pool(config: Config, models_dir: Path | None, workers: int) -> ProcessPoolExecutor:
    """Analysis processes that each load the matcher and models once (spawned: no inherited threads)."""
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


def work(batch: list[PendingArticle]) -> Analysed:
    """Analyse and sign one batch in an analysis process (after `_init_worker`)."""
    assert _worker is not None
    return analyse_and_sign(_worker[0], _worker[1], batch)
