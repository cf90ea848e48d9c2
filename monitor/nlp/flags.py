"""The flag rule (DESIGN.md): mention of a watched target ∧ critical tone, plus configurable extras. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from monitor.config_tables import FlagRules
from monitor.nlp.analysis import Analysis
from monitor.timefmt import fmt_decimal
from monitor.vocab import label as vocab_label

# How a mention matched, in words an officer understands (levels of monitor.nlp.match, strongest first).
LEVEL_NAMES = {
    "exact": "khớp chính xác",
    "tone": "khớp không phân biệt dấu thanh",
    "ascii": "khớp văn bản không dấu",
}
LEVEL_RANK = {"exact": 0, "tone": 1, "ascii": 2}
KIND_RANK = {"unit": 0, "province": 1}


class MentionLike(Protocol):
    """What the flag rule needs from a mention (monitor.nlp.match.Mention has these fields)."""

    @property
    def target(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def alias(self) -> str: ...
    @property
    def level(self) -> str: ...


@dataclass(frozen=True)
class FlagDecision:
    """Whether to queue the story, and why (Vietnamese, one sentence per rule that fired or blocked)."""

    flagged: bool
    reasons: tuple[str, ...]


def strongest(mentions: Sequence[MentionLike]) -> MentionLike | None:
    """The mention to cite: the unit before the province, an exact match before a looser one."""
    if not mentions:
        return None
    return min(mentions, key=lambda m: (KIND_RANK.get(m.kind, 9), LEVEL_RANK.get(m.level, 9)))


def describe_mention(m: MentionLike | None, names: Mapping[str, str] | None = None) -> str:
    """'Nhắc đến Công an tỉnh Kon Tum (khớp chính xác)', or a phrase for flags without a mention.

    `names`: the watched targets' names by key (a mention carries the key: "ca-kon-tum").
    """
    if m is None:
        return "Không cần nhắc đến đối tượng theo dõi"
    target = (names or {}).get(m.target, m.target)
    level = LEVEL_NAMES.get(m.level, m.level)
    alias = f', qua "{m.alias}"' if m.alias and m.alias.casefold() != target.casefold() else ""
    return f"Nhắc đến {target} ({level}{alias})"


def should_flag(
    mentions: Sequence[MentionLike],
    analysis: Analysis,
    rules: FlagRules,
    *,
    outlet_weight: float = 1.0,
    names: Mapping[str, str] | None = None,
) -> FlagDecision:
    """Decide whether a story goes to the verification queue, with its reasons (targets named by `names`)."""
    top = strongest(mentions)
    if rules.require_mention and top is None:
        return FlagDecision(False, ("Không nhắc đến đơn vị hoặc địa bàn theo dõi",))
    if outlet_weight < rules.min_outlet_weight:
        return FlagDecision(
            False,
            (
                f"Trọng số nguồn tin {fmt_decimal(outlet_weight)} dưới ngưỡng {fmt_decimal(rules.min_outlet_weight)}",
            ),
        )
    if analysis.tone is None and analysis.topic is None:
        return FlagDecision(
            False, (f"Không phân tích được sắc thái: {analysis.skipped or 'không rõ lý do'}",)
        )
    who = describe_mention(top, names)
    reasons: list[str] = []
    tone = analysis.tone
    if tone and tone.label in rules.tones and tone.score >= rules.min_tone_score:
        reasons.append(f"{who} và sắc thái {vocab_label(tone.label)} ({fmt_decimal(tone.score)})")
    topic = analysis.topic
    if topic and topic.label in rules.sensitive_topics:
        reasons.append(f"{who} và chủ đề nhạy cảm: {vocab_label(topic.label)} ({fmt_decimal(topic.score)})")
    if top is not None and analysis.language != "vi":
        # the models read only Vietnamese: an article in another language about the unit is for a person
        reasons.append(f"{who} trong bài không viết bằng tiếng Việt ({analysis.language}): cần người đọc")
    if reasons:
        return FlagDecision(True, tuple(reasons))
    label = vocab_label(tone.label) if tone else "không rõ"
    score = f" ({fmt_decimal(tone.score)})" if tone else ""
    return FlagDecision(False, (f"{who} nhưng sắc thái {label}{score} không thuộc quy tắc gắn cờ",))
