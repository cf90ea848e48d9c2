"""What users type about the queue, validated once for every edge: listing filters and case actions.

A word may be the id, the Vietnamese label with or without accents, or a short alias (`vocab.parse`):
`--status mới`, `--verdict sai`, `--tone "tieu cuc"`. Anything else is refused with one Vietnamese
sentence naming the word and the choices (TransitionError), before the database is touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from monitor.errors import ConfigError, TransitionError
from monitor.queue.service import Decision
from monitor.store.cases import OPEN
from monitor.timefmt import parse_local_date
from monitor.vocab import VERDICTS, Action, Priority, State, Tone, Topic, choices, fold, label, parse

if TYPE_CHECKING:
    from monitor.config import Config

_OPEN_WORDS = ("open", "chua dong", "dang mo")
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Names:
    """Display names by key: watch targets and outlets (from the configuration)."""

    targets: Mapping[str, str] = field(default_factory=dict)
    outlets: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: Config) -> Names:
        """The names of the configured watch targets and sources."""
        return cls(
            targets={w.key: w.name for w in config.watches},
            outlets={s.key: s.name for s in config.sources},
        )

    def target(self, key: str) -> str:
        """A target's name (its key when the configuration no longer has it)."""
        return self.targets.get(key, key)


@dataclass(frozen=True)
class QueueFilter:
    """A validated queue listing request (ids only; empty tuple = no filter)."""

    statuses: tuple[str, ...] = (OPEN,)
    priorities: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    tones: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()  # watch target keys
    outlets: tuple[str, ...] = ()  # source keys
    assignee: str | None = None  # username holding the claim
    assigned: str | None = None  # username a leader assigned the case to
    opened_from: date | None = None  # inclusive, Vietnam dates
    opened_to: date | None = None  # inclusive
    page: int = 1
    limit: int = 50


def _members(kind: type[StrEnum], words: Iterable[str], what: str) -> tuple[str, ...]:
    out = []
    for word in words:
        member = parse(kind, word)
        if member is None:
            raise TransitionError(f"{what} “{word}” không hợp lệ; chọn một trong: {choices(kind)}.")
        out.append(member.value)
    return tuple(out)


def _keys(names: Mapping[str, str], words: Iterable[str], what: str) -> tuple[str, ...]:
    """Keys of `names` meant by `words` (the key itself or the name, accents optional)."""
    by_word = {fold(k): k for k in names} | {fold(v): k for k, v in names.items()}
    out = []
    for word in words:
        key = by_word.get(fold(word))
        if key is None:
            known = ", ".join(names.values()) or "—"
            raise TransitionError(f"{what} “{word}” không có trong cấu hình; chọn một trong: {known}.")
        out.append(key)
    return tuple(out)


def _statuses(words: Iterable[str]) -> tuple[str, ...]:
    out = []
    for word in words:
        if fold(word) in _OPEN_WORDS:
            out.append(OPEN)
            continue
        state = parse(State, word)
        if state is None:
            raise TransitionError(
                f"Trạng thái “{word}” không hợp lệ; chọn một trong: chưa đóng, {choices(State)}."
            )
        out.append(state.value)
    return tuple(out) or (OPEN,)


def _date(text: str | None, what: str) -> date | None:
    if not text:
        return None
    try:
        return parse_local_date(text).date()
    except ValueError:
        raise TransitionError(
            f"{what} “{text}” không hợp lệ: dùng dạng dd/mm/yyyy, ví dụ 27/11/2026."
        ) from None


def parse_filter(
    *,
    status: Iterable[str] = (),
    priority: Iterable[str] = (),
    topic: Iterable[str] = (),
    tone: Iterable[str] = (),
    target: Iterable[str] = (),
    outlet: Iterable[str] = (),
    assignee: str | None = None,
    assigned: str | None = None,
    mine: bool = False,
    user: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    page: int = 1,
    limit: int = 50,
    names: Names | None = None,
) -> QueueFilter:
    """Validate a listing request; `mine` means the acting `user` holds the case."""
    names = names or Names()
    if mine and not user:
        raise ConfigError("Cần chỉ rõ người thao tác: --as TÊN hoặc biến môi trường MONITOR_USER.")
    if not 1 <= limit <= MAX_LIMIT:
        raise TransitionError(f"Số vụ việc mỗi trang phải từ 1 đến {MAX_LIMIT}, nhận được {limit}.")
    if page < 1:
        raise TransitionError(f"Số trang phải từ 1 trở lên, nhận được {page}.")
    start, end = _date(date_from, "Ngày bắt đầu"), _date(date_to, "Ngày kết thúc")
    if start and end and end < start:
        raise TransitionError("Ngày kết thúc phải sau ngày bắt đầu.")
    return QueueFilter(
        statuses=_statuses(status),
        priorities=_members(Priority, priority, "Mức ưu tiên"),
        topics=_members(Topic, topic, "Chủ đề"),
        tones=_members(Tone, tone, "Sắc thái"),
        targets=_keys(names.targets, target, "Đối tượng theo dõi"),
        outlets=_keys(names.outlets, outlet, "Báo"),
        assignee=user if mine else (assignee or None),
        assigned=assigned or None,
        opened_from=start,
        opened_to=end,
        page=page,
        limit=limit,
    )


def _one(kind: type[StrEnum], word: str | None, what: str) -> str | None:
    return _members(kind, [word], what)[0] if word else None


def parse_decision(
    action: str,
    *,
    verdict: str | None = None,
    note: str = "",
    evidence: Iterable[str] = (),
    correct_topic: str | None = None,
    correct_tone: str | None = None,
    wrong_target: bool = False,
    respond: bool = False,
    url: str | None = None,
    priority: str | None = None,
    expect_version: int | None = None,
    assignee: str | None = None,
    other_case: int | None = None,
    other_story: int | None = None,
) -> Decision:
    """A user's action words as a Decision (`nhận`, `claim`; `--verdict sai`; `--priority khẩn cấp`)."""
    act = parse(Action, action)
    if act is None:
        raise TransitionError(f"Thao tác “{action}” không hợp lệ; chọn một trong: {choices(Action)}.")
    verdict_state = parse(State, verdict) if verdict else None
    if verdict and verdict_state not in VERDICTS:
        words = ", ".join(label(v) for v in VERDICTS)
        raise TransitionError(f"Kết luận “{verdict}” không hợp lệ; chọn một trong: {words}.")
    level = _one(Priority, priority, "Mức ưu tiên")
    return Decision(
        act,
        verdict=verdict_state,
        note=note,
        evidence=tuple(evidence),
        wants_response=respond,
        correct_topic=_one(Topic, correct_topic, "Chủ đề"),
        correct_tone=_one(Tone, correct_tone, "Sắc thái"),
        wrong_target=wrong_target,
        url=url,
        priority=Priority(level) if level else None,
        expected_version=expect_version,
        assignee=assignee.strip() if assignee else None,
        other_case=other_case,
        other_story=other_story,
    )
