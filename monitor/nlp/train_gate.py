"""When may a retrained model replace the current one: enough data per class, and no worse on the dev set.

Pure functions over counts and scores (the CLI gathers them and renders the sentences): training on a
handful of examples, or replacing good models with worse ones, must be refused rather than done quietly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from monitor.nlp.train import EvalReport, LabelledExample
from monitor.timefmt import fmt_decimal
from monitor.vocab import TONES, TOPICS, label

MIN_PER_CLASS = 10  # fewer examples of a topic or tone than this and the class is guessed, not learnt
TOLERANCE = 0.005  # macro-F1 differences below this are noise on a few hundred dev items


@dataclass(frozen=True)
class Composition:
    """What a training run would use: distinct examples by origin and by class."""

    total: int
    by_origin: dict[str, int] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)
    tones: dict[str, int] = field(default_factory=dict)


def composition(examples: Iterable[LabelledExample]) -> Composition:
    """Count distinct examples (by text, later ones win, as training does) by origin, topic and tone."""
    distinct: dict[str, LabelledExample] = {}
    for ex in examples:
        distinct[ex.text.strip()] = ex
    kept = list(distinct.values())
    return Composition(
        total=len(kept),
        by_origin=dict(Counter(ex.source.split(":")[0] or "file" for ex in kept)),
        topics=dict(Counter(ex.topic for ex in kept if ex.topic)),
        tones=dict(Counter(ex.tone for ex in kept if ex.tone)),
    )


def too_small(comp: Composition, minimum: int = MIN_PER_CLASS) -> list[str]:
    """The classes with fewer than `minimum` examples, as Vietnamese phrases (empty: enough data)."""
    out = [f"chủ đề “{label(t)}”: {comp.topics.get(t, 0)}" for t in TOPICS if comp.topics.get(t, 0) < minimum]
    out += [f"sắc thái “{label(t)}”: {comp.tones.get(t, 0)}" for t in TONES if comp.tones.get(t, 0) < minimum]
    return out


@dataclass(frozen=True)
class Scores:
    """Macro-F1 of topic and tone on the dev set (None when the set has no such labels)."""

    topic: float | None
    tone: float | None


def scores(report: EvalReport) -> Scores:
    """The macro-F1 figures of an evaluation."""
    return Scores(
        report.topic.macro_f1 if report.topic else None, report.tone.macro_f1 if report.tone else None
    )


def worse(current: Scores, new: Scores, tolerance: float = TOLERANCE) -> list[str]:
    """Where the new models do worse than the current ones (Vietnamese phrases; empty: not worse)."""
    out = []
    for name, old, fresh in (("chủ đề", current.topic, new.topic), ("sắc thái", current.tone, new.tone)):
        if old is not None and fresh is not None and fresh < old - tolerance:
            out.append(f"{name} macro-F1 {fmt_decimal(fresh, 3)} < {fmt_decimal(old, 3)}")
    return out
