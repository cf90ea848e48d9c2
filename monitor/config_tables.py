"""The tables of sources.toml that the stages read, as frozen dataclasses (field name = TOML key).

`monitor.config` loads and validates them (against `monitor.vocab`), and they travel inside the one
frozen `Config`; the stages import their table's class from here, never the loader. Pure data: this
module imports nothing of ours, so nlp and queue can depend on it without depending on the loader.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PLACES_DIR = Path(__file__).resolve().parent / "data"  # shipped place lists: places_<name>.json


def places_file(name: str) -> Path:
    """Where the shipped place list `name` ("kon_tum") lives (the file may not exist)."""
    return PLACES_DIR / f"places_{name}.json"


WATCH_KINDS = ("unit", "province")


@dataclass(frozen=True)
class WatchTarget:
    """One watched unit or province; see docs/watch_default.toml for the shipped default."""

    key: str  # slug, e.g. "ca-kon-tum", "kon-tum"
    kind: str  # "unit" | "province"
    name: str  # canonical name, e.g. "Công an tỉnh Kon Tum"
    aliases: tuple[str, ...] = ()  # other names; "Công an" ↔ "CA", "thành phố" ↔ "TP" are expanded anyway
    subunits: tuple[str, ...] = ()  # departments, reported under their own name
    subunit_prefixes: tuple[str, ...] = ()  # "Công an huyện" … + a place of `places`
    places: str | None = None  # shipped place list: "kon_tum" → monitor/data/places_kon_tum.json
    province: str | None = None  # for a unit: key of its province target
    exclude: tuple[str, ...] = ()  # phrases inside which nothing counts for this target

    def __post_init__(self) -> None:
        # TOML gives lists; keep the dataclass hashable and immutable whatever the caller passes.
        for name in ("aliases", "subunits", "subunit_prefixes", "exclude"):
            object.__setattr__(self, name, tuple(getattr(self, name)))


@dataclass(frozen=True)
class FlagRules:
    """Configurable flag rule; the defaults are DESIGN.md's (mention ∧ tone tieu_cuc)."""

    require_mention: bool = True
    tones: tuple[str, ...] = ("tieu_cuc",)
    min_tone_score: float = 0.0
    sensitive_topics: tuple[str, ...] = ()  # a mention + a sensitive topic flags even when tone is neutral
    min_outlet_weight: float = 0.0


@dataclass(frozen=True)
class QueueSettings:
    """Tunables of stories, priorities, deadlines and claims."""

    deadline_critical_hours: float = 2
    deadline_high_hours: float = 24
    deadline_normal_hours: float = 72
    claim_minutes: float = 30
    story_window_days: float = 7
    # Word-bigram Jaccard: on real cross-outlet pairs from VNTC (bench/eval_stories.py) rewrites of one story
    # score 0.3-0.96 while the closest different stories top out at 0.22; syllable unigrams overlap too much
    # between different stories of one topic (0.49 vs 0.50), trigrams lose rewrites.
    similarity: float = 0.3
    containment: float = 0.6  # a short copy (lede only) whose bigrams are mostly inside a longer one
    containment_min_shingles: int = 30  # below this, containment says nothing (titles, one-liners)
    shingle_words: int = 2
    num_perm: int = 128
    lsh_threshold: float = (
        0.2  # LSH band sensitivity (28 bands × 2 rows), below `similarity`: near misses get verified
    )
    max_candidates: int = 200  # cost stays flat even if a boilerplate text collides with everything
    # Event matching (queue.events), after the near-duplicate test: two outlets' own reports of one event.
    # On hand-labelled VNTC cross-outlet pairs (bench/eval_stories.py --events) same-event pairs score a
    # TF-IDF cosine of 0.25-0.8 and different events up to ~0.45: join from 0.5 with a shared specific name,
    # suggest ("có thể cùng sự việc") from 0.28 (a doubtful suggestion costs a line on the case page, a miss
    # costs the event; 0.3 suggested 89% of the same-event pairs, 0.28 93%).
    event_window_hours: float = 72
    event_join: float = 0.5
    event_suggest: float = 0.28
    event_join_names: int = 1
    event_max_candidates: int = 10  # reports judged per new one (most weight on its 20 heaviest terms first)
    spike_factor: float = 3.0  # volume on a target vs recent baseline
    spike_min_articles: int = 5
    spike_window_hours: float = 24
    spike_flags: bool = True  # a spike on a target queues its non-positive stories even if not flagged
    baseline_days: float = 7
    # Topics that raise a case's priority (misconduct allegations first). Until 12/2026 this key was
    # [queue].sensitive_topics, easily confused with [flags].sensitive_topics; the old name still loads.
    priority_topics: tuple[str, ...] = ("tham_nhung",)
    strong_tone_score: float = 0.8  # a tone score at or above this raises priority
    heavy_outlet_weight: float = 1.5  # an outlet weighing this much (national press) raises priority
    spread_high_outlets: int = 3
    spread_critical_outlets: int = 6
    verified_true_closes: bool = True  # a true story closes unless the collaborator asks for a response
    false_needs_response: bool = True  # verified_false / partly_true → response_needed
