"""QueueSettings: the [queue] table of sources.toml (field name = TOML key, type from the default)."""

from __future__ import annotations

from dataclasses import dataclass


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
    spike_factor: float = 3.0  # volume on a target vs recent baseline
    spike_min_articles: int = 5
    spike_window_hours: float = 24
    spike_flags: bool = True  # a spike on a target queues its non-positive stories even if not flagged
    baseline_days: float = 7
    sensitive_topics: tuple[str, ...] = ("tham_nhung",)
    strong_tone_score: float = 0.8  # a tone score at or above this raises priority
    heavy_outlet_weight: float = 1.5  # an outlet weighing this much (national press) raises priority
    spread_high_outlets: int = 3
    spread_critical_outlets: int = 6
    verified_true_closes: bool = True  # a true story closes unless the collaborator asks for a response
    false_needs_response: bool = True  # verified_false / partly_true → response_needed
